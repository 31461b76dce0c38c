#include "fake_kubernetes_api.h"

#include <memory>

namespace zerotrace::kubernetes::testing {

using nlohmann::json;

FakeKubernetesApi::FakeKubernetesApi() {
  server_.Get("/api/v1/pods", [this](const httplib::Request& req, httplib::Response& res) {
    RecordedRequest record;
    record.watch = req.has_param("watch");
    record.authorization = req.get_header_value("Authorization");
    for (const auto& [key, value] : req.params) record.params[key] = value;
    record.at = std::chrono::steady_clock::now();
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(record);
    }
    if (record.watch) {
      HandleWatch(req, res);
    } else {
      HandleList(req, res);
    }
  });
  port_ = server_.bind_to_any_port("127.0.0.1");
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

FakeKubernetesApi::~FakeKubernetesApi() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  server_.stop();
  thread_.join();
}

std::string FakeKubernetesApi::StatusBody(int code, const std::string& reason, const std::string& message) {
  return json{
      {"kind", "Status"},   {"apiVersion", "v1"}, {"metadata", json::object()},    {"status", "Failure"},
      {"message", message}, {"reason", reason},   {"details", {{"kind", "pods"}}}, {"code", code}}
      .dump();
}

void FakeKubernetesApi::RecordEvent(const std::string& type, json object) {
  ++resource_version_;
  object["metadata"]["resourceVersion"] = std::to_string(resource_version_);
  std::string node = object.contains("spec") ? object["spec"].value("nodeName", "") : "";
  history_.push_back(
      {resource_version_, json{{"type", type}, {"object", std::move(object)}}.dump(), std::move(node)});
}

void FakeKubernetesApi::AddPod(json pod) {
  {
    std::lock_guard lock(mutex_);
    RecordEvent("ADDED", pod);
    pod["metadata"]["resourceVersion"] = std::to_string(resource_version_);
    std::string uid = pod["metadata"]["uid"].get<std::string>();
    pods_[uid] = std::move(pod);
  }
  changed_.notify_all();
}

void FakeKubernetesApi::ModifyPod(json pod) {
  {
    std::lock_guard lock(mutex_);
    RecordEvent("MODIFIED", pod);
    pod["metadata"]["resourceVersion"] = std::to_string(resource_version_);
    std::string uid = pod["metadata"]["uid"].get<std::string>();
    pods_[uid] = std::move(pod);
  }
  changed_.notify_all();
}

void FakeKubernetesApi::DeletePod(const std::string& uid) {
  {
    std::lock_guard lock(mutex_);
    auto it = pods_.find(uid);
    if (it == pods_.end()) return;
    RecordEvent("DELETED", it->second);
    pods_.erase(it);
  }
  changed_.notify_all();
}

void FakeKubernetesApi::Bookmark() {
  {
    std::lock_guard lock(mutex_);
    RecordEvent("BOOKMARK", json{{"kind", "Pod"}, {"apiVersion", "v1"}, {"metadata", json::object()}});
  }
  changed_.notify_all();
}

void FakeKubernetesApi::SendRawLine(std::string line) {
  {
    std::lock_guard lock(mutex_);
    history_.push_back({++resource_version_, std::move(line), ""});
  }
  changed_.notify_all();
}

void FakeKubernetesApi::ExpireWatches() {
  {
    std::lock_guard lock(mutex_);
    oldest_servable_ = resource_version_;
    ++signals_.expire;
  }
  changed_.notify_all();
}

void FakeKubernetesApi::DropWatches() {
  {
    std::lock_guard lock(mutex_);
    ++signals_.drop;
  }
  changed_.notify_all();
}

void FakeKubernetesApi::EndWatches() {
  {
    std::lock_guard lock(mutex_);
    ++signals_.end;
  }
  changed_.notify_all();
}

void FakeKubernetesApi::FailLists(int status, int count) {
  std::lock_guard lock(mutex_);
  list_failure_status_ = status;
  list_failures_left_ = count;
}

void FakeKubernetesApi::FailWatches(int status, int count) {
  std::lock_guard lock(mutex_);
  watch_failure_status_ = status;
  watch_failures_left_ = count;
}

void FakeKubernetesApi::set_page_size(size_t n) {
  std::lock_guard lock(mutex_);
  page_size_ = n;
}

std::vector<RecordedRequest> FakeKubernetesApi::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

size_t FakeKubernetesApi::list_count() const {
  std::lock_guard lock(mutex_);
  size_t n = 0;
  for (const RecordedRequest& r : requests_) n += !r.watch;
  return n;
}

size_t FakeKubernetesApi::watch_count() const {
  std::lock_guard lock(mutex_);
  size_t n = 0;
  for (const RecordedRequest& r : requests_) n += r.watch;
  return n;
}

uint64_t FakeKubernetesApi::resource_version() const {
  std::lock_guard lock(mutex_);
  return resource_version_;
}

