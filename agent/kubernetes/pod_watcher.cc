#include "agent/kubernetes/pod_watcher.h"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "agent/kubernetes/pod_json.h"
#include "agent/kubernetes/watch_event.h"

namespace zerotrace::kubernetes {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr int kListPageSize = 500;
// A watch that lived this long was healthy: the next failure backs off from
// the start again instead of from where the last bad streak ended.
constexpr auto kHealthyWatch = std::chrono::seconds(10);
// The client's limit on a watch beyond the timeoutSeconds asked of the server.
constexpr auto kWatchGrace = std::chrono::seconds(60);

bool IsBlank(std::string_view line) { return line.find_first_not_of(" \t\r") == std::string_view::npos; }

std::string ReadToken(const std::string& path, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = std::strerror(errno);
    return {};
  }
  std::ostringstream text;
  text << in.rdbuf();
  std::string token = text.str();
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' '))
    token.pop_back();
  if (token.empty()) *error = "the file is empty";
  return token;
}

}  // namespace

PodWatcher::PodWatcher(KubernetesSettings settings, std::shared_ptr<PodCache> pods)
    : settings_(std::move(settings)),
      pods_(std::move(pods)),
      client_(settings_.api_url, settings_.ca_file),
      backoff_(BackoffOptions{settings_.initial_backoff, settings_.max_backoff, 2.0}) {
  pods_path_ = "/api/v1/pods?fieldSelector=" + client_.Escape("spec.nodeName=" + settings_.node_name);
  if (settings_.token_file.empty()) client_.set_token(settings_.token);
}

PodWatcher::~PodWatcher() { Stop(); }

void PodWatcher::Start() {
  if (!thread_.joinable()) thread_ = std::thread([this] { Run(); });
}

void PodWatcher::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  client_.Cancel();
  if (thread_.joinable()) thread_.join();
}

bool PodWatcher::stopping() const {
  std::lock_guard lock(mutex_);
  return stopping_;
}

bool PodWatcher::WaitUntilSynced(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return wake_.wait_for(lock, timeout, [this] { return synced_ || stopping_; }) && synced_;
}

PodWatcherStats PodWatcher::stats() const {
  PodWatcherStats copy;
  {
    std::lock_guard lock(stats_mutex_);
    copy = stats_;
  }
  copy.malformed += client_.oversized_lines();
  return copy;
}

void PodWatcher::WaitBackoff(unsigned attempt) {
  // Jittered, so that agents on every node do not all call the API server in
  // the same instant.
  const std::chrono::milliseconds wait = backoff_.Delay(attempt);
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, wait, [this] { return stopping_; });
}

void PodWatcher::ReportProblem(const std::string& kind, const std::string& line) {
  if (kind == last_problem_) {
    spdlog::debug("{}", line);
    return;
  }
  spdlog::warn("{}", line);
  last_problem_ = kind;
}

std::string PodWatcher::FailureKind(std::string_view what, const ApiResponse& response) {
  return std::string(what) + " " + std::to_string(response.status_code) +
         (response.completed ? "" : " incomplete");
}

void PodWatcher::ReportHealthy() {
  if (!last_problem_.empty()) {
    spdlog::info("Kubernetes API reachable again: watching the pods of node {} ({} now)", settings_.node_name,
                 pods_->pod_count());
  } else if (!ever_healthy_) {
    spdlog::info("Kubernetes metadata: watching the pods of node {} ({} now)", settings_.node_name,
                 pods_->pod_count());
  }
  last_problem_.clear();
  ever_healthy_ = true;
}

bool PodWatcher::RefreshToken() {
  if (settings_.token_file.empty()) return true;
  std::string error;
  std::string token = ReadToken(settings_.token_file, &error);
  if (token.empty()) {
    ReportProblem("token", "cannot read the Kubernetes service account token " + settings_.token_file + ": " +
                               error + " (is automountServiceAccountToken off?); retrying");
    return false;
  }
  client_.set_token(std::move(token));
  return true;
}

