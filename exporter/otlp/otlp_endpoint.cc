#include "exporter/otlp/otlp_endpoint.h"

namespace zerotrace::otlp {

namespace {

std::string_view Trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n";
  const size_t begin = s.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  const size_t end = s.find_last_not_of(kSpace);
  return s.substr(begin, end - begin + 1);
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      const int hi = HexValue(s[i + 1]), lo = HexValue(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

}  // namespace

std::string ResolveTracesUrl(std::string_view traces_endpoint, std::string_view endpoint) {
  traces_endpoint = Trim(traces_endpoint);
  if (!traces_endpoint.empty()) return std::string(traces_endpoint);
  endpoint = Trim(endpoint);
  if (endpoint.empty()) return {};
  std::string url(endpoint);
  if (url.back() != '/') url.push_back('/');
  url += "v1/traces";
  return url;
}

std::vector<HttpHeader> ParseHeaderList(std::string_view list) {
  std::vector<HttpHeader> headers;
  while (!list.empty()) {
    const size_t comma = list.find(',');
    const std::string_view entry = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);

    const size_t equals = entry.find('=');
    if (equals == std::string_view::npos) continue;
    const std::string_view name = Trim(entry.substr(0, equals));
    if (name.empty()) continue;
    std::string value = PercentDecode(Trim(entry.substr(equals + 1)));
    // A CR or LF would let a value inject further request headers.
    if (value.find_first_of("\r\n") != std::string::npos) continue;
    headers.push_back({std::string(name), std::move(value)});
  }
  return headers;
}

}  // namespace zerotrace::otlp
