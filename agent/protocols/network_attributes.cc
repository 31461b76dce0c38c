#include "agent/protocols/network_attributes.h"

#include "agent/model/semconv.h"

namespace zerotrace {

std::string_view NetworkType(const ConnectionInfo& conn) {
  // An IPv4-mapped peer on an AF_INET6 socket is shown as IPv4 and travels
  // as IPv4 on the wire: the address decides, the socket family only when
  // the address is unknown.
  bool v6 = conn.peer_address.empty() ? conn.ipv6 : conn.peer_address.find(':') != std::string::npos;
  return v6 ? "ipv6" : "ipv4";
}

void WriteNetworkAttributes(const ConnectionInfo& conn, AttributeWriter& w) {
  if (!conn.peer_address.empty()) w.String(semconv::kNetworkPeerAddress, conn.peer_address);
  if (conn.peer_port != 0) w.Int(semconv::kNetworkPeerPort, conn.peer_port);
  w.String(semconv::kNetworkTransport, "tcp");
  w.String(semconv::kNetworkType, NetworkType(conn));
}

}  // namespace zerotrace
