#include "exporter/span_sink_factory.h"

#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <stdexcept>

#include "exporter/jsonl/jsonl_sink.h"
#include "exporter/otlp/batch_span_processor.h"
#include "exporter/otlp/grpc/otlp_grpc_transport.h"
#include "exporter/otlp/otlp_http_transport.h"
#include "exporter/otlp/retrying_exporter.h"

namespace zerotrace {

namespace {

bool StdoutIsTerminal() {
  const char* no_color = std::getenv("NO_COLOR");  // https://no-color.org
  return isatty(STDOUT_FILENO) == 1 && (no_color == nullptr || *no_color == '\0');
}

std::unique_ptr<otlp::OtlpTransport> MakeTransport(const otlp::OtlpSettings& settings) {
  if (settings.protocol == otlp::OtlpProtocol::kGrpc)
    return std::make_unique<otlp::OtlpGrpcTransport>(settings);
  return std::make_unique<otlp::OtlpHttpTransport>(settings);
}

}  // namespace

std::unique_ptr<SpanSink> MakeSpanSink(const OutputConfig& config) {
  auto stats = config.stats ? config.stats : std::make_shared<ExporterStats>();
  switch (config.kind) {
    case OutputConfig::kJson:
      return std::make_unique<jsonl::JsonLinesSink>(config.json_path, std::move(stats));
    case OutputConfig::kOtlp: {
      if (config.otlp.endpoint.empty()) {
        throw std::invalid_argument(
            "OTLP output needs an endpoint: set OTEL_EXPORTER_OTLP_ENDPOINT (e.g. "
            "http://localhost:4318) or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
      }
      auto exporter = std::make_unique<otlp::RetryingExporter>(MakeTransport(config.otlp),
                                                               config.otlp.timeout);
      return std::make_unique<otlp::BatchSpanProcessor>(std::move(exporter), config.otlp.batch,
                                                        std::move(stats));
    }
    case OutputConfig::kConsole:
      break;
  }
  console::ConsoleOptions options = config.console;
  if (StdoutIsTerminal()) options.style.color = options.style.unicode = true;
  return std::make_unique<console::ConsoleSink>(std::cout, options, std::move(stats));
}

std::string DescribeOutput(const OutputConfig& config) {
  switch (config.kind) {
    case OutputConfig::kJson:
      return "JSON lines to " + (config.json_path.empty() ? std::string("stdout") : config.json_path);
    case OutputConfig::kOtlp: {
      const bool gzip = config.otlp.compression == otlp::OtlpCompression::kGzip;
      return std::string("OTLP ") + std::string(otlp::ProtocolName(config.otlp.protocol)) +
             (gzip ? " (gzip)" : "") + " to " + config.otlp.endpoint;
    }
    case OutputConfig::kConsole:
      break;
  }
  return "trace waterfall on this terminal";
}

}  // namespace zerotrace
