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
#include <utility>
#include <thread>
#include <vector>

namespace zerotrace::testing {

struct RecordedRequest {
  std::string method;
  std::string path;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::chrono::steady_clock::time_point arrived;
};

struct CannedResponse {
  int status = 200;
  std::string body;
  bool respond = true;
  std::vector<std::pair<std::string, std::string>> headers = {};  // extra response headers
  std::string content_type = "application/x-protobuf";
};

class LoopbackHttpServer {
 public:
  // The first requests get `first` in order, every later one `response`.
  explicit LoopbackHttpServer(CannedResponse response = {}, std::vector<CannedResponse> first = {});
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
  std::vector<CannedResponse> first_;
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
