// A Redis exchange as a span, after the OpenTelemetry database conventions:
// span name and db.operation.name are the command (`GET`), db.query.text the
// command with its first key and every other argument as `?` (`SET user:1 ?`),
// an error reply's code (`WRONGTYPE`, never its message, which can quote
// arguments) in db.response.status_code and error.type. Values never reach a
// span, whatever SpanMappingOptions says: Redis values are data, not queries.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "agent/connection/exchange.h"
#include "agent/protocols/redis/types.h"

namespace zerotrace::redis {

// Caps: a 10000-argument MSET gives `MSET k ? ? ... ?` with this many `?`
// and then `...`.
inline constexpr uint32_t kMaxPlaceholders = 32;
inline constexpr std::string_view kSpanNameWhenUnknown = "redis";

// The command's name (first word, printable), nothing when it was not all
// captured.
void AppendOperationName(const Command& command, std::string& out);
// db.query.text; nothing when the name is unknown.
void AppendQueryText(const Command& command, std::string& out);
// The error reply's code (`ERR`, `WRONGTYPE`, `MOVED`): its first word when
// that is an upper-case token; empty otherwise, or when not an error.
std::string_view ErrorCode(const Reply& reply);

// The ExchangeDetails a session hands over with each pair: pointed at the
// pair for the duration of one OnExchange call, so no object per exchange.
class ExchangeDescription final : public ExchangeDetails {
 public:
  // `db`: the connection's database index when known.
  void Point(const Command& command, const Reply& reply, std::optional<uint32_t> db) {
    command_ = &command;
    reply_ = &reply;
    db_ = db;
  }

  void DescribeSpan(const Exchange& exchange, const SpanMappingOptions& options, Span& span,
                    AttributeWriter& attributes) const override;

 private:
  const Command* command_ = nullptr;
  const Reply* reply_ = nullptr;
  std::optional<uint32_t> db_;
};

}  // namespace zerotrace::redis
