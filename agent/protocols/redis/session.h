// The Redis ProtocolSession: RESP framing of both directions (parser.h),
// command/reply pairing (matcher.h) and the connection state a span needs
// (the database SELECT chose, the protocol version HELLO chose).
#pragma once

#include <memory>

#include "agent/connection/protocol_session.h"

namespace zerotrace::redis {

// For agent/protocols/registry.cc.
std::unique_ptr<ProtocolSession> NewSession(const ConnectionInfo& connection, ExchangeHandler& handler);

}  // namespace zerotrace::redis
