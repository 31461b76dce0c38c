// A minimal HTTP/1.1 server on 127.0.0.1 for exporter tests: records each
// request and answers with a fixed response, keeping connections alive so
// tests can see whether the client reuses them. With `respond` false it
// reads requests and never answers (an endpoint that hangs).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace zerotrace::testing {

struct RecordedRequest {
  std::string method;
  std::string path;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

struct CannedResponse {
  int status = 200;
  std::string body;
  bool respond = true;
};

class LoopbackHttpServer {
 public:
  explicit LoopbackHttpServer(CannedResponse response = {});
  ~LoopbackHttpServer();

  uint16_t port() const { return port_; }
  std::string Url(const std::string& path) const;

  // Waits until `count` requests have arrived; false on timeout.
  bool WaitForRequests(size_t count, std::chrono::milliseconds timeout);
  std::vector<RecordedRequest> requests();
  int connections_accepted() const { return connections_.load(); }

 private:
  void Serve();
  void ServeConnection(int fd);
  bool ReadRequest(int fd, std::string* buffer, RecordedRequest* request);

  CannedResponse response_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::mutex mu_;
  std::condition_variable arrived_;
  std::vector<RecordedRequest> requests_;
  std::thread thread_;
};

// A loopback port with nothing listening on it.
uint16_t UnusedLoopbackPort();

}  // namespace zerotrace::testing
