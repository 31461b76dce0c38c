#include "agent/kubernetes/kubernetes_api_client.h"

#include <cstring>
#include <mutex>
#include <stdexcept>

#include "agent/model/self_traffic.h"

#ifndef ZEROTRACE_VERSION
#define ZEROTRACE_VERSION "unknown"
#endif

namespace zerotrace::kubernetes {
namespace {

constexpr long kConnectTimeoutSeconds = 10;
// How long one wait for socket activity may last; Cancel() wakes it sooner.
constexpr int kPollMilliseconds = 1000;

// curl_global_init must run before the first handle; libcurl is never
// unloaded, so no cleanup.
void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
      throw std::runtime_error("libcurl failed to initialise");
  });
}

struct SlistFree {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

}  // namespace

struct KubernetesApiClient::Transfer {
  KubernetesApiClient* client = nullptr;
  ApiResponse* response = nullptr;
  // Null: keep the whole body (Get).
  const std::function<bool(std::string_view)>* on_line = nullptr;
  const std::function<void(long)>* on_response = nullptr;
  std::string partial_line;
  bool skipping_line = false;  // inside a line longer than kMaxLineBytes
  bool stopped_by_callback = false;

  bool Line(std::string_view line) {
    if (!(*on_line)(line)) {
      stopped_by_callback = true;
      return false;
    }
    return true;
  }
};

KubernetesApiClient::KubernetesApiClient(std::string base_url, std::string ca_file)
    : base_url_(std::move(base_url)), ca_file_(std::move(ca_file)) {
  InitCurlOnce();
  while (base_url_.ends_with('/')) base_url_.pop_back();
  easy_.reset(curl_easy_init());
  multi_.reset(curl_multi_init());
  if (!easy_ || !multi_) throw std::runtime_error("libcurl could not create a handle");
}

KubernetesApiClient::~KubernetesApiClient() = default;

void KubernetesApiClient::Cancel() {
  cancelled_.store(true);
  curl_multi_wakeup(multi_.get());  // thread-safe by libcurl's contract
}

std::string KubernetesApiClient::Escape(std::string_view value) const {
  char* escaped = curl_easy_escape(easy_.get(), value.data(), static_cast<int>(value.size()));
  if (escaped == nullptr) return {};
  std::string out(escaped);
  curl_free(escaped);
  return out;
}

size_t KubernetesApiClient::OnData(char* data, size_t size, size_t count, void* opaque) {
  auto* t = static_cast<Transfer*>(opaque);
  const size_t bytes = size * count;
  ApiResponse& r = *t->response;
  long status = 0;
  curl_easy_getinfo(t->client->easy_.get(), CURLINFO_RESPONSE_CODE, &status);
  const bool streaming = t->on_line != nullptr && status >= 200 && status < 300;
  if (!streaming) {
    size_t cap = t->on_line == nullptr ? kMaxBodyBytes : kMaxErrorBodyBytes;
    size_t take = std::min(bytes, cap - std::min(cap, r.body.size()));
    r.body.append(data, take);
    if (take < bytes) {
      r.body_truncated = true;
      // A cut list is useless; a cut error message is still a message.
      return t->on_line == nullptr ? 0 : bytes;
    }
    return bytes;
  }
  std::string_view rest(data, bytes);
  while (!rest.empty()) {
    size_t newline = rest.find('\n');
    std::string_view piece = rest.substr(0, newline);
    if (!t->skipping_line) {
      if (t->partial_line.size() + piece.size() > kMaxLineBytes) {
        t->skipping_line = true;
        t->partial_line.clear();
        ++t->client->oversized_lines_;
      } else if (newline != std::string_view::npos && t->partial_line.empty()) {
        if (!t->Line(piece)) return 0;  // whole line in this chunk: no copy
      } else {
        t->partial_line.append(piece);
        if (newline != std::string_view::npos) {
          bool go_on = t->Line(t->partial_line);
          t->partial_line.clear();
          if (!go_on) return 0;
        }
      }
    }
    if (newline == std::string_view::npos) break;
    t->skipping_line = false;
    rest.remove_prefix(newline + 1);
  }
  return bytes;
}

