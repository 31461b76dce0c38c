// The API client, watcher and cache against a fake API server started by
// the test: list, watch events, 410 Gone, dropped streams, tokens, RBAC
// refusals and malformed lines.
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "agent/kubernetes/kubernetes_metadata.h"
#include "fake_kubernetes_api.h"
#include "pod_fixtures.h"

namespace zerotrace::kubernetes {
namespace {

using namespace std::chrono_literals;
using testing::ContainerdId;
using testing::FakeKubernetesApi;
using testing::FixturePod;
using testing::MakePod;
using testing::RecordedRequest;

bool Eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 10s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return condition();
}

// Routes spdlog into a string for the test's duration.
class LogCapture {
 public:
  LogCapture() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
    sink->set_pattern("%l %v");
    auto logger = std::make_shared<spdlog::logger>("capture", sink);
    logger->set_level(spdlog::level::info);
    spdlog::set_default_logger(logger);
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  std::vector<std::string> Lines(std::string_view level, std::string_view containing) {
    spdlog::default_logger()->flush();
    std::vector<std::string> found;
    std::istringstream in(out_.str());
    for (std::string line; std::getline(in, line);) {
      if (line.starts_with(std::string(level) + " ") && line.find(containing) != std::string::npos)
        found.push_back(line);
    }
    return found;
  }
  std::string all() const { return out_.str(); }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
};

const std::string kWebId = std::string(64, 'a');
const std::string kDbId = std::string(64, 'b');
const std::string kOtherNodeId = std::string(64, 'c');

FixturePod WebPod() {
  return FixturePod("web-5d4f8c7b9-abcde", "uid-web", {{"web", ContainerdId('a')}})
      .Owner("ReplicaSet", "web-5d4f8c7b9", "5d4f8c7b9");
}
FixturePod DbPod() {
  return FixturePod("db-0", "uid-db", {{"postgres", "cri-o://" + kDbId}, {"init-perms", "", true}})
      .Owner("StatefulSet", "db");
}
FixturePod OtherNodePod() {
  return FixturePod("elsewhere", "uid-b", {{"x", ContainerdId('c')}}).OnNode("node-b");
}

class PodWatcherTest : public ::testing::Test {
 protected:
  PodWatcherTest() {
    settings_ = KubernetesSettingsFor(api_.url(), "test-token", "node-a");
    settings_.initial_backoff = 20ms;
    settings_.max_backoff = 200ms;
    settings_.request_timeout = 5s;
  }

  void Start() {
    std::string error;
    metadata_ = KubernetesMetadata::Start(settings_, &error);
    ASSERT_NE(metadata_, nullptr) << error;
  }
  void StartAndWaitForWatch() {
    Start();
    ASSERT_TRUE(metadata_->WaitUntilSynced(10s));
    // Counted by the watcher once the server's answer is in, after any log line.
    ASSERT_TRUE(Eventually([&] { return api_.open_watches() == 1 && metadata_->stats().watches >= 1; }));
  }
  bool HasContainer(const std::string& id) const { return metadata_->pods().FindContainer(id).has_value(); }
  std::vector<RecordedRequest> Watches() const {
    std::vector<RecordedRequest> out;
    for (const RecordedRequest& r : api_.requests())
      if (r.watch) out.push_back(r);
    return out;
  }

