#include "tests/unit/exporter/loopback_http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace zerotrace::testing {

namespace {

constexpr int kPollMs = 20;  // how often the server thread checks stop_

int BoundLoopbackSocket(uint16_t* port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    throw std::runtime_error("bind() on loopback failed");
  }
  *port = ntohs(addr.sin_port);
  return fd;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool WaitReadable(int fd, const std::atomic<bool>& stop) {
  while (!stop) {
    pollfd p{fd, POLLIN, 0};
    const int ready = poll(&p, 1, kPollMs);
    if (ready > 0) return true;
    if (ready < 0) return false;
  }
  return false;
}

}  // namespace

uint16_t UnusedLoopbackPort() {
  uint16_t port = 0;
  close(BoundLoopbackSocket(&port));  // bound, never listened, closed: connecting is refused
  return port;
}

LoopbackHttpServer::LoopbackHttpServer(CannedResponse response, std::vector<CannedResponse> first)
    : response_(std::move(response)), first_(std::move(first)) {
  listen_fd_ = BoundLoopbackSocket(&port_);
  if (listen(listen_fd_, 8) != 0) throw std::runtime_error("listen() failed");
  thread_ = std::thread([this] { Serve(); });
}

LoopbackHttpServer::~LoopbackHttpServer() {
  stop_ = true;
  thread_.join();
  close(listen_fd_);
}

std::string LoopbackHttpServer::Url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

bool LoopbackHttpServer::WaitForRequests(size_t count, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return arrived_.wait_for(lock, timeout, [&] { return requests_.size() >= count; });
}

std::vector<RecordedRequest> LoopbackHttpServer::requests() {
  std::lock_guard lock(mu_);
  return requests_;
}

void LoopbackHttpServer::Serve() {
  while (WaitReadable(listen_fd_, stop_)) {
    const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    ++connections_;
    ServeConnection(fd);
    close(fd);
  }
}

void LoopbackHttpServer::ServeConnection(int fd) {
  std::string buffer;
  RecordedRequest request;
  bool hanging = false;
  while (ReadRequest(fd, &buffer, &request)) {
    request.arrived = std::chrono::steady_clock::now();
    size_t index;
    {
      std::lock_guard lock(mu_);
      requests_.push_back(request);
      index = requests_.size() - 1;
    }
    arrived_.notify_all();
    const CannedResponse& response = index < first_.size() ? first_[index] : response_;
    if (!response.respond) {  // hang: the client must time out
      hanging = true;
      continue;
    }
    std::string reply = "HTTP/1.1 " + std::to_string(response.status) +
                        " Canned\r\nContent-Type: " + response.content_type +
                        "\r\nContent-Length: " + std::to_string(response.body.size()) + "\r\n";
    for (const auto& [name, value] : response.headers) reply += name + ": " + value + "\r\n";
    reply += "\r\n" + response.body;
    if (send(fd, reply.data(), reply.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(reply.size())) return;
  }
  // A hanging server keeps the connection open until the test ends.
  if (hanging)
    while (WaitReadable(fd, stop_)) {
      char sink[4096];
      if (recv(fd, sink, sizeof sink, 0) <= 0) break;
    }
}

bool LoopbackHttpServer::ReadRequest(int fd, std::string* buffer, RecordedRequest* request) {
  auto fill = [&] {
    if (!WaitReadable(fd, stop_)) return false;
    char chunk[16384];
    const ssize_t n = recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer->append(chunk, static_cast<size_t>(n));
    return true;
  };
  size_t header_end;
  while ((header_end = buffer->find("\r\n\r\n")) == std::string::npos)
    if (!fill()) return false;

  *request = {};
  const std::string head = buffer->substr(0, header_end);
  size_t line_end = head.find("\r\n");
  const std::string request_line = head.substr(0, line_end);
  const size_t sp1 = request_line.find(' '), sp2 = request_line.rfind(' ');
  request->method = request_line.substr(0, sp1);
  request->path = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
  while (line_end != std::string::npos && line_end < head.size()) {
    const size_t start = line_end + 2;
    line_end = head.find("\r\n", start);
    const std::string line = head.substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    request->headers[Lower(line.substr(0, colon))] = value;
  }
  const size_t body_length =
      request->headers.count("content-length") ? std::stoul(request->headers["content-length"]) : 0;
  const size_t body_start = header_end + 4;
  while (buffer->size() < body_start + body_length)
    if (!fill()) return false;
  request->body = buffer->substr(body_start, body_length);
  buffer->erase(0, body_start + body_length);
  return true;
}

}  // namespace zerotrace::testing
