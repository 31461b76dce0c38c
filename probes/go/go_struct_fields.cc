#include "probes/go/go_struct_fields.h"

#include <elf.h>

namespace zerotrace::probes::go {

const std::array<GoFieldName, kGoFieldCount>& GoFieldNames() {
  static const std::array<GoFieldName, kGoFieldCount> names = {{
      {"crypto/tls.Conn", "conn"},
      {"net.TCPConn", "conn"},
      {"net.conn", "fd"},
      {"net.netFD", "pfd"},
      {"internal/poll.FD", "Sysfd"},
      {"runtime.g", "goid"},
      {"net/http.Request", "Method"},
      {"net/http.Request", "URL"},
      {"net/http.Request", "Host"},
      {"net/url.URL", "Path"},
      {"net/url.URL", "RawQuery"},
      {"net/http.response", "req"},
      {"net/http.response", "status"},
      {"net/http.response", "conn"},
      {"net/http.conn", "rwc"},
      {"net/http.Response", "StatusCode"},
  }};
  return names;
}

std::optional<std::array<uint32_t, kGoFieldCount>> BuiltInFieldOffsets(const GoVersion& version,
                                                                       uint16_t machine) {
  // In GoField order. Taken from go1.19.8 (Debian 12's golang-1.19) and
  // checked by tests/unit/go against that toolchain's DWARF and reflection.
  static constexpr std::array<uint32_t, kGoFieldCount> kGo119Amd64 = {
      0,    // crypto/tls.Conn.conn
      0,    // net.TCPConn.conn
      0,    // net.conn.fd
      0,    // net.netFD.pfd
      16,   // internal/poll.FD.Sysfd
      152,  // runtime.g.goid
      0,    // net/http.Request.Method
      16,   // net/http.Request.URL
      128,  // net/http.Request.Host
      56,   // net/url.URL.Path
      96,   // net/url.URL.RawQuery
      8,    // net/http.response.req
      120,  // net/http.response.status
      0,    // net/http.response.conn
      16,   // net/http.conn.rwc
      16,   // net/http.Response.StatusCode
  };
  if (machine == EM_X86_64 && version.major == 1 && version.minor == 19) return kGo119Amd64;
  return std::nullopt;
}

std::string_view BuiltInFieldOffsetsCoverage() { return "go1.19 on x86-64"; }

}  // namespace zerotrace::probes::go