size_t FakeKubernetesApi::open_watches() const {
  std::lock_guard lock(mutex_);
  return open_watches_;
}

// "spec.nodeName=<node>" or nothing.
static std::string NodeFromSelector(const httplib::Request& req) {
  std::string selector = req.get_param_value("fieldSelector");
  const std::string prefix = "spec.nodeName=";
  return selector.starts_with(prefix) ? selector.substr(prefix.size()) : std::string();
}

static bool OnNode(const json& pod, const std::string& node) {
  return node.empty() || pod["spec"].value("nodeName", "") == node;
}

void FakeKubernetesApi::HandleList(const httplib::Request& req, httplib::Response& res) {
  std::lock_guard lock(mutex_);
  if (list_failures_left_ > 0) {
    --list_failures_left_;
    res.status = list_failure_status_;
    res.set_content(
        StatusBody(list_failure_status_, list_failure_status_ == 403 ? "Forbidden" : "InternalError",
                   list_failure_status_ == 403
                       ? "pods is forbidden: User \"system:serviceaccount:zerotrace:zerotrace\" "
                         "cannot list resource \"pods\" in API group \"\" at the cluster scope"
                       : "internal error"),
        "application/json");
    return;
  }
  std::string node = NodeFromSelector(req);
  std::vector<const json*> matching;
  for (const auto& [uid, pod] : pods_)
    if (OnNode(pod, node)) matching.push_back(&pod);
  size_t limit = req.has_param("limit") ? std::stoul(req.get_param_value("limit")) : matching.size();
  if (page_size_ > 0) limit = std::min(limit, page_size_);
  size_t offset = req.has_param("continue") ? std::stoul(req.get_param_value("continue")) : 0;
  json items = json::array();
  for (size_t i = offset; i < matching.size() && i < offset + limit; ++i) items.push_back(*matching[i]);
  json metadata = {{"resourceVersion", std::to_string(resource_version_)}};
  if (offset + limit < matching.size()) metadata["continue"] = std::to_string(offset + limit);
  res.set_content(
      json{{"kind", "PodList"}, {"apiVersion", "v1"}, {"metadata", metadata}, {"items", items}}.dump(),
      "application/json");
}

void FakeKubernetesApi::HandleWatch(const httplib::Request& req, httplib::Response& res) {
  uint64_t from = 0;
  {
    std::lock_guard lock(mutex_);
    if (watch_failures_left_ > 0) {
      --watch_failures_left_;
      res.status = watch_failure_status_;
      res.set_content(StatusBody(watch_failure_status_, "Forbidden", "cannot watch pods"),
                      "application/json");
      return;
    }
    if (req.has_param("resourceVersion")) from = std::stoull(req.get_param_value("resourceVersion"));
    ++open_watches_;
  }
  struct Stream {
    uint64_t cursor;
    Signals at_start;
    std::string node;
  };
  auto stream = std::make_shared<Stream>();
  stream->cursor = from;
  stream->node = NodeFromSelector(req);
  {
    std::lock_guard lock(mutex_);
    stream->at_start = signals_;
  }
  res.set_chunked_content_provider(
      "application/json",
      [this, stream](size_t, httplib::DataSink& sink) {
        std::vector<std::string> lines;
        bool finish = false;
        {
          std::unique_lock lock(mutex_);
          auto has_news = [&] {
            return stopping_ || signals_.drop != stream->at_start.drop ||
                   signals_.end != stream->at_start.end || signals_.expire != stream->at_start.expire ||
                   stream->cursor < oldest_servable_ ||
                   (!history_.empty() && history_.back().resource_version > stream->cursor);
          };
          changed_.wait_for(lock, std::chrono::milliseconds(50), has_news);
          if (stopping_ || signals_.drop != stream->at_start.drop) return false;  // cut off
          if (stream->cursor < oldest_servable_ || signals_.expire != stream->at_start.expire) {
            lines.push_back(
                json{{"type", "ERROR"},
                     {"object",
                      json::parse(StatusBody(410, "Expired",
                                             "too old resource version: " + std::to_string(stream->cursor) +
                                                 " (" + std::to_string(resource_version_) + ")"))}}
                    .dump());
            finish = true;
          } else {
            for (const Event& e : history_) {
              if (e.resource_version <= stream->cursor) continue;
              stream->cursor = e.resource_version;
              if (!e.node.empty() && !stream->node.empty() && e.node != stream->node) continue;
              lines.push_back(e.line);
            }
            finish = signals_.end != stream->at_start.end;
          }
        }
        for (const std::string& line : lines) {
          std::string framed = line + "\n";
          if (!sink.write(framed.data(), framed.size())) return false;
        }
        if (finish) sink.done();
        return true;
      },
      [this](bool) {
        std::lock_guard lock(mutex_);
        --open_watches_;
      });
}

}  // namespace zerotrace::kubernetes::testing
