// What the pipeline thread hands the HTTP thread: readiness by phase,
// liveness by the time of the last publish, and metrics from the latest
// snapshot only.
#include <gtest/gtest.h>

#include <atomic>
#include <regex>
#include <thread>

#include "agent/telemetry/telemetry_state.h"

namespace zerotrace::telemetry {
namespace {

using std::chrono::seconds;
using Clock = TelemetryState::Clock;

TEST(TelemetryState, ReadyOnlyWhileRunning) {
  TelemetryState state("1.0");
  EXPECT_EQ(state.Readiness().status, 503) << "probes not attached yet";
  EXPECT_NE(state.Readiness().body.find("attaching"), std::string::npos) << state.Readiness().body;
  state.SetPhase(AgentPhase::kRunning);
  EXPECT_EQ(state.Readiness().status, 200);
  state.SetPhase(AgentPhase::kStopping);
  EXPECT_EQ(state.Readiness().status, 503);
  EXPECT_NE(state.Readiness().body.find("shutting down"), std::string::npos) << state.Readiness().body;
}

TEST(TelemetryState, ReadyWhenIdlingBecauseTheSdkIsDisabled) {
  TelemetryState state("1.0");
  state.SetPhase(AgentPhase::kDisabled);
  EXPECT_EQ(state.Readiness().status, 200);
  EXPECT_NE(state.Readiness().body.find("OTEL_SDK_DISABLED"), std::string::npos);
}

TEST(TelemetryState, UnhealthyWhenTheLoopStopsPublishing) {
  const Clock::time_point t0{};
  TelemetryState state("1.0", seconds(10), t0);
  state.SetPhase(AgentPhase::kRunning);
  state.Publish({}, t0 + seconds(1));
  EXPECT_EQ(state.Health(t0 + seconds(11)).status, 200);
  const EndpointAnswer stalled = state.Health(t0 + seconds(12));
  EXPECT_EQ(stalled.status, 503);
  EXPECT_NE(stalled.body.find("11.0 s"), std::string::npos) << stalled.body;
  state.Publish({}, t0 + seconds(12));
  EXPECT_EQ(state.Health(t0 + seconds(12)).status, 200) << "publishing again heals";
  EXPECT_EQ(state.Health(t0 + seconds(12)).body, "ok");
}

TEST(TelemetryState, HealthyWhileStartingOrStoppingWithoutTicks) {
  const Clock::time_point t0{};
  TelemetryState state("1.0", seconds(10), t0);
  EXPECT_EQ(state.Health(t0 + seconds(60)).status, 200) << "attaching probes is not a stall";
  state.SetPhase(AgentPhase::kStopping);
  EXPECT_EQ(state.Health(t0 + seconds(60)).status, 200) << "the final flush has its own deadline";
}

TEST(TelemetryState, MetricsShowTheLatestSnapshot) {
  TelemetryState state("1.0");
  state.SetProbes({{"tp_enter_read", true}});
  AgentSnapshot snapshot;
  snapshot.pipeline.spans = 3;
  state.Publish(snapshot);
  std::string text = state.RenderMetrics();
  EXPECT_NE(text.find("\nzerotrace_spans_built_total 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nzerotrace_ready 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nzerotrace_probe_attached{program=\"tp_enter_read\"} 1\n"), std::string::npos);

  snapshot.pipeline.spans = 8;
  state.Publish(snapshot);
  state.SetPhase(AgentPhase::kRunning);
  text = state.RenderMetrics();
  EXPECT_NE(text.find("\nzerotrace_spans_built_total 8\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("zerotrace_spans_built_total 3"), std::string::npos) << text;
  EXPECT_NE(text.find("\nzerotrace_ready 1\n"), std::string::npos) << text;
}

// Publishing from one thread while another renders: every render sees one
// whole snapshot (built and exported, published equal, stay equal), and
// values never go backwards.
TEST(TelemetryState, RenderSeesWholeSnapshotsWhilePublishing) {
  TelemetryState state("1.0");
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> published{0};
  std::thread publisher([&] {
    AgentSnapshot snapshot;
    for (uint64_t i = 1; !stop; ++i) {
      snapshot.pipeline.spans = i;
      snapshot.exporter.exported = i;
      state.Publish(snapshot);
      published = i;
    }
  });
  while (published == 0) std::this_thread::yield();
  const std::regex built(R"(\nzerotrace_spans_built_total (\d+)\n)");
  const std::regex exported(R"(\nzerotrace_spans_exported_total (\d+)\n)");
  uint64_t first = 0, last = 0;
  for (int render = 0; render < 300; ++render) {
    const std::string text = state.RenderMetrics();
    std::smatch b, e;
    ASSERT_TRUE(std::regex_search(text, b, built));
    ASSERT_TRUE(std::regex_search(text, e, exported));
    const uint64_t value = std::stoull(b[1]);
    EXPECT_EQ(value, std::stoull(e[1])) << "a torn snapshot";
    EXPECT_GE(value, last);
    if (render == 0) first = value;
    last = value;
  }
  stop = true;
  publisher.join();
  EXPECT_GT(last, first) << "renders did not overlap with publishing";
}

}  // namespace
}  // namespace zerotrace::telemetry
