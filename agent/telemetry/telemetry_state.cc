#include "agent/telemetry/telemetry_state.h"

#include <spdlog/fmt/fmt.h>

#include "agent/telemetry/agent_metrics.h"
#include "agent/telemetry/prometheus_text.h"

namespace zerotrace::telemetry {

TelemetryState::TelemetryState(std::string version, Clock::duration liveness_timeout,
                               Clock::time_point now)
    : version_(std::move(version)), liveness_timeout_(liveness_timeout), last_publish_(now) {}

void TelemetryState::SetPhase(AgentPhase phase) {
  std::lock_guard lock(mu_);
  phase_ = phase;
}

void TelemetryState::SetProbes(std::vector<probes::ProgramAttachment> probes) {
  std::lock_guard lock(mu_);
  probes_ = std::move(probes);
}

void TelemetryState::Publish(const AgentSnapshot& snapshot, Clock::time_point now) {
  std::lock_guard lock(mu_);
  snapshot_ = snapshot;
  last_publish_ = now;
}

EndpointAnswer TelemetryState::Health(Clock::time_point now) const {
  std::lock_guard lock(mu_);
  if (phase_ == AgentPhase::kStarting) return {200, "ok: starting"};
  if (phase_ == AgentPhase::kStopping) return {200, "ok: shutting down"};
  const auto silent = now - last_publish_;
  if (silent <= liveness_timeout_) return {200, "ok"};
  return {503, fmt::format("unhealthy: the main loop has not run for {:.1f} s",
                           std::chrono::duration<double>(silent).count())};
}

EndpointAnswer TelemetryState::Readiness() const {
  std::lock_guard lock(mu_);
  switch (phase_) {
    case AgentPhase::kStarting:
      return {503, "not ready: attaching probes"};
    case AgentPhase::kRunning:
      return {200, "ready"};
    case AgentPhase::kDisabled:
      return {200, "ready: OTEL_SDK_DISABLED is true, nothing is traced"};
    case AgentPhase::kStopping:
      break;
  }
  return {503, "not ready: shutting down"};
}

std::string TelemetryState::RenderMetrics() const {
  AgentSnapshot snapshot;
  std::vector<probes::ProgramAttachment> probes;
  bool ready = false;
  {
    // Copy out and render unlocked: the pipeline thread never waits on a scrape.
    std::lock_guard lock(mu_);
    snapshot = snapshot_;
    probes = probes_;
    ready = IsReady(phase_);
  }
  return RenderPrometheusText(AgentMetricFamilies({snapshot, probes, ready, version_}));
}

}  // namespace zerotrace::telemetry
