// GET requests to the Kubernetes API over libcurl: whole responses (lists)
// or a body handed over line by line as it arrives (watches). A transfer
// runs in a curl multi handle so Cancel() from another thread ends it at
// once instead of at the next timeout.
//
// One caller thread at a time (the pod watcher's); Cancel() from any thread.
#pragma once

#include <curl/curl.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace zerotrace::kubernetes {

struct ApiResponse {
  bool completed = false;  // the whole response arrived (whatever its status)
  bool cancelled = false;  // Cancel() or the line callback ended it
  long status_code = 0;    // 0: no response status received
  std::string error;       // curl's words, when !completed
  std::string body;        // whole body for Get; for Stream only a non-2xx body
  bool body_truncated = false;

  bool ok() const { return completed && status_code >= 200 && status_code < 300; }
};

class KubernetesApiClient {
 public:
  // Bodies past this are cut (Get) and stream lines longer than this are
  // skipped: a node's pod list is a few MiB at most.
  static constexpr size_t kMaxBodyBytes = 64 << 20;
  static constexpr size_t kMaxLineBytes = 16 << 20;
  static constexpr size_t kMaxErrorBodyBytes = 64 << 10;

  // `ca_file`: PEM bundle for https; empty: the system's store.
  KubernetesApiClient(std::string base_url, std::string ca_file);
  ~KubernetesApiClient();
  KubernetesApiClient(const KubernetesApiClient&) = delete;
  KubernetesApiClient& operator=(const KubernetesApiClient&) = delete;

  // Sent as "Authorization: Bearer <token>" from the next request on; empty: none.
  void set_token(std::string token) { token_ = std::move(token); }

  // `path` starts with '/' and carries the query. `timeout` covers the whole
  // transfer; connecting is capped separately.
  ApiResponse Get(std::string_view path, std::chrono::seconds timeout);

  // Calls `on_line` with each newline-terminated body line of a 2xx response
  // (without the newline; an unterminated tail at the end is passed too).
  // `on_line` returning false ends the transfer (cancelled). A line longer
  // than kMaxLineBytes is skipped and counted in oversized_lines().
  // `on_response`, if set, is called with the status code as soon as the
  // response's headers are in (a watch may then stay quiet for minutes).
  ApiResponse Stream(std::string_view path, std::chrono::seconds timeout,
                     const std::function<bool(std::string_view line)>& on_line,
                     const std::function<void(long status_code)>& on_response = {});

  // Ends the running transfer, and makes every later one end at once.
  void Cancel();

  // Lines dropped by Stream for being longer than kMaxLineBytes, in total.
  // Any thread.
  uint64_t oversized_lines() const { return oversized_lines_.load(std::memory_order_relaxed); }

  // "%"-escapes a query parameter value.
  std::string Escape(std::string_view value) const;

 private:
  struct Transfer;
  ApiResponse Perform(std::string_view path, std::chrono::seconds timeout, Transfer& transfer);
  static size_t OnData(char* data, size_t size, size_t count, void* transfer);
  static size_t OnHeader(char* data, size_t size, size_t count, void* transfer);

  struct EasyCleanup {
    void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
  };
  struct MultiCleanup {
    void operator()(CURLM* multi) const { curl_multi_cleanup(multi); }
  };

  std::string base_url_;
  std::string ca_file_;
  std::string token_;
  std::unique_ptr<CURL, EasyCleanup> easy_;  // kept: reuses the connection
  std::unique_ptr<CURLM, MultiCleanup> multi_;
  std::atomic<bool> cancelled_{false};
  std::atomic<uint64_t> oversized_lines_{0};
  char error_buffer_[CURL_ERROR_SIZE] = {};
};

}  // namespace zerotrace::kubernetes
