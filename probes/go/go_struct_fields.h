// The struct fields the Go probes read in a traced program's memory, and the
// offsets built in for binaries without DWARF.
//
// How the BPF side walks them (amd64, Go register ABI: arguments in RAX, RBX,
// RCX, RDI, RSI, R8-R11; the current goroutine's g in R14):
//   goroutine id   *(int64*)(R14 + g.goid)
//   TLS socket fd  c := RAX (a *tls.Conn); the net.Conn interface is two words
//                  {itab, data} at c + Conn.conn; over TCP data is a
//                  *net.TCPConn whose embedded net.conn holds fd *netFD; then
//                  netFD.pfd.Sysfd is the descriptor
//   server span    serverHandler.ServeHTTP(sh, rw, req): rw's data word is a
//                  *http.response (.req, .status, .conn → http.conn.rwc, a
//                  net.Conn); req is a *http.Request (.Method, .URL → url.URL
//                  .Path/.RawQuery, .Host); a Go string is {data, len}
//   client span    (*Transport).roundTrip(t, req) returns (*http.Response, error)
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "probes/go/go_build_info.h"

namespace zerotrace::probes::go {

enum class GoField : uint8_t {
  kTlsConnConn,       // crypto/tls.Conn.conn            net.Conn interface
  kTcpConnConn,       // net.TCPConn.conn                embedded net.conn
  kConnFd,            // net.conn.fd                     *net.netFD
  kNetFdPfd,          // net.netFD.pfd                   internal/poll.FD
  kPollFdSysfd,       // internal/poll.FD.Sysfd          int
  kGoroutineId,       // runtime.g.goid                  int64 in Go 1.19
  kRequestMethod,     // net/http.Request.Method         string
  kRequestUrl,        // net/http.Request.URL            *url.URL
  kRequestHost,       // net/http.Request.Host           string
  kUrlPath,           // net/url.URL.Path                string
  kUrlRawQuery,       // net/url.URL.RawQuery            string
  kResponseRequest,   // net/http.response.req           *http.Request
  kResponseStatus,    // net/http.response.status        int
  kResponseConn,      // net/http.response.conn          *http.conn
  kServerConnRwc,     // net/http.conn.rwc               net.Conn interface
  kClientStatusCode,  // net/http.Response.StatusCode    int
};
inline constexpr size_t kGoFieldCount = static_cast<size_t>(GoField::kClientStatusCode) + 1;

struct GoFieldName {
  std::string_view type;   // as Go's DWARF names it, e.g. "crypto/tls.Conn"
  std::string_view field;  // e.g. "conn"
};

// The type and field name of each GoField, in enum order.
const std::array<GoFieldName, kGoFieldCount>& GoFieldNames();
inline const GoFieldName& NameOf(GoField field) {
  return GoFieldNames()[static_cast<size_t>(field)];
}

// Offsets for a binary without DWARF, by Go version and machine. Covers Go
// 1.19 (every patch release: none changed these structs) on x86-64, checked
// against go1.19.8's DWARF and reflection. Nothing for other versions or
// machines.
std::optional<std::array<uint32_t, kGoFieldCount>> BuiltInFieldOffsets(const GoVersion& version,
                                                                       uint16_t machine);
// "go1.19 on x86-64", for messages.
std::string_view BuiltInFieldOffsetsCoverage();

}  // namespace zerotrace::probes::go
