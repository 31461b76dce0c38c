// Telling processes that carry their own OpenTelemetry SDK apart from
// unmodified ones, so a request is never reported by both: by the environment
// an SDK or agent needs, and by a server originating spans of its own on its
// outgoing calls. Proxies that forward a traceparent and clients that send a
// fixed one must not be mistaken for SDKs.
#include "agent/linking/sdk_instrumented_processes.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace zerotrace {
namespace {

using namespace std::string_literals;

const std::string kReceived = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
const std::string kForwarded = kReceived;
const std::string kOwnSpan = "00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01";

ConnectionInfo Connection(uint32_t pid, ConnectionRole role) {
  ConnectionInfo c;
  c.key.tgid = pid;
  c.role = role;
  return c;
}

// A request start of any protocol; owns what the RequestStart points at.
struct TestRequest {
  ChunkTiming first_chunk;
  std::string traceparent;
};

TestRequest Request(std::string traceparent, TraceLink link) {
  TestRequest r;
  r.traceparent = std::move(traceparent);
  r.first_chunk.trace.link = link;
  r.first_chunk.trace.trace_id[0] = 1;
  r.first_chunk.trace.span_id[0] = 1;
  return r;
}

void Offer(SdkInstrumentedProcesses& sdk, const ConnectionInfo& connection, const TestRequest& request) {
  sdk.OnRequest({connection, request.first_chunk, {request.traceparent, {}}});
}

class FakeProc {
 public:
  FakeProc() {
    std::string templ = (std::filesystem::temp_directory_path() / "zt-sdk-XXXXXX").string();
    root_ = mkdtemp(templ.data());
  }
  ~FakeProc() { std::filesystem::remove_all(root_); }
  void Write(uint32_t pid, const std::string& name, const std::string& contents) {
    std::filesystem::create_directories(root_ / std::to_string(pid));
    std::ofstream(root_ / std::to_string(pid) / name, std::ios::binary) << contents;
  }
  ProcFs fs() const { return ProcFs(root_.string()); }