std::string PodWatcher::DescribeFailure(std::string_view what, const ApiResponse& response) const {
  const std::string subject = "Kubernetes API " + settings_.api_url;
  if (!response.completed && response.status_code == 0)
    return subject + " unreachable for the pod " + std::string(what) + ": " + response.error + "; retrying";
  ApiStatus status = ParseApiStatusBody(response.body);
  std::string detail = status.message.empty() ? std::string() : ": " + status.message;
  switch (response.status_code) {
    case 401:
      return subject + " rejected the agent's token for the pod " + std::string(what) + " (401 Unauthorized" +
             detail + "): check the service account token mounted in the pod; retrying";
    case 403:
      return subject + " refused the pod " + std::string(what) + " (403 Forbidden" + detail +
             "): RBAC must let the agent's service account get, list and watch pods (a ClusterRole "
             "bound to it with a ClusterRoleBinding); retrying";
    default:
      break;
  }
  if (!response.completed)
    return subject + " pod " + std::string(what) + " broke off: " + response.error + "; retrying";
  return subject + " answered " + std::to_string(response.status_code) + " to the pod " + std::string(what) +
         detail + "; retrying";
}

PodWatcher::Outcome PodWatcher::List(std::string* resource_version) {
  std::vector<PodRecord> pods;
  std::string continue_token;
  uint64_t malformed = 0;
  do {
    std::string path = pods_path_ + "&limit=" + std::to_string(kListPageSize);
    if (!continue_token.empty()) path += "&continue=" + client_.Escape(continue_token);
    ApiResponse response = client_.Get(path, settings_.request_timeout);
    if (response.cancelled) return Outcome::kStopped;
    if (!response.ok()) {
      ReportProblem(FailureKind("list", response), DescribeFailure("list", response));
      return Outcome::kFailed;
    }
    json list = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
    auto items = list.is_object() ? list.find("items") : list.end();
    if (!list.is_object() || (items != list.end() && !items->is_array() && !items->is_null())) {
      ReportProblem("list not a PodList", "Kubernetes API " + settings_.api_url +
                                              " sent a pod list that is not a PodList; retrying");
      return Outcome::kFailed;
    }
    if (items != list.end() && items->is_array()) {
      for (const json& item : *items) {
        std::optional<PodRecord> pod = ParsePod(item);
        if (!pod) {
          ++malformed;
          continue;
        }
        // The field selector should have done this; a proxy ignoring it must
        // not fill the cache with the whole cluster.
        if (pod->metadata.node_name == settings_.node_name) pods.push_back(std::move(*pod));
      }
    }
    *resource_version = ResourceVersionOf(list);
    continue_token.clear();
    if (auto metadata = list.find("metadata"); metadata != list.end() && metadata->is_object()) {
      if (auto next = metadata->find("continue"); next != metadata->end() && next->is_string())
        continue_token = next->get<std::string>();
    }
  } while (!continue_token.empty());

  size_t count = pods.size();
  pods_->ReplaceAll(std::move(pods));
  Count([&](PodWatcherStats& s) {
    ++s.lists;
    s.malformed += malformed;
  });
  spdlog::debug("Kubernetes: listed {} pods on node {} at resourceVersion {}", count, settings_.node_name,
                *resource_version);
  {
    std::lock_guard lock(mutex_);
    synced_ = true;
  }
  wake_.notify_all();
  return Outcome::kOk;
}

