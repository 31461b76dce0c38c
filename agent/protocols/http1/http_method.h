// The request methods OTel HTTP semantic conventions call "known": RFC 9110's
// plus PATCH (RFC 5789). Matching is case-sensitive, as methods are.
#pragma once

#include <string_view>

namespace zerotrace {

inline bool IsKnownHttpMethod(std::string_view m) {
  switch (m.size()) {
    case 3: return m == "GET" || m == "PUT";
    case 4: return m == "POST" || m == "HEAD";
    case 5: return m == "PATCH" || m == "TRACE";
    case 6: return m == "DELETE";
    case 7: return m == "OPTIONS" || m == "CONNECT";
    default: return false;
  }
}

}  // namespace zerotrace
