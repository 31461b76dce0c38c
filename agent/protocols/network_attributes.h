// Attributes every protocol's span gives its connection the same way:
// network.peer.*, network.transport and network.type (semantic conventions).
#pragma once

#include <string_view>

#include "agent/connection/connection_info.h"
#include "agent/model/attribute_writer.h"

namespace zerotrace {

// "ipv4" or "ipv6", as the bytes travel on the wire.
std::string_view NetworkType(const ConnectionInfo& connection);

// network.peer.address/port, network.transport=tcp, network.type.
void WriteNetworkAttributes(const ConnectionInfo& connection, AttributeWriter& attributes);

}  // namespace zerotrace
