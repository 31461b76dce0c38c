// zerotrace: traces unmodified programs with eBPF and exports OpenTelemetry
// spans. main() reads the configuration, sets up logging and runs the agent
// live (live_run.h) or over a recording (replay_run.h).
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <exception>

#include "agent/app/live_run.h"
#include "agent/app/replay_run.h"
#include "agent/config/agent_config.h"
#include "probes/bpf_environment.h"

namespace zerotrace {
namespace {

void SetUpLogging(bool verbose) {
  auto logger = spdlog::stderr_color_mt("zerotrace");
  logger->set_pattern("%^zerotrace %l:%$ %v");
  logger->set_level(verbose ? spdlog::level::debug : spdlog::level::info);
  spdlog::set_default_logger(logger);
  probes::RouteLibbpfLogs(verbose);
}

}  // namespace
}  // namespace zerotrace

int main(int argc, char** argv) {
  zerotrace::AgentConfig config;
  if (auto exit_code =
          zerotrace::ParseAgentConfig(argc, argv, zerotrace::ProcessEnvironment(), &config))
    return *exit_code;
  zerotrace::SetUpLogging(config.verbose);
  try {
    return config.replay_file.empty() ? zerotrace::RunLive(config) : zerotrace::RunReplay(config);
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
}
