#include "exporter/jsonl/jsonl_sink.h"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "exporter/jsonl/span_json.h"

namespace zerotrace::jsonl {

namespace {

std::shared_ptr<ExporterStats> OrNew(std::shared_ptr<ExporterStats> stats) {
  return stats ? std::move(stats) : std::make_shared<ExporterStats>();
}

}  // namespace

JsonLinesSink::JsonLinesSink(const std::string& path, std::shared_ptr<ExporterStats> stats)
    : stats_(OrNew(std::move(stats))), stream_(stdout), name_(path.empty() ? "stdout" : path) {
  if (path.empty()) return;
  // Append: pointing the agent at an existing file must not destroy it.
  owned_file_.reset(std::fopen(path.c_str(), "a"));
  if (!owned_file_) {
    throw std::runtime_error("cannot open JSON output file " + path + ": " + std::strerror(errno));
  }
  stream_ = owned_file_.get();
}

JsonLinesSink::JsonLinesSink(std::FILE* stream, std::shared_ptr<ExporterStats> stats)
    : stats_(OrNew(std::move(stats))), stream_(stream), name_("stream") {}

void JsonLinesSink::Consume(Span span) {
  line_.clear();
  AppendSpanJsonLine(span, &line_);
  const bool written = std::fwrite(line_.data(), 1, line_.size(), stream_) == line_.size() &&
                       std::fflush(stream_) == 0;
  if (written) {
    stats_->exported.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  const int error = errno;
  stats_->failed.fetch_add(1, std::memory_order_relaxed);
  std::clearerr(stream_);
  uint64_t suppressed = 0;
  if (warnings_.ShouldWarn(&suppressed)) {
    spdlog::warn("cannot write spans to {}: {} ({} more failed writes since the last warning)",
                 name_, std::strerror(error), suppressed);
  }
}

void JsonLinesSink::Shutdown() { std::fflush(stream_); }

}  // namespace zerotrace::jsonl
