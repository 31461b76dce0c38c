#include "exporter/otlp/otlp_endpoint.h"

#include "base/text.h"

namespace zerotrace::otlp {

std::string ResolveTracesUrl(std::string_view traces_endpoint, std::string_view endpoint) {
  traces_endpoint = TrimWhitespace(traces_endpoint);
  if (!traces_endpoint.empty()) return std::string(traces_endpoint);
  endpoint = TrimWhitespace(endpoint);
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
    const std::string_view name = TrimWhitespace(entry.substr(0, equals));
    if (name.empty()) continue;
    // Lenient: a '%' that starts no escape stands for itself.
    std::string value =
        *PercentDecode(TrimWhitespace(entry.substr(equals + 1)), BadPercentEscape::kKeepLiteral);
    // A CR or LF would let a value inject further request headers.
    if (value.find_first_of("\r\n") != std::string::npos) continue;
    headers.push_back({std::string(name), std::move(value)});
  }
  return headers;
}

}  // namespace zerotrace::otlp
