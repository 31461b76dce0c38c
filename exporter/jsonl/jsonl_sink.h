// Writes each span as one JSON line (see span_json.h) to stdout or a file,
// flushed per line so a reader tailing the file sees every span as soon as
// it is consumed. The write is a local one, so it happens on the pipeline
// thread.
#pragma once

#include <cstdio>
#include <memory>
#include <string>

#include "exporter/exporter_stats.h"
#include "agent/model/span_sink.h"
#include "exporter/warning_throttle.h"

namespace zerotrace::jsonl {

class JsonLinesSink final : public SpanSink {
 public:
  // Writes to stdout if `path` is empty, else appends to the file at `path`
  // (created if missing). Throws std::runtime_error with a one-line reason if
  // the file cannot be opened.
  explicit JsonLinesSink(const std::string& path, std::shared_ptr<ExporterStats> stats = nullptr);
  // Writes to an already open stream the caller keeps open (tests).
  explicit JsonLinesSink(std::FILE* stream, std::shared_ptr<ExporterStats> stats = nullptr);

  void Consume(Span span) override;
  void Shutdown() override;

  const ExporterStats& stats() const { return *stats_; }

 private:
  struct CloseFile {
    void operator()(std::FILE* file) const { std::fclose(file); }
  };

  std::shared_ptr<ExporterStats> stats_;
  std::unique_ptr<std::FILE, CloseFile> owned_file_;  // null when writing to stdout
  std::FILE* stream_;
  std::string name_;  // for error messages
  std::string line_;  // reused for every span
  WarningThrottle warnings_;
};

}  // namespace zerotrace::jsonl
