#include "exporter/otlp/grpc/grpc_log_bridge.h"

#include <grpc/support/log.h>
#include <spdlog/spdlog.h>

#include <mutex>
#include <string_view>

namespace zerotrace::otlp {

namespace {

void LogThroughSpdlog(gpr_log_func_args* args) {
  const std::string_view message = args->message != nullptr ? args->message : "";
  if (args->severity == GPR_LOG_SEVERITY_ERROR && message.starts_with("assertion failed")) {
    spdlog::critical("gRPC: {} ({}:{})", message, args->file != nullptr ? args->file : "?", args->line);
  } else {
    spdlog::debug("gRPC: {}", message);
  }
}

}  // namespace

void RouteGrpcLogsToSpdlog() {
  static std::once_flag installed;
  std::call_once(installed, [] { gpr_set_log_function(LogThroughSpdlog); });
}

}  // namespace zerotrace::otlp
