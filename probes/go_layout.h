// What the kernel side reads in one Go executable (bpf/go_runtime.h,
// bpf/go_tls.h, bpf/go_http_client.h): struct field offsets, from the
// binary's DWARF or, without it, from a table of known Go versions.
#pragma once

#include <optional>
#include <string>

#include "bpf/socket_trace_maps.h"

namespace zerotrace::probes {

namespace go {
class GoBinary;
}

// Where the kernel side finds what it reads in one Go executable.
struct GoExecutableLayout {
  go_process offsets{};
  bool tls_fields = false;     // crypto/tls.Conn → descriptor known
  bool client_fields = false;  // net/http.transportRequest → *Request known
};

// The layout, or why the executable cannot be traced as Go (one line):
// built by Go older than 1.17 (arguments on the stack, g not in R14), or no
// DWARF and a version the built-in offsets do not cover.
std::optional<GoExecutableLayout> ReadGoLayout(const go::GoBinary& binary, std::string* error);

}  // namespace zerotrace::probes
