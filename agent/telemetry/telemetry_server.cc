// The telemetry endpoints on cpp-httplib (Debian's libcpp-httplib-dev).
#include "agent/telemetry/telemetry_server.h"

#include <httplib.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "agent/telemetry/prometheus_text.h"

namespace zerotrace::telemetry {
namespace {

constexpr char kPlainText[] = "text/plain; charset=utf-8";

// httplib's default sets SO_REUSEPORT, which lets a second agent bind the
// same port and silently take half the scrapes. SO_REUSEADDR alone still
// allows an immediate restart over TIME_WAIT connections.
void ExclusiveListenSocket(socket_t sock) {
  int yes = 1;
  setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
}

// httplib reports a failed bind as false only: redo the bind ourselves to
// say why (in use, no such local address, not resolvable, permission).
std::string WhyCannotListen(const std::string& host, uint16_t port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0)
    return std::string("cannot resolve the host: ") + gai_strerror(rc);
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> addresses(found, freeaddrinfo);
  int err = 0;
  for (const addrinfo* a = addresses.get(); a != nullptr; a = a->ai_next) {
    int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      err = errno;
      continue;
    }
    ExclusiveListenSocket(fd);
    const bool bound = bind(fd, a->ai_addr, a->ai_addrlen) == 0 && listen(fd, 1) == 0;
    err = errno;
    close(fd);
    if (bound) return "could not listen (the address was busy for a moment; try again)";
  }
  return err != 0 ? std::strerror(err) : "no address to listen on";
}

void Answer(httplib::Response& response, const EndpointAnswer& answer) {
  response.status = answer.status;
  response.set_content(answer.body + "\n", kPlainText);
}

void Route(httplib::Server& server, const TelemetryState& state) {
  server.Get("/healthz", [&state](const httplib::Request&, httplib::Response& response) {
    Answer(response, state.Health());
  });
  server.Get("/readyz", [&state](const httplib::Request&, httplib::Response& response) {
    Answer(response, state.Readiness());
  });
  server.Get("/metrics", [&state](const httplib::Request&, httplib::Response& response) {
    response.set_content(state.RenderMetrics(), kPrometheusTextContentType);
  });
  // Unknown paths, and known paths with another method: 404 with a hint.
  server.set_error_handler([](const httplib::Request&, httplib::Response& response) {
    if (response.status == 404)
      response.set_content("not found: GET /healthz, /readyz or /metrics\n", kPlainText);
  });
}

}  // namespace

std::string FormatHostPort(const std::string& host, uint16_t port) {
  const bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

TelemetryServer::TelemetryServer(std::unique_ptr<httplib::Server> server, uint16_t port)
    : server_(std::move(server)), port_(port) {}

std::unique_ptr<TelemetryServer> TelemetryServer::Start(const std::string& host, uint16_t port,
                                                        const TelemetryState& state,
                                                        std::string* error) {
  auto server = std::make_unique<httplib::Server>();
  // Two workers: a slow client cannot starve the kubelet's probes. One
  // request per connection, short timeouts: a scraper holding a keep-alive
  // connection or a client that never sends keeps a worker only briefly.
  // (httplib takes ownership of the queue it is handed.)
  server->new_task_queue = [] { return new httplib::ThreadPool(2); };
  server->set_keep_alive_max_count(1);
  server->set_read_timeout(std::chrono::seconds(2));
  server->set_write_timeout(std::chrono::seconds(2));
  server->set_socket_options(ExclusiveListenSocket);
  Route(*server, state);

  int bound_port = port;
  if (port == 0) {
    bound_port = server->bind_to_any_port(host);
  } else if (!server->bind_to_port(host, port)) {
    bound_port = -1;
  }
  if (bound_port <= 0) {
    *error = FormatHostPort(host, port) + ": " + WhyCannotListen(host, port);
    return nullptr;
  }

  std::unique_ptr<TelemetryServer> telemetry(
      new TelemetryServer(std::move(server), static_cast<uint16_t>(bound_port)));
  httplib::Server& serving = *telemetry->server_;
  telemetry->thread_ = std::thread([&serving] { serving.listen_after_bind(); });
  // stop() only works once the accept loop runs: wait for it, so that a
  // server destroyed right away still shuts down.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!serving.is_running() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return telemetry;
}

TelemetryServer::~TelemetryServer() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace zerotrace::telemetry