  FakeKubernetesApi api_;
  KubernetesSettings settings_;
  std::unique_ptr<KubernetesMetadata> metadata_;  // declared last: stopped before the server
};

TEST_F(PodWatcherTest, InitialListFillsTheCacheWithThisNodesPods) {
  api_.AddPod(MakePod(WebPod()));
  api_.AddPod(MakePod(DbPod()));
  api_.AddPod(MakePod(OtherNodePod()));
  Start();
  ASSERT_TRUE(metadata_->WaitUntilSynced(10s));
  EXPECT_EQ(metadata_->pods().pod_count(), 2u);
  auto web = metadata_->pods().FindContainer(kWebId);
  ASSERT_TRUE(web.has_value());
  EXPECT_EQ(web->container_name, "web");
  EXPECT_EQ(web->pod->workload.kind, "Deployment");
  EXPECT_EQ(web->pod->workload.name, "web");
  auto db = metadata_->pods().FindContainer(kDbId);
  ASSERT_TRUE(db.has_value());
  EXPECT_EQ(db->pod->workload.kind, "StatefulSet");
  EXPECT_FALSE(HasContainer(kOtherNodeId));

  RecordedRequest list = api_.requests().at(0);
  EXPECT_FALSE(list.watch);
  EXPECT_EQ(list.params["fieldSelector"], "spec.nodeName=node-a");
  EXPECT_EQ(list.params["limit"], "500");
  EXPECT_EQ(metadata_->stats().lists, 1u);
}

TEST_F(PodWatcherTest, WatchStartsAtTheListsResourceVersionWithBookmarks) {
  api_.AddPod(MakePod(WebPod()));
  uint64_t listed_at = api_.resource_version();
  StartAndWaitForWatch();
  RecordedRequest watch = Watches().at(0);
  EXPECT_EQ(watch.params["watch"], "1");
  EXPECT_EQ(watch.params["resourceVersion"], std::to_string(listed_at));
  EXPECT_EQ(watch.params["allowWatchBookmarks"], "true");
  EXPECT_EQ(watch.params["fieldSelector"], "spec.nodeName=node-a");
  EXPECT_EQ(watch.params["timeoutSeconds"], "300");
}

TEST_F(PodWatcherTest, WatchEventsAddModifyAndDeletePods) {
  StartAndWaitForWatch();
  EXPECT_EQ(metadata_->pods().pod_count(), 0u);

  api_.AddPod(MakePod(WebPod()));
  ASSERT_TRUE(Eventually([&] { return HasContainer(kWebId); }));

  FixturePod restarted = WebPod();
  restarted.containers = {{"web", ContainerdId('d')}, {"envoy", ContainerdId('e')}};
  api_.ModifyPod(MakePod(restarted));
  ASSERT_TRUE(Eventually([&] { return HasContainer(std::string(64, 'e')); }));
  EXPECT_FALSE(HasContainer(kWebId));
  EXPECT_TRUE(HasContainer(std::string(64, 'd')));

  api_.DeletePod("uid-web");
  ASSERT_TRUE(Eventually([&] { return metadata_->pods().pod_count() == 0; }));
  EXPECT_FALSE(HasContainer(std::string(64, 'd')));

  PodWatcherStats stats = metadata_->stats();
  EXPECT_EQ(stats.added, 1u);
  EXPECT_EQ(stats.modified, 1u);
  EXPECT_EQ(stats.deleted, 1u);
  EXPECT_EQ(stats.lists, 1u);  // all through the one watch
  EXPECT_EQ(api_.list_count(), 1u);
}

TEST_F(PodWatcherTest, PodsOfOtherNodesAreNotWatched) {
  StartAndWaitForWatch();
  api_.AddPod(MakePod(OtherNodePod()));
  api_.AddPod(MakePod(WebPod()));
  ASSERT_TRUE(Eventually([&] { return HasContainer(kWebId); }));
  EXPECT_FALSE(HasContainer(kOtherNodeId));
  EXPECT_EQ(metadata_->pods().pod_count(), 1u);
}

TEST_F(PodWatcherTest, NormallyEndedWatchResumesFromTheLastBookmarkWithoutRelisting) {
  StartAndWaitForWatch();
  api_.Bookmark();
  uint64_t bookmark = api_.resource_version();
  ASSERT_TRUE(Eventually([&] { return metadata_->stats().bookmarks == 1; }));
  api_.EndWatches();
  ASSERT_TRUE(Eventually([&] { return Watches().size() == 2; }));
  EXPECT_EQ(Watches().at(1).params["resourceVersion"], std::to_string(bookmark));
  EXPECT_EQ(api_.list_count(), 1u);
}

TEST_F(PodWatcherTest, GoneRelistsAndPicksUpWhatTheWatchMissed) {
  StartAndWaitForWatch();
  api_.ExpireWatches();  // ERROR 410 to the open watch
  // A change made while the watcher is between watch and list.
  api_.AddPod(MakePod(WebPod()));
  ASSERT_TRUE(Eventually([&] { return api_.list_count() >= 2 && HasContainer(kWebId); }));
  EXPECT_EQ(metadata_->stats().relists_after_gone, 1u);
  EXPECT_EQ(metadata_->stats().error_events, 1u);
  ASSERT_TRUE(Eventually([&] { return api_.open_watches() == 1; }));
}

TEST_F(PodWatcherTest, DroppedStreamReconnectsAndRelists) {
  api_.AddPod(MakePod(WebPod()));
  StartAndWaitForWatch();
  api_.DropWatches();
  api_.DeletePod("uid-web");  // happens while the stream is down
  api_.AddPod(MakePod(DbPod()));
  ASSERT_TRUE(Eventually([&] { return HasContainer(kDbId) && !HasContainer(kWebId); }));
  EXPECT_GE(api_.list_count(), 2u);
  EXPECT_GE(metadata_->stats().watch_failures, 1u);
  ASSERT_TRUE(Eventually([&] { return api_.open_watches() == 1; }));
  // And the new watch works.
  api_.AddPod(MakePod(FixturePod("late", "uid-late", {{"late", ContainerdId('f')}})));
  EXPECT_TRUE(Eventually([&] { return HasContainer(std::string(64, 'f')); }));
}

TEST_F(PodWatcherTest, BearerTokenIsSentOnListAndWatch) {
  StartAndWaitForWatch();
  std::vector<RecordedRequest> requests = api_.requests();
  ASSERT_GE(requests.size(), 2u);
  for (const RecordedRequest& r : requests) EXPECT_EQ(r.authorization, "Bearer test-token");
}

TEST_F(PodWatcherTest, TokenFileIsReadAgainOnReconnect) {
  std::string templ = (std::filesystem::temp_directory_path() / "zt-k8s-token-XXXXXX").string();
  int fd = mkstemp(templ.data());
  ASSERT_GE(fd, 0);
  close(fd);
  std::ofstream(templ) << "first-token\n";
  settings_.token_file = templ;
  settings_.token = "ignored";
  StartAndWaitForWatch();
  std::ofstream(templ, std::ios::trunc) << "rotated-token\n";
  api_.DropWatches();
  ASSERT_TRUE(Eventually([&] {
    std::vector<RecordedRequest> r = api_.requests();
    return r.back().authorization == "Bearer rotated-token";
  }));
  EXPECT_EQ(api_.requests().front().authorization, "Bearer first-token");
  std::filesystem::remove(templ);
}

TEST_F(PodWatcherTest, ForbiddenIsOneClearLineThenRetriedWithBackoff) {
  LogCapture logs;
  api_.AddPod(MakePod(WebPod()));
  api_.FailLists(403, 3);
  StartAndWaitForWatch();
  EXPECT_TRUE(HasContainer(kWebId));
  EXPECT_EQ(metadata_->stats().list_failures, 3u);
  EXPECT_EQ(api_.list_count(), 4u);

  std::vector<std::string> refusals = logs.Lines("warning", "403");
  ASSERT_EQ(refusals.size(), 1u) << logs.all();
  EXPECT_NE(refusals[0].find("RBAC"), std::string::npos) << refusals[0];
  EXPECT_NE(refusals[0].find("get, list and watch pods"), std::string::npos) << refusals[0];
  EXPECT_NE(refusals[0].find("cannot list resource"), std::string::npos) << refusals[0];  // the API's words
  EXPECT_EQ(logs.Lines("info", "reachable again").size(), 1u) << logs.all();

  // Back-off: each wait at least half its doubling step (the jitter's floor).
  std::vector<RecordedRequest> r = api_.requests();
  for (size_t i = 1; i < 4; ++i) {
    auto floor = settings_.initial_backoff * (1 << (i - 1)) / 2;
    EXPECT_GE(r[i].at - r[i - 1].at, floor) << "retry " << i;
  }
}

TEST_F(PodWatcherTest, RefusedWatchIsReportedAndRetried) {
  LogCapture logs;
  api_.FailWatches(403, 2);
  StartAndWaitForWatch();
  EXPECT_EQ(metadata_->stats().watch_failures, 2u);
  EXPECT_EQ(logs.Lines("warning", "refused the pod watch (403 Forbidden").size(), 1u) << logs.all();
  api_.AddPod(MakePod(WebPod()));
  EXPECT_TRUE(Eventually([&] { return HasContainer(kWebId); }));
}

TEST_F(PodWatcherTest, MalformedLinesAreCountedAndSkipped) {
  StartAndWaitForWatch();
  api_.SendRawLine("{this is not json");
  api_.SendRawLine(R"({"type":"ADDED","object":{"kind":"Pod","metadata":{"name":"no-uid"}}})");
  api_.SendRawLine(R"({"type":"SOMETHING","object":{}})");
  api_.AddPod(MakePod(WebPod()));
  ASSERT_TRUE(Eventually([&] { return HasContainer(kWebId); }));
  EXPECT_EQ(metadata_->stats().malformed, 3u);
  EXPECT_EQ(api_.list_count(), 1u);  // the stream carried on
  EXPECT_EQ(api_.watch_count(), 1u);
}

TEST_F(PodWatcherTest, OverlongLineIsSkippedAndTheStreamCarriesOn) {
  StartAndWaitForWatch();
  api_.SendRawLine(std::string(KubernetesApiClient::kMaxLineBytes + 1024, 'x'));
  api_.AddPod(MakePod(WebPod()));
  ASSERT_TRUE(Eventually([&] { return HasContainer(kWebId); }));
  EXPECT_EQ(metadata_->stats().malformed, 1u);
  EXPECT_EQ(api_.watch_count(), 1u);
}

TEST_F(PodWatcherTest, ListIsFollowedAcrossPages) {
  api_.set_page_size(2);
  for (char c = '1'; c <= '5'; ++c)
    api_.AddPod(
        MakePod(FixturePod(std::string("p") + c, std::string("uid-") + c, {{"app", ContainerdId(c)}})));
  Start();
  ASSERT_TRUE(metadata_->WaitUntilSynced(10s));
  EXPECT_EQ(metadata_->pods().pod_count(), 5u);
  std::vector<RecordedRequest> r = api_.requests();
  ASSERT_GE(r.size(), 3u);
  EXPECT_EQ(r[0].params.count("continue"), 0u);
  EXPECT_EQ(r[1].params["continue"], "2");
  EXPECT_EQ(r[2].params["continue"], "4");
  EXPECT_EQ(metadata_->stats().lists, 1u);
}

TEST_F(PodWatcherTest, StopIsPromptWhileAWatchIsIdle) {
  StartAndWaitForWatch();
  auto before = std::chrono::steady_clock::now();
  metadata_.reset();
  // The watch asked the server for 300 s; stopping must not wait for it.
  EXPECT_LT(std::chrono::steady_clock::now() - before, 5s);
}

TEST_F(PodWatcherTest, StopIsPromptDuringBackoff) {
  settings_.initial_backoff = 60s;
  settings_.max_backoff = 60s;
  api_.FailLists(500, 100);
  Start();
  ASSERT_TRUE(Eventually([&] { return metadata_->stats().list_failures == 1; }));
  auto before = std::chrono::steady_clock::now();
  metadata_.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - before, 5s);
}

TEST_F(PodWatcherTest, UnreachableApiIsOneLineAndKeepsTrying) {
  LogCapture logs;
  settings_.api_url = "http://127.0.0.1:1";  // nothing listens there
  Start();
  ASSERT_TRUE(Eventually([&] { return metadata_->stats().list_failures >= 3; }));
  EXPECT_FALSE(metadata_->WaitUntilSynced(0ms));
  EXPECT_EQ(logs.Lines("warning", "unreachable").size(), 1u) << logs.all();
}

}  // namespace
}  // namespace zerotrace::kubernetes
