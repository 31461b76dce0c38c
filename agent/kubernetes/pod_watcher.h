// Keeps a PodCache in step with the pods the Kubernetes API schedules on one
// node: list, then watch from the list's resourceVersion, on its own thread.
//
//   list  GET /api/v1/pods?fieldSelector=spec.nodeName=<node>&limit=500 (paged)
//   watch GET ...&watch=1&resourceVersion=<rv>&allowWatchBookmarks=true
//
// A watch that the server ends normally (its timeoutSeconds) is resumed from
// the last resourceVersion seen (events and bookmarks move it). 410 Gone (as
// a status or an ERROR event), an ERROR event, a dropped stream or a refused
// request start over with a fresh list, after a capped, jittered back-off
// for anything that did not run for a while. The token is re-read from its
// file before every request. A problem is logged as one line when it starts
// (the same problem again only at debug level) and recovery as one more.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "agent/kubernetes/kubernetes_api_client.h"
#include "agent/kubernetes/kubernetes_settings.h"
#include "agent/kubernetes/pod_cache.h"
#include "base/backoff.h"

namespace zerotrace::kubernetes {

struct PodWatcherStats {
  uint64_t lists = 0;               // complete (re)lists
  uint64_t list_failures = 0;       // lists refused, unreachable or unreadable
  uint64_t watches = 0;             // watch streams the server accepted
  uint64_t watch_failures = 0;      // watches refused, dropped or ended by an ERROR event
  uint64_t relists_after_gone = 0;  // 410 Gone: the resourceVersion was too old
  uint64_t added = 0, modified = 0, deleted = 0, bookmarks = 0, error_events = 0;
  uint64_t malformed = 0;  // watch lines (or list items) that are not a usable event/pod, or too long
};

class PodWatcher {
 public:
  PodWatcher(KubernetesSettings settings, std::shared_ptr<PodCache> pods);
  ~PodWatcher();  // Stop()
  PodWatcher(const PodWatcher&) = delete;
  PodWatcher& operator=(const PodWatcher&) = delete;

  void Start();
  // Returns promptly: ends a running request and any back-off wait.
  void Stop();

  // True once a first list reached the cache; waits at most `timeout`.
  bool WaitUntilSynced(std::chrono::milliseconds timeout) const;
  PodWatcherStats stats() const;

 private:
  enum class Outcome { kOk, kEnded, kGone, kFailed, kStopped };

  void Run();
  bool RefreshToken();
  Outcome List(std::string* resource_version);
  Outcome Watch(std::string* resource_version);
  bool HandleWatchLine(std::string_view line, std::string* resource_version, Outcome* end);
  // One line naming what went wrong with `what` ("list"/"watch") and what to do.
  std::string DescribeFailure(std::string_view what, const ApiResponse& response) const;
  void WaitBackoff(unsigned attempt);
  bool stopping() const;

  // `kind` tells problems apart ("list 403"): the same kind again is logged
  // at debug level only, whatever its details (curl's timings) say.
  void ReportProblem(const std::string& kind, const std::string& line);
  static std::string FailureKind(std::string_view what, const ApiResponse& response);
  void ReportHealthy();

  template <typename F>
  void Count(F&& update) {
    std::lock_guard lock(stats_mutex_);
    update(stats_);
  }

  const KubernetesSettings settings_;
  std::shared_ptr<PodCache> pods_;
  KubernetesApiClient client_;
  std::string pods_path_;  // /api/v1/pods?fieldSelector=...
  RetryBackoff backoff_;

  mutable std::mutex mutex_;  // guards stopping_ and synced_
  mutable std::condition_variable wake_;
  bool stopping_ = false;
  bool synced_ = false;

  mutable std::mutex stats_mutex_;
  PodWatcherStats stats_;

  std::string last_problem_;   // its kind; watcher thread only
  bool ever_healthy_ = false;  // watcher thread only
  std::thread thread_;
};

}  // namespace zerotrace::kubernetes
