// Splitting an HTTP request-target (RFC 9112 section 3.2) and a Host /
// authority value into the parts span attributes need. Views point into the
// input; nothing is allocated.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace zerotrace {

struct RequestTarget {
  std::string_view scheme;     // absolute-form only: "http"
  std::string_view authority;  // absolute-form or authority-form (CONNECT host:port)
  std::string_view path;       // "/users/42"; "*" for asterisk-form; empty for authority-form
  std::string_view query;      // after '?', before '#'; empty when absent
};

// Handles origin-form "/p?q", absolute-form "http://host/p?q", authority-form
// "host:443" and asterisk-form "*". A fragment (never valid on the wire, sent
// anyway by some clients) is dropped. An absolute-form target with an empty
// path gets "/" (RFC 9110 section 4.2.3).
RequestTarget SplitRequestTarget(std::string_view target);

struct HostPort {
  std::string_view host;  // IPv6 literals without brackets
  uint16_t port = 0;      // 0: none given
};

// Parses "host", "host:port", "[v6]", "[v6]:port", with any "userinfo@"
// dropped (it may carry credentials). nullopt for an empty host or a bad port.
std::optional<HostPort> ParseAuthority(std::string_view authority);

}  // namespace zerotrace