size_t KubernetesApiClient::OnHeader(char* data, size_t size, size_t count, void* opaque) {
  auto* t = static_cast<Transfer*>(opaque);
  const size_t bytes = size * count;
  std::string_view line(data, bytes);
  // The blank line ends a header block; a 1xx block is followed by another.
  if (t->on_response != nullptr && *t->on_response && (line == "\r\n" || line == "\n")) {
    long status = 0;
    curl_easy_getinfo(t->client->easy_.get(), CURLINFO_RESPONSE_CODE, &status);
    if (status >= 200) (*t->on_response)(status);
  }
  return bytes;
}

ApiResponse KubernetesApiClient::Perform(std::string_view path, std::chrono::seconds timeout,
                                         Transfer& transfer) {
  ApiResponse response;
  transfer.client = this;
  transfer.response = &response;
  if (cancelled_.load()) {
    response.cancelled = true;
    response.error = "cancelled";
    return response;
  }

  std::unique_ptr<curl_slist, SlistFree> headers;
  auto add_header = [&headers](const std::string& line) {
    curl_slist* appended = curl_slist_append(headers.get(), line.c_str());
    if (appended == nullptr) throw std::runtime_error("out of memory building HTTP headers");
    (void)headers.release();
    headers.reset(appended);
  };
  add_header("Accept: application/json");
  if (!token_.empty()) add_header("Authorization: Bearer " + token_);

  const std::string url = base_url_ + std::string(path);
  const std::string user_agent = std::string(kSelfUserAgentPrefix) + ZEROTRACE_VERSION;
  CURL* easy = easy_.get();
  error_buffer_[0] = '\0';
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(easy, CURLOPT_USERAGENT, user_agent.c_str());
  // Lists compress well. A watch must not be compressed: a compressor holds
  // back small events until it has enough to emit, stalling the stream.
  curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, transfer.on_line == nullptr ? "" : nullptr);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT, kConnectTimeoutSeconds);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT, static_cast<long>(timeout.count()));
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error_buffer_);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &KubernetesApiClient::OnData);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &KubernetesApiClient::OnHeader);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &transfer);
  if (!ca_file_.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, ca_file_.c_str());

  CURLM* multi = multi_.get();
  curl_multi_add_handle(multi, easy);
  int running = 1;
  while (running > 0) {
    if (cancelled_.load()) {
      response.cancelled = true;
      break;
    }
    if (curl_multi_perform(multi, &running) != CURLM_OK) break;
    if (running > 0) curl_multi_poll(multi, nullptr, 0, kPollMilliseconds, nullptr);
  }
  CURLcode code = CURLE_OK;
  bool done = false;
  int queued = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
    if (msg->msg == CURLMSG_DONE && msg->easy_handle == easy) {
      code = msg->data.result;
      done = true;
    }
  }
  curl_multi_remove_handle(multi, easy);
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &response.status_code);
  // The handle keeps pointers to these; they die with this call.
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, nullptr);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, nullptr);

  if (transfer.stopped_by_callback) response.cancelled = true;
  if (response.cancelled) {
    response.error = "cancelled";
    return response;
  }
  if (done && code == CURLE_OK) {
    response.completed = true;
    if (transfer.on_line != nullptr && response.ok() && !transfer.partial_line.empty() &&
        !transfer.skipping_line) {
      if (!transfer.Line(transfer.partial_line)) response.cancelled = true;
    }
    return response;
  }
  if (!done) {
    response.error = "transfer did not finish";
  } else if (response.body_truncated && code == CURLE_WRITE_ERROR) {
    response.error = "response larger than " + std::to_string(kMaxBodyBytes >> 20) + " MiB";
  } else {
    response.error = error_buffer_[0] != '\0' ? error_buffer_ : curl_easy_strerror(code);
  }
  return response;
}

ApiResponse KubernetesApiClient::Get(std::string_view path, std::chrono::seconds timeout) {
  Transfer transfer;
  return Perform(path, timeout, transfer);
}

ApiResponse KubernetesApiClient::Stream(std::string_view path, std::chrono::seconds timeout,
                                        const std::function<bool(std::string_view line)>& on_line,
                                        const std::function<void(long status_code)>& on_response) {
  Transfer transfer;
  transfer.on_line = &on_line;
  transfer.on_response = &on_response;
  return Perform(path, timeout, transfer);
}

}  // namespace zerotrace::kubernetes
