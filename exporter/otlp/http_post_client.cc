#include "exporter/otlp/http_post_client.h"

#include "agent/model/self_traffic.h"
#include "base/text.h"

#include <algorithm>
#include <mutex>
#include <stdexcept>

#ifndef ZEROTRACE_VERSION
#define ZEROTRACE_VERSION "unknown"
#endif

namespace zerotrace::otlp {

namespace {

// curl_global_init must run once before any handle exists; the agent never
// unloads libcurl, so there is no matching cleanup.
void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
      throw std::runtime_error("libcurl failed to initialise");
  });
}

}  // namespace

HttpPostClient::HttpPostClient(std::string url, std::vector<HttpHeader> headers,
                               std::string ca_file)
    : url_(std::move(url)), ca_file_(std::move(ca_file)) {
  InitCurlOnce();
  easy_.reset(curl_easy_init());
  if (!easy_) throw std::runtime_error("libcurl could not create a handle");

  // curl asks for "100-continue" before larger bodies and then waits up to a
  // second for a reply many receivers never send; an empty Expect turns it off.
  headers.push_back({"Expect", ""});
  for (const HttpHeader& header : headers) {
    const std::string line =
        header.value.empty() ? header.name + ":" : header.name + ": " + header.value;
    // On failure curl_slist_append leaves the list as it was (still owned
    // here); on success it returns the head, which is the same list.
    curl_slist* appended = curl_slist_append(headers_.get(), line.c_str());
    if (appended == nullptr) throw std::runtime_error("out of memory building HTTP headers");
    (void)headers_.release();
    headers_.reset(appended);
  }

  CURL* easy = easy_.get();
  curl_easy_setopt(easy, CURLOPT_URL, url_.c_str());
  curl_easy_setopt(easy, CURLOPT_POST, 1L);
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers_.get());
  // The prefix lets zerotrace agents recognise, and not trace, these exports.
  const std::string user_agent = std::string(kSelfUserAgentPrefix) + ZEROTRACE_VERSION;
  curl_easy_setopt(easy, CURLOPT_USERAGENT, user_agent.c_str());
  // Signals are the agent's business; curl must not use them for timeouts
  // (unsafe on a non-main thread).
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error_buffer_);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &HttpPostClient::OnResponseData);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, this);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &HttpPostClient::OnResponseHeader);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, this);
  if (!ca_file_.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, ca_file_.c_str());
}

size_t HttpPostClient::OnResponseData(char* data, size_t size, size_t count, void* self) {
  auto* client = static_cast<HttpPostClient*>(self);
  const size_t bytes = size * count;
  std::string& body = client->response_.body;
  body.append(data, std::min(bytes, kMaxResponseBody - body.size()));
  return bytes;  // keep reading: the connection stays reusable
}

size_t HttpPostClient::OnResponseHeader(char* data, size_t size, size_t count, void* self) {
  auto* client = static_cast<HttpPostClient*>(self);
  const size_t bytes = size * count;
  std::string_view line(data, bytes);
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return bytes;  // status line or the blank end
  const std::string name = ToLowerAscii(line.substr(0, colon));
  const std::string_view value = TrimWhitespace(line.substr(colon + 1));  // and its CRLF
  constexpr size_t kMaxKept = 256;  // both values are short; never buffer more
  if (name == "retry-after") {
    client->response_.retry_after.assign(value.substr(0, kMaxKept));
  } else if (name == "content-type") {
    client->response_.content_type =
        ToLowerAscii(TrimBlanks(value.substr(0, std::min(value.find(';'), kMaxKept))));
  }
  return bytes;
}

HttpPostResult HttpPostClient::Post(std::string_view body, std::chrono::milliseconds timeout) {
  CURL* easy = easy_.get();
  const long timeout_ms = std::max<long>(1, static_cast<long>(timeout.count()));
  curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  response_ = {};
  error_buffer_[0] = '\0';

  const CURLcode code = curl_easy_perform(easy);
  HttpPostResult result = std::move(response_);
  response_ = {};
  result.curl_code = code;
  if (code != CURLE_OK) {
    result.error = error_buffer_[0] != '\0' ? error_buffer_ : curl_easy_strerror(code);
    return result;
  }
  result.completed = true;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &result.status_code);
  return result;
}

}  // namespace zerotrace::otlp
