#include "agent/protocols/http1/request_target.h"

#include <charconv>

namespace zerotrace {
namespace {

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Length of "scheme" in "scheme://...", or 0 when `s` does not start so.
size_t SchemeLength(std::string_view s) {
  if (s.empty() || !IsAlpha(s[0])) return 0;
  size_t i = 1;
  while (i < s.size() && (IsAlpha(s[i]) || IsDigit(s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.'))
    ++i;
  return s.substr(i).starts_with("://") ? i : 0;
}

}  // namespace

RequestTarget SplitRequestTarget(std::string_view target) {
  RequestTarget out;
  if (size_t hash = target.find('#'); hash != std::string_view::npos) target = target.substr(0, hash);

  if (target == "*") {
    out.path = target;
    return out;
  }
  if (size_t scheme_len = SchemeLength(target)) {
    out.scheme = target.substr(0, scheme_len);
    target.remove_prefix(scheme_len + 3);
    size_t end = target.find_first_of("/?");
    out.authority = target.substr(0, end);
    target = end == std::string_view::npos ? std::string_view{} : target.substr(end);
    if (target.empty() || target.front() == '?') {
      out.path = "/";
      if (!target.empty()) out.query = target.substr(1);
      return out;
    }
  } else if (!target.starts_with('/')) {
    out.authority = target;  // authority-form, or something we cannot split
    return out;
  }
  size_t q = target.find('?');
  out.path = target.substr(0, q);
  if (q != std::string_view::npos) out.query = target.substr(q + 1);
  return out;
}

std::optional<HostPort> ParseAuthority(std::string_view authority) {
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);

  HostPort out;
  std::string_view port;
  if (authority.starts_with('[')) {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    out.host = authority.substr(1, close - 1);
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      port = rest.substr(1);
    }
  } else if (authority.find(':') != authority.rfind(':')) {
    out.host = authority;  // a bare IPv6 literal: no room for a port
  } else {
    size_t colon = authority.rfind(':');
    out.host = authority.substr(0, colon);
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (out.host.empty()) return std::nullopt;
  if (!port.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535)
      return std::nullopt;
    out.port = static_cast<uint16_t>(value);
  }
  return out;
}

}  // namespace zerotrace
