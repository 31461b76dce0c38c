// A small in-process Kubernetes API server for tests, serving only what the
// pod watcher asks: GET /api/v1/pods as a PodList (fieldSelector
// spec.nodeName=..., limit/continue paging) and as a watch stream
// (watch=1&resourceVersion=N: newline-delimited events after N, then new
// ones as the test makes them). Every change gets the next resourceVersion.
#pragma once

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace zerotrace::kubernetes::testing {

struct RecordedRequest {
  bool watch = false;
  std::string authorization;
  std::map<std::string, std::string> params;
  std::chrono::steady_clock::time_point at;
};

class FakeKubernetesApi {
 public:
  FakeKubernetesApi();
  ~FakeKubernetesApi();
  FakeKubernetesApi(const FakeKubernetesApi&) = delete;
  FakeKubernetesApi& operator=(const FakeKubernetesApi&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // Changes: the pod store is updated and an event recorded for watchers.
  void AddPod(nlohmann::json pod);     // ADDED
  void ModifyPod(nlohmann::json pod);  // MODIFIED (same metadata.uid)
  void DeletePod(const std::string& uid);
  void Bookmark();
  // A line that is not a valid event, delivered like one.
  void SendRawLine(std::string line);

  // Open watches get an ERROR 410 event and end; so does any later watch from
  // a resourceVersion older than now (history compacted).
  void ExpireWatches();
  // Open watches are cut off without the end of the chunked body.
  void DropWatches();
  // Open watches end normally, as when timeoutSeconds runs out.
  void EndWatches();

  // The next `count` lists (or watches) answer `status` with a Status body.
  void FailLists(int status, int count);
  void FailWatches(int status, int count);
  // Lists are cut into pages of at most this many pods.
  void set_page_size(size_t n);

  std::vector<RecordedRequest> requests() const;
  size_t list_count() const;
  size_t watch_count() const;
  size_t open_watches() const;
  uint64_t resource_version() const;

 private:
  struct Event {
    uint64_t resource_version;
    std::string line;
    std::string node;  // the pod's spec.nodeName; empty: for every watcher
  };
  struct Signals {
    uint64_t drop = 0, end = 0, expire = 0;
  };

  void HandleList(const httplib::Request& req, httplib::Response& res);
  void HandleWatch(const httplib::Request& req, httplib::Response& res);
  void RecordEvent(const std::string& type, nlohmann::json object);  // mutex_ held
  static std::string StatusBody(int code, const std::string& reason, const std::string& message);

  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool stopping_ = false;
  uint64_t resource_version_ = 100;
  uint64_t oldest_servable_ = 0;                // watches from before this get 410
  std::map<std::string, nlohmann::json> pods_;  // by uid
  std::vector<Event> history_;
  Signals signals_;
  int list_failure_status_ = 0, list_failures_left_ = 0;
  int watch_failure_status_ = 0, watch_failures_left_ = 0;
  size_t page_size_ = 0;  // 0: as the client's limit says
  size_t open_watches_ = 0;
  std::vector<RecordedRequest> requests_;
};

}  // namespace zerotrace::kubernetes::testing
