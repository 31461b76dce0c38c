// The telemetry server on a loopback port, scraped with httplib's client:
// each endpoint's status, body and content type, 404 for the rest, readiness
// flipping with the agent's phase, and binding failures reported in a line.
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "agent/telemetry/telemetry_server.h"

namespace zerotrace::telemetry {
namespace {

class TelemetryServerTest : public ::testing::Test {
 protected:
  void StartServer(TelemetryState::Clock::duration liveness_timeout = TelemetryState::kDefaultLivenessTimeout) {
    state_ = std::make_unique<TelemetryState>("1.2.3", liveness_timeout);
    std::string error;
    server_ = TelemetryServer::Start("127.0.0.1", 0, *state_, &error);
    ASSERT_NE(server_, nullptr) << error;
    ASSERT_GT(server_->port(), 0);
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    client_->set_connection_timeout(std::chrono::seconds(5));
    client_->set_read_timeout(std::chrono::seconds(5));
  }

  httplib::Result Get(const char* path) { return client_->Get(path); }

  TelemetryState& state() { return *state_; }

  std::unique_ptr<TelemetryState> state_;  // outlives the server
  std::unique_ptr<TelemetryServer> server_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(TelemetryServerTest, HealthzAnswersOkWhileTheLoopRuns) {
  StartServer();
  state().SetPhase(AgentPhase::kRunning);
  state().Publish({});
  auto reply = Get("/healthz");
  ASSERT_TRUE(reply) << httplib::to_string(reply.error());
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, "ok\n");
}

TEST_F(TelemetryServerTest, HealthzAnswers503WhenTheLoopStalled) {
  StartServer(std::chrono::nanoseconds(0));  // any silence is a stall
  state().SetPhase(AgentPhase::kRunning);
  auto reply = Get("/healthz");
  ASSERT_TRUE(reply) << httplib::to_string(reply.error());
  EXPECT_EQ(reply->status, 503);
  EXPECT_NE(reply->body.find("main loop"), std::string::npos) << reply->body;
}

TEST_F(TelemetryServerTest, ReadyzFlipsFrom503To200AndBack) {
  StartServer();
  auto starting = Get("/readyz");
  ASSERT_TRUE(starting);
  EXPECT_EQ(starting->status, 503);
  state().SetPhase(AgentPhase::kRunning);
  auto running = Get("/readyz");
  ASSERT_TRUE(running);
  EXPECT_EQ(running->status, 200);
  EXPECT_EQ(running->body, "ready\n");
  state().SetPhase(AgentPhase::kStopping);
  auto stopping = Get("/readyz");
  ASSERT_TRUE(stopping);
  EXPECT_EQ(stopping->status, 503);
}

TEST_F(TelemetryServerTest, MetricsServeTheLatestSnapshotAsPrometheusText) {
  StartServer();
  AgentSnapshot snapshot;
  snapshot.pipeline.spans = 5;
  state().Publish(snapshot);
  auto first = Get("/metrics");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->get_header_value("Content-Type").rfind("text/plain; version=0.0.4", 0), 0u)
      << first->get_header_value("Content-Type");
  EXPECT_NE(first->body.find("# TYPE zerotrace_spans_built_total counter\n"), std::string::npos);
  EXPECT_NE(first->body.find("\nzerotrace_spans_built_total 5\n"), std::string::npos) << first->body;

  snapshot.pipeline.spans = 9;
  state().Publish(snapshot);
  auto second = Get("/metrics");
  ASSERT_TRUE(second);
  EXPECT_NE(second->body.find("\nzerotrace_spans_built_total 9\n"), std::string::npos) << second->body;
}

TEST_F(TelemetryServerTest, OtherPathsAndMethodsAre404) {
  StartServer();
  for (const char* path : {"/", "/metric", "/healthz/x", "/favicon.ico"}) {
    auto reply = Get(path);
    ASSERT_TRUE(reply) << path;
    EXPECT_EQ(reply->status, 404) << path;
  }
  auto post = client_->Post("/metrics", "x", "text/plain");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 404);
}

// Bound with SO_REUSEPORT, as httplib does by default, a second server would
// share the port and take half the scrapes: it must fail instead.
TEST(TelemetryServerBinding, SecondServerOnTheSamePortFailsWithTheReason) {
  TelemetryState state("1.0");
  std::string error;
  auto first = TelemetryServer::Start("127.0.0.1", 0, state, &error);
  ASSERT_NE(first, nullptr) << error;
  auto second = TelemetryServer::Start("127.0.0.1", first->port(), state, &error);
  EXPECT_EQ(second, nullptr);
  EXPECT_NE(error.find("127.0.0.1:" + std::to_string(first->port())), std::string::npos) << error;
  EXPECT_NE(error.find("Address already in use"), std::string::npos) << error;
  EXPECT_EQ(error.find('\n'), std::string::npos) << error;
}

TEST(TelemetryServerBinding, PortHeldByAnotherProgramFails) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  socklen_t length = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  const uint16_t port = ntohs(address.sin_port);

  TelemetryState state("1.0");
  std::string error;
  EXPECT_EQ(TelemetryServer::Start("127.0.0.1", port, state, &error), nullptr);
  EXPECT_NE(error.find("Address already in use"), std::string::npos) << error;
  close(fd);
}

TEST(TelemetryServerBinding, AddressNotOnThisHostFails) {
  TelemetryState state("1.0");
  std::string error;
  // 192.0.2.0/24 is TEST-NET-1: never a local address.
  EXPECT_EQ(TelemetryServer::Start("192.0.2.1", 9400, state, &error), nullptr);
  EXPECT_NE(error.find("192.0.2.1:9400"), std::string::npos) << error;
  EXPECT_NE(error.find("Cannot assign requested address"), std::string::npos) << error;
}

TEST(TelemetryServerBinding, StopsPromptlyAndFreesThePort) {
  TelemetryState state("1.0");
  std::string error;
  uint16_t port = 0;
  {
    auto server = TelemetryServer::Start("127.0.0.1", 0, state, &error);
    ASSERT_NE(server, nullptr) << error;
    port = server->port();
  }  // destroyed at once: must not hang
  auto again = TelemetryServer::Start("127.0.0.1", port, state, &error);
  EXPECT_NE(again, nullptr) << "port not released: " << error;
  httplib::Client client("127.0.0.1", port);
  auto reply = client.Get("/readyz");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 503);
}

TEST(TelemetryServerAddress, FormatsIpv6InBrackets) {
  EXPECT_EQ(FormatHostPort("127.0.0.1", 9400), "127.0.0.1:9400");
  EXPECT_EQ(FormatHostPort("::1", 9400), "[::1]:9400");
  EXPECT_EQ(FormatHostPort("localhost", 1), "localhost:1");
}

}  // namespace
}  // namespace zerotrace::telemetry
