#include "probes/go_layout.h"

#include <cstdint>

#include "probes/go/go_binary.h"

namespace zerotrace::probes {
namespace {

// A Go interface value is {itab or type, data}: the data word is second.
constexpr uint32_t kInterfaceDataWord = 8;

}  // namespace

std::optional<GoExecutableLayout> ReadGoLayout(const go::GoBinary& binary, std::string* error) {
  const go::GoVersion& version = binary.version();
  if (version.major < 1 || (version.major == 1 && version.minor < 17)) {
    *error = "unsupported: " + binary.path() + " (" +
             (binary.version_text().empty() ? "Go version unknown" : binary.version_text()) +
             "): the Go probes need the register ABI of Go 1.17 or later (the goroutine in "
             "R14, arguments in registers)";
    return std::nullopt;
  }
  std::optional<go::GoFieldOffsets> fields = binary.FieldOffsets(error);
  if (!fields) return std::nullopt;
  using go::GoField;
  const std::optional<uint32_t> goid = (*fields)[GoField::kGoroutineId];
  if (!goid) {
    *error = "unsupported: " + binary.path() + " (" + binary.version_text() +
             "): runtime.g.goid not found";
    return std::nullopt;
  }
  GoExecutableLayout layout;
  layout.offsets.goid = *goid;

  const auto tls_conn = (*fields)[GoField::kTlsConnConn];
  const auto tcp_conn = (*fields)[GoField::kTcpConnConn];
  const auto conn_fd = (*fields)[GoField::kConnFd];
  const auto netfd_pfd = (*fields)[GoField::kNetFdPfd];
  const auto sysfd = (*fields)[GoField::kPollFdSysfd];
  if (tls_conn && tcp_conn && conn_fd && netfd_pfd && sysfd) {
    layout.offsets.tls_conn_data = *tls_conn + kInterfaceDataWord;
    layout.offsets.tcp_conn_netfd = *tcp_conn + *conn_fd;
    layout.offsets.netfd_sysfd = *netfd_pfd + *sysfd;
    layout.tls_fields = true;
  }

  // transportRequest embeds *Request as its first field (Go 1.19 checked);
  // DWARF says so where there is DWARF, and the built-in table's coverage
  // stands for it where there is none.
  std::string ignored;
  if (std::optional<uint64_t> request =
          binary.FieldOffset("net/http.transportRequest", "Request", &ignored)) {
    layout.offsets.transport_request = static_cast<uint32_t>(*request);
    layout.client_fields = true;
  } else if (!binary.has_dwarf() &&
             fields->source(GoField::kGoroutineId) == go::FieldSource::kBuiltInTable) {
    layout.offsets.transport_request = 0;
    layout.client_fields = true;
  }
  return layout;
}

}  // namespace zerotrace::probes
