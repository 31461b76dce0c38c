// Chooses where spans go: the console waterfall (default), JSON lines, or an
// OTLP endpoint (HTTP protobuf, HTTP JSON or gRPC) behind a retrying
// exporter and a batch span processor.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "exporter/console/console_sink.h"
#include "exporter/exporter_stats.h"
#include "exporter/otlp/otlp_settings.h"
#include "agent/model/span_sink.h"

namespace zerotrace {

struct OutputConfig {
  enum Kind { kConsole, kJson, kOtlp };
  Kind kind = kConsole;

  // kJson: file to append to; empty means stdout.
  std::string json_path;

  // kOtlp: transport, endpoint, headers, TLS, compression and batching.
  otlp::OtlpSettings otlp;

  // kConsole: layout and timing. MakeSpanSink turns colour and block
  // characters on when stdout is a terminal (and NO_COLOR is unset).
  console::ConsoleOptions console;

  // Counters of the sink, shared so the agent can read them from any thread
  // (e.g. to print them on exit). MakeSpanSink creates one if null; keep a
  // copy of the pointer to read it.
  std::shared_ptr<ExporterStats> stats;
};

// Throws std::invalid_argument (kOtlp without an endpoint) or
// std::runtime_error (JSON file cannot be opened, gRPC channel cannot be
// made); the message is one line for the user.
std::unique_ptr<SpanSink> MakeSpanSink(const OutputConfig& config);

// One line for the start-up message: "OTLP/gRPC to http://host:4317", ...
std::string DescribeOutput(const OutputConfig& config);

}  // namespace zerotrace
