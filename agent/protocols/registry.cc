#include "agent/protocols/registry.h"

#include "agent/protocols/http1/session.h"
#include "agent/protocols/redis/session.h"
#include "bpf/zerotrace_events.h"

namespace zerotrace::protocols {
namespace {

using MakeSession = std::unique_ptr<ProtocolSession> (*)(const ConnectionInfo&, ExchangeHandler&);

struct RegisteredProtocol {
  uint8_t id;  // enum zt_protocol
  std::string_view name;
  MakeSession make;
};

constexpr RegisteredProtocol kProtocols[] = {
    {ZT_PROTO_HTTP1, "http1", &http1::NewSession},
    {ZT_PROTO_REDIS, "redis", &redis::NewSession},
};

const RegisteredProtocol* Find(uint8_t protocol) {
  for (const RegisteredProtocol& p : kProtocols)
    if (p.id == protocol) return &p;
  return nullptr;
}

}  // namespace

std::unique_ptr<ProtocolSession> NewSession(uint8_t protocol, const ConnectionInfo& connection,
                                            ExchangeHandler& handler) {
  const RegisteredProtocol* p = Find(protocol);
  return p ? p->make(connection, handler) : nullptr;
}

std::string_view ProtocolName(uint8_t protocol) {
  const RegisteredProtocol* p = Find(protocol);
  return p ? p->name : "unknown";
}

}  // namespace zerotrace::protocols
