// Sends gRPC's own log lines (which it otherwise prints to stderr in its own
// format) through spdlog, so the agent's output keeps one format.
#pragma once

namespace zerotrace::otlp {

// Process-wide; the first call installs the bridge, later calls do nothing.
// gRPC's errors about connections and handshakes go to debug: each failed
// call's status already carries them to the exporter's throttled warning.
// A failed internal assertion (gRPC aborts right after) stays critical.
void RouteGrpcLogsToSpdlog();

}  // namespace zerotrace::otlp
