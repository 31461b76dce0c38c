#include "exporter/otlp/retry_after.h"

#include <curl/curl.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <string>

#include "base/text.h"

namespace zerotrace::otlp {

namespace {

constexpr std::chrono::milliseconds kLongestWait = std::chrono::hours(1);

}  // namespace

std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value,
                                                         std::chrono::system_clock::time_point now) {
  value = TrimBlanks(value);
  if (value.empty()) return std::nullopt;

  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    uint64_t seconds = 0;
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (error == std::errc::result_out_of_range) return kLongestWait;
    if (error != std::errc() || end != value.data() + value.size()) return std::nullopt;
    return std::min<std::chrono::milliseconds>(std::chrono::seconds(std::min<uint64_t>(seconds, 3600)),
                                               kLongestWait);
  }

  // An HTTP date ("Wed, 21 Oct 2015 07:28:00 GMT"); libcurl already parses
  // every form RFC 9110 allows.
  const std::string text(value);
  const time_t when = curl_getdate(text.c_str(), nullptr);
  if (when == -1) return std::nullopt;
  const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::from_time_t(when) - now);
  return std::clamp(wait, std::chrono::milliseconds(0), kLongestWait);
}

}  // namespace zerotrace::otlp
