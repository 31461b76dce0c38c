// HTTP/1.x through the protocol seam: one connection's parsers (requests and
// responses) and FIFO pairing, which is what HTTP/1.x pipelining means.
#pragma once

#include <memory>

#include "agent/connection/protocol_session.h"

namespace zerotrace::http1 {

std::unique_ptr<ProtocolSession> NewSession(const ConnectionInfo& connection, ExchangeHandler& handler);

}  // namespace zerotrace::http1
