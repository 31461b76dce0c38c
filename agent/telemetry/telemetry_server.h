// Serves the agent's health and self-metrics over HTTP on its own thread:
//   GET /healthz  200 "ok" while the main loop runs, else 503
//   GET /readyz   200 once probes are attached and the pipeline runs; 503
//                 while starting and while shutting down
//   GET /metrics  Prometheus text format 0.0.4
// anything else 404. The answers come from a TelemetryState the pipeline
// thread keeps current; a scrape never blocks the pipeline.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "agent/telemetry/telemetry_state.h"

namespace httplib {
class Server;
}

namespace zerotrace::telemetry {

class TelemetryServer {
 public:
  // Binds host:port (port 0: any free port) and starts serving. On failure
  // returns null and sets `error` to one line saying why ("127.0.0.1:9400:
  // Address already in use"). `state` must outlive the server.
  static std::unique_ptr<TelemetryServer> Start(const std::string& host, uint16_t port,
                                                const TelemetryState& state, std::string* error);
  ~TelemetryServer();  // stops serving and joins the thread
  TelemetryServer(const TelemetryServer&) = delete;
  TelemetryServer& operator=(const TelemetryServer&) = delete;

  uint16_t port() const { return port_; }  // the bound port (useful after port 0)

 private:
  TelemetryServer(std::unique_ptr<httplib::Server> server, uint16_t port);

  std::unique_ptr<httplib::Server> server_;
  uint16_t port_;
  std::thread thread_;
};

// "host:port", with IPv6 hosts in brackets.
std::string FormatHostPort(const std::string& host, uint16_t port);

}  // namespace zerotrace::telemetry