 private:
  std::filesystem::path root_;
};

TEST(SdkEnvironment, NamesSdkSettingsAndAgentsButNotServiceNameAlone) {
  EXPECT_TRUE(EnvironmentNamesOtelSdk("PATH=/bin\0OTEL_TRACES_EXPORTER=otlp\0"s));
  EXPECT_FALSE(EnvironmentNamesOtelSdk("OTEL_TRACES_EXPORTER=none\0"s));
  EXPECT_FALSE(EnvironmentNamesOtelSdk("OTEL_SERVICE_NAME=orders\0OTEL_RESOURCE_ATTRIBUTES=a=b\0"s));
  EXPECT_TRUE(EnvironmentNamesOtelSdk(
      "NODE_OPTIONS=--require @opentelemetry/auto-instrumentations-node/register\0"s));
  EXPECT_FALSE(EnvironmentNamesOtelSdk("NODE_OPTIONS=--max-old-space-size=512\0"s));
  EXPECT_TRUE(EnvironmentNamesOtelSdk("JAVA_TOOL_OPTIONS=-javaagent:/otel/opentelemetry-javaagent.jar\0"s));
  EXPECT_TRUE(EnvironmentNamesOtelSdk(
      "PYTHONPATH=/usr/lib/python3/site-packages/opentelemetry/instrumentation/auto_instrumentation:/app\0"s));
  EXPECT_TRUE(EnvironmentNamesOtelSdk("CORECLR_PROFILER_PATH=/otel/OpenTelemetry.AutoInstrumentation.Native.so\0"s));
  EXPECT_FALSE(EnvironmentNamesOtelSdk(""));
}

TEST(SdkEnvironment, CommandLineWithNodeRequireOrJavaAgent) {
  EXPECT_TRUE(CommandLineNamesOtelSdk("node\0--require\0@opentelemetry/auto-instrumentations-node/register\0app.js\0"s));
  EXPECT_TRUE(CommandLineNamesOtelSdk("java\0-javaagent:opentelemetry-javaagent.jar\0-jar\0app.jar\0"s));
  EXPECT_FALSE(CommandLineNamesOtelSdk("node\0app.js\0"s));
}

TEST(SdkInstrumentedProcesses, ProcessWithSdkEnvironmentReportsOwnSpans) {
  FakeProc proc;
  proc.Write(10, "environ", "OTEL_TRACES_EXPORTER=otlp\0"s);
  proc.Write(10, "cmdline", "node\0app.js\0"s);
  proc.Write(11, "environ", "OTEL_SERVICE_NAME=plain\0"s);
  proc.Write(11, "cmdline", "python3\0app.py\0"s);
  SdkInstrumentedProcesses sdk(proc.fs());
  EXPECT_TRUE(sdk.ReportsOwnSpans(10));
  EXPECT_FALSE(sdk.ReportsOwnSpans(11));
  EXPECT_FALSE(sdk.ReportsOwnSpans(12));  // gone from /proc: nothing known
  EXPECT_EQ(sdk.stats().by_environment, 1u);
  EXPECT_EQ(sdk.stats().spans_left_to_sdk, 1u);
}

TEST(SdkInstrumentedProcesses, ServerThatOriginatesTheOutgoingTraceparentIsAnSdk) {
  FakeProc proc;
  SdkInstrumentedProcesses sdk(proc.fs());
  Offer(sdk, Connection(20, ConnectionRole::kServer), Request(kReceived, TraceLink::kPeer));
  EXPECT_FALSE(sdk.ReportsOwnSpans(20));
  Offer(sdk, Connection(20, ConnectionRole::kClient), Request(kOwnSpan, TraceLink::kThread));
  EXPECT_TRUE(sdk.ReportsOwnSpans(20));
  EXPECT_EQ(sdk.stats().by_traceparent, 1u);
}

TEST(SdkInstrumentedProcesses, EventLoopServingSeveralRequestsCountsAsServing) {
  FakeProc proc;
  SdkInstrumentedProcesses sdk(proc.fs());
  // No traceparent came in at all; the call still carries a span of its own.
  Offer(sdk, Connection(21, ConnectionRole::kClient), Request(kOwnSpan, TraceLink::kAmbiguous));
  EXPECT_TRUE(sdk.ReportsOwnSpans(21));
}

TEST(SdkInstrumentedProcesses, ProxyForwardingTheReceivedTraceparentIsNotAnSdk) {
  FakeProc proc;
  SdkInstrumentedProcesses sdk(proc.fs());
  Offer(sdk, Connection(30, ConnectionRole::kServer), Request(kReceived, TraceLink::kRoot));
  Offer(sdk, Connection(30, ConnectionRole::kClient), Request(kForwarded, TraceLink::kThread));
  EXPECT_FALSE(sdk.ReportsOwnSpans(30));
}

TEST(SdkInstrumentedProcesses, ClientNotServingAnythingIsNotAnSdk) {
  FakeProc proc;
  SdkInstrumentedProcesses sdk(proc.fs());
  // curl -H 'traceparent: ...': a root request, no server request in flight.
  Offer(sdk, Connection(40, ConnectionRole::kClient), Request(kOwnSpan, TraceLink::kRoot));
  // A malformed header proves nothing either.
  Offer(sdk, Connection(40, ConnectionRole::kClient), Request("00-zz", TraceLink::kThread));
  EXPECT_FALSE(sdk.ReportsOwnSpans(40));
}

TEST(SdkInstrumentedProcesses, OtherProcessesReceivedHeadersDoNotCount) {
  FakeProc proc;
  SdkInstrumentedProcesses sdk(proc.fs());
  Offer(sdk, Connection(50, ConnectionRole::kServer), Request(kReceived, TraceLink::kRoot));
  Offer(sdk, Connection(51, ConnectionRole::kClient), Request(kForwarded, TraceLink::kThread));
  EXPECT_FALSE(sdk.ReportsOwnSpans(50));
  EXPECT_TRUE(sdk.ReportsOwnSpans(51));
}

TEST(SdkInstrumentedProcesses, MemoryIsBoundedAndForgetClearsAMark) {
  FakeProc proc;
  SdkInstrumentedProcesses sdk(proc.fs(), /*max_processes=*/2);
  Offer(sdk, Connection(60, ConnectionRole::kClient), Request(kOwnSpan, TraceLink::kThread));
  EXPECT_TRUE(sdk.ReportsOwnSpans(60));
  sdk.Forget(60);
  EXPECT_FALSE(sdk.ReportsOwnSpans(60));  // a new process reusing the pid starts clean
  Offer(sdk, Connection(61, ConnectionRole::kClient), Request(kOwnSpan, TraceLink::kThread));
  Offer(sdk, Connection(62, ConnectionRole::kClient), Request(kOwnSpan, TraceLink::kThread));
  Offer(sdk, Connection(63, ConnectionRole::kClient), Request(kOwnSpan, TraceLink::kThread));
  EXPECT_FALSE(sdk.ReportsOwnSpans(61));  // evicted, oldest first
  EXPECT_TRUE(sdk.ReportsOwnSpans(63));
}

}  // namespace
}  // namespace zerotrace
