// What the agent knows about one traced TCP connection.
#pragma once

#include <cstdint>
#include <string>

namespace zerotrace {

enum class ConnectionRole : uint8_t { kUnknown = 0, kServer = 1, kClient = 2 };

struct ConnectionKey {
  uint32_t tgid = 0;
  int32_t fd = -1;
  uint64_t generation = 0;
  bool operator==(const ConnectionKey&) const = default;
};

struct ConnectionInfo {
  ConnectionKey key;
  ConnectionRole role = ConnectionRole::kUnknown;
  bool ipv6 = false;
  std::string local_address;  // "127.0.0.1", "::1" (IPv4-mapped shown as IPv4)
  uint16_t local_port = 0;
  std::string peer_address;
  uint16_t peer_port = 0;
  bool tls = false;  // plaintext came from a TLS library probe
};

}  // namespace zerotrace
