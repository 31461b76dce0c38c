// What the telemetry endpoints report, handed from the pipeline thread to
// the HTTP thread. The pipeline thread publishes a copy of its counters a
// few times a second (one short mutex hold, no allocation once the probe
// list is set); the HTTP thread renders the latest copy. Nothing here is on
// the per-event path.
//
// Health: the main loop published within `liveness_timeout`, or the agent
// is in a bounded phase (starting: attaching probes; stopping: flushing
// spans, bounded by the export timeout). Readiness: probes attached and the
// pipeline running (or OTEL_SDK_DISABLED: idle as asked).
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "agent/telemetry/agent_snapshot.h"

namespace zerotrace::telemetry {

enum class AgentPhase {
  kStarting,  // loading and attaching probes
  kRunning,   // probes attached, the pipeline polls the ring buffer
  kDisabled,  // OTEL_SDK_DISABLED: idles on purpose, nothing attached
  kStopping,  // stop signal received: draining and flushing
};

struct EndpointAnswer {
  int status = 200;
  std::string body;  // one line for /healthz and /readyz
};

class TelemetryState {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::seconds kDefaultLivenessTimeout{10};

  explicit TelemetryState(std::string version, Clock::duration liveness_timeout = kDefaultLivenessTimeout,
                          Clock::time_point now = Clock::now());

  // --- pipeline thread ---
  void SetPhase(AgentPhase phase);
  void SetProbes(std::vector<probes::ProgramAttachment> probes);
  // The main loop is alive, and these are its counters now.
  void Publish(const AgentSnapshot& snapshot, Clock::time_point now = Clock::now());

  // --- HTTP thread ---
  EndpointAnswer Health(Clock::time_point now = Clock::now()) const;
  EndpointAnswer Readiness() const;
  std::string RenderMetrics() const;  // Prometheus text format 0.0.4

 private:
  static bool IsReady(AgentPhase phase) {
    return phase == AgentPhase::kRunning || phase == AgentPhase::kDisabled;
  }

  const std::string version_;
  const Clock::duration liveness_timeout_;
  mutable std::mutex mu_;
  AgentPhase phase_ = AgentPhase::kStarting;          // guarded by mu_
  Clock::time_point last_publish_;                    // guarded by mu_
  AgentSnapshot snapshot_;                            // guarded by mu_
  std::vector<probes::ProgramAttachment> probes_;     // guarded by mu_
};

}  // namespace zerotrace::telemetry
