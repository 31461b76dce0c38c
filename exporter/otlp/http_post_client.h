// HTTP POSTs to one URL over a kept libcurl easy handle, so consecutive
// exports reuse the connection (and TLS session) instead of reconnecting.
// Not thread-safe: one exporter thread owns it.
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "exporter/otlp/http_header.h"

namespace zerotrace::otlp {

struct HttpPostResult {
  bool completed = false;  // an HTTP response arrived (whatever its status)
  CURLcode curl_code = CURLE_OK;
  long status_code = 0;
  std::string error;         // why not, when !completed (curl's words)
  std::string body;          // response body, truncated at kMaxResponseBody
  std::string content_type;  // of the response, lower-cased, without parameters
  std::string retry_after;   // the Retry-After header's value, if any

  bool ok() const { return completed && status_code >= 200 && status_code < 300; }
};

class HttpPostClient {
 public:
  // Receivers answer with a small status message; anything larger is cut,
  // so a misbehaving endpoint cannot make the agent buffer without bound.
  static constexpr size_t kMaxResponseBody = 64 * 1024;

  // `ca_file`: PEM bundle to verify an https:// server with; empty means the
  // system's certificate store.
  HttpPostClient(std::string url, std::vector<HttpHeader> headers, std::string ca_file = {});
  HttpPostClient(const HttpPostClient&) = delete;
  HttpPostClient& operator=(const HttpPostClient&) = delete;

  // Connect + send + receive, all within `timeout`.
  HttpPostResult Post(std::string_view body, std::chrono::milliseconds timeout);

  const std::string& url() const { return url_; }

 private:
  struct EasyCleanup {
    void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
  };
  struct SlistFree {
    void operator()(curl_slist* list) const { curl_slist_free_all(list); }
  };

  static size_t OnResponseData(char* data, size_t size, size_t count, void* self);
  static size_t OnResponseHeader(char* data, size_t size, size_t count, void* self);

  std::string url_;
  std::string ca_file_;
  std::unique_ptr<curl_slist, SlistFree> headers_;
  std::unique_ptr<CURL, EasyCleanup> easy_;
  HttpPostResult response_;  // filled by the callbacks during Post()
  char error_buffer_[CURL_ERROR_SIZE] = {};
};

}  // namespace zerotrace::otlp
