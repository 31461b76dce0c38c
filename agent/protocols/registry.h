// The one place that names every protocol the agent parses: the kernel's
// classification of a connection (enum zt_protocol) to the session that
// parses it. Adding a protocol is one line in registry.cc.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "agent/connection/protocol_session.h"

namespace zerotrace::protocols {

// A SessionFactory (protocol_session.h): nullptr for a protocol no parser is
// registered for.
std::unique_ptr<ProtocolSession> NewSession(uint8_t protocol, const ConnectionInfo& connection,
                                            ExchangeHandler& handler);

// "http1", "redis": for metrics labels and logs; "unknown" otherwise.
std::string_view ProtocolName(uint8_t protocol);

}  // namespace zerotrace::protocols