bool PodWatcher::HandleWatchLine(std::string_view line, std::string* resource_version, Outcome* end) {
  if (IsBlank(line)) return true;
  std::optional<WatchEvent> event = ParseWatchEvent(line);
  if (!event) {
    Count([](PodWatcherStats& s) { ++s.malformed; });
    spdlog::debug("Kubernetes watch: skipped a line that is not a watch event ({} bytes)", line.size());
    return true;
  }
  switch (event->type) {
    case WatchEventType::kAdded:
    case WatchEventType::kModified: {
      std::optional<PodRecord> pod = ParsePod(event->object);
      if (!pod) {
        Count([](PodWatcherStats& s) { ++s.malformed; });
        return true;
      }
      if (pod->metadata.node_name == settings_.node_name) {
        pods_->Upsert(std::move(*pod));
      } else {
        pods_->Remove(pod->metadata.pod_uid);
      }
      Count([&](PodWatcherStats& s) { ++(event->type == WatchEventType::kAdded ? s.added : s.modified); });
      break;
    }
    case WatchEventType::kDeleted: {
      std::optional<PodRecord> pod = ParsePod(event->object);
      if (!pod) {
        Count([](PodWatcherStats& s) { ++s.malformed; });
        return true;
      }
      pods_->Remove(pod->metadata.pod_uid);
      Count([](PodWatcherStats& s) { ++s.deleted; });
      break;
    }
    case WatchEventType::kBookmark:
      Count([](PodWatcherStats& s) { ++s.bookmarks; });
      break;
    case WatchEventType::kError: {
      Count([](PodWatcherStats& s) { ++s.error_events; });
      ApiStatus status = ParseApiStatus(event->object);
      if (status.code == 410) {
        *end = Outcome::kGone;
      } else {
        ReportProblem("watch error event " + std::to_string(status.code),
                      "Kubernetes pod watch reported an error (" + std::to_string(status.code) + " " +
                          status.reason + (status.message.empty() ? "" : ": " + status.message) +
                          "); listing again");
        *end = Outcome::kFailed;
      }
      return false;
    }
  }
  if (std::string rv = ResourceVersionOf(event->object); !rv.empty()) *resource_version = std::move(rv);
  return !stopping();
}

PodWatcher::Outcome PodWatcher::Watch(std::string* resource_version) {
  std::string path = pods_path_ + "&watch=1&allowWatchBookmarks=true&timeoutSeconds=" +
                     std::to_string(settings_.watch_timeout.count());
  if (!resource_version->empty()) path += "&resourceVersion=" + client_.Escape(*resource_version);
  Outcome end = Outcome::kEnded;
  ApiResponse response = client_.Stream(
      path, settings_.watch_timeout + kWatchGrace,
      [&](std::string_view line) { return HandleWatchLine(line, resource_version, &end); },
      [&](long status) {
        if (status < 200 || status >= 300) return;
        // Listed and watching: only now is the API known to work for us.
        ReportHealthy();
        Count([](PodWatcherStats& s) { ++s.watches; });
      });
  if (end == Outcome::kGone || (!response.cancelled && response.status_code == 410)) {
    Count([](PodWatcherStats& s) { ++s.relists_after_gone; });
    spdlog::debug("Kubernetes watch: resourceVersion {} is too old (410 Gone); listing again",
                  *resource_version);
    return Outcome::kGone;
  }
  if (end == Outcome::kFailed) {
    Count([](PodWatcherStats& s) { ++s.watch_failures; });
    return Outcome::kFailed;
  }
  if (response.cancelled) return Outcome::kStopped;
  if (!response.ok()) {
    Count([](PodWatcherStats& s) { ++s.watch_failures; });
    if (response.status_code >= 200 && response.status_code < 300) {
      // Streams end for ordinary reasons (API server restart, idle proxies):
      // not worth a warning, the relist repairs whatever was missed.
      spdlog::debug("Kubernetes pod watch dropped: {}; listing again", response.error);
    } else {
      ReportProblem(FailureKind("watch", response), DescribeFailure("watch", response));
    }
    return Outcome::kFailed;
  }
  return Outcome::kEnded;
}

void PodWatcher::Run() {
  unsigned failures = 0;
  while (!stopping()) {
    std::string resource_version;
    if (!RefreshToken()) {
      WaitBackoff(failures++);
      continue;
    }
    Outcome listed = List(&resource_version);
    if (listed == Outcome::kStopped) return;
    if (listed != Outcome::kOk) {
      Count([](PodWatcherStats& s) { ++s.list_failures; });
      WaitBackoff(failures++);
      continue;
    }
    while (!stopping()) {
      if (!RefreshToken()) {
        WaitBackoff(failures++);
        break;
      }
      Clock::time_point started = Clock::now();
      Outcome watched = Watch(&resource_version);
      if (watched == Outcome::kStopped) return;
      // A watch that ends (for whatever reason) soon after it began is not
      // retried at once: a server or proxy doing that would be hammered.
      if (Clock::now() - started >= kHealthyWatch) {
        failures = 0;
      } else {
        WaitBackoff(failures++);
      }
      if (watched != Outcome::kEnded) break;  // relist
    }
  }
}

}  // namespace zerotrace::kubernetes
