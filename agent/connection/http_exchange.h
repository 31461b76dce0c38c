// One request paired with its response on one connection: the unit the span
// builder turns into a span.
#pragma once

#include "agent/connection/connection_info.h"
#include "agent/protocols/http1/types.h"

namespace zerotrace {

struct HttpExchange {
  ConnectionInfo connection;
  http1::Request request;
  http1::Response response;
};

}  // namespace zerotrace
