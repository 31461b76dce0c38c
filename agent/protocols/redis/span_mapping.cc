#include "agent/protocols/redis/span_mapping.h"

#include <charconv>

#include "agent/model/printable_text.h"
#include "agent/model/semconv.h"
#include "agent/protocols/network_attributes.h"
#include "agent/protocols/redis/command_table.h"

namespace zerotrace::redis {
namespace {

namespace sc = semconv;

constexpr size_t kMaxSubcommandBytes = 32;
// semconv's error.type when no low-cardinality code is known.
constexpr std::string_view kOtherError = "_OTHER";

bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string_view OperationName(const Command& command) {
  if (!command.name_known()) return {};
  std::string_view name = command.name.view();
  return name.substr(0, name.find(' '));
}

// A key as shown: printable, capped by the parser's kMaxFirstArgBytes; a key
// not all seen ends in "...".
void AppendKey(const InlineText<kMaxFirstArgBytes>& key, std::string& out) {
  if (key.size == 0) {
    out += key.cut ? "?" : "\"\"";
    return;
  }
  AppendPrintable(key.view(), kMaxFirstArgBytes, out);
  if (key.cut) out += "...";
}

// A subcommand is a keyword (`GET`, `SETNAME`): shown upper-cased when it
// looks like one, else `?`.
void AppendSubcommand(const InlineText<kMaxFirstArgBytes>& arg, std::string& out) {
  const std::string_view word = arg.view();
  bool keyword = !arg.cut && !word.empty() && word.size() <= kMaxSubcommandBytes;
  for (char c : word) {
    if (!(IsUpper(c) || (c >= 'a' && c <= 'z') || IsDigit(c) || c == '-' || c == '_')) keyword = false;
  }
  if (!keyword) {
    out += '?';
    return;
  }
  for (char c : word) out += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

void AppendNumber(uint64_t value, std::string& out) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, end);
}

}  // namespace

void AppendOperationName(const Command& command, std::string& out) {
  AppendPrintable(OperationName(command), kMaxNameBytes, out);
}

void AppendQueryText(const Command& command, std::string& out) {
  const std::string_view name = OperationName(command);
  if (name.empty()) return;
  AppendPrintable(name, kMaxNameBytes, out);
  uint32_t shown = 0;
  if (command.arg_count > 0) {
    out += ' ';
    switch (FirstArgumentOf(name)) {
      case FirstArgument::kKey: AppendKey(command.first_arg, out); break;
      case FirstArgument::kSubcommand: AppendSubcommand(command.first_arg, out); break;
      case FirstArgument::kHidden: out += '?'; break;
    }
    shown = 1;
  }
  for (uint32_t i = shown; i < command.arg_count; ++i) {
    if (i == kMaxPlaceholders) {
      out += " ...";
      break;
    }
    out += " ?";
  }
}

std::string_view ErrorCode(const Reply& reply) {
  if (!reply.is_error()) return {};
  const std::string_view head = reply.head.view();
  const size_t space = head.find(' ');
  // A first word running past what was kept may be longer than it looks.
  if (space == std::string_view::npos && reply.head.cut) return {};
  const std::string_view word = head.substr(0, space);
  if (word.empty() || !IsUpper(word[0])) return {};
  for (char c : word) {
    if (!(IsUpper(c) || IsDigit(c) || c == '_' || c == '-')) return {};
  }
  return word;
}

void ExchangeDescription::DescribeSpan(const Exchange& exchange, const SpanMappingOptions& /*options*/,
                                       Span& span, AttributeWriter& w) const {
  if (command_ == nullptr || reply_ == nullptr) return;
  const Command& command = *command_;
  const Reply& reply = *reply_;
  const ConnectionInfo& conn = exchange.connection;

  span.name.clear();  // keeps its capacity
  AppendOperationName(command, span.name);
  if (span.name.empty()) span.name.assign(kSpanNameWhenUnknown);
  span.status = reply.is_error() ? StatusCode::kError : StatusCode::kUnset;
  span.status_message.clear();  // the error's message may quote arguments

  w.String(sc::kDbSystemName, "redis");
  if (command.name_known()) {
    AppendOperationName(command, w.String(sc::kDbOperationName));
    AppendQueryText(command, w.String(sc::kDbQueryText));
  }
  if (db_) AppendNumber(*db_, w.String(sc::kDbNamespace));

  // The server end of the connection: the peer for a client, this end for
  // a server (and, as the HTTP mapping does, for an unknown role).
  const bool client = conn.role == ConnectionRole::kClient;
  const std::string& server_address = client ? conn.peer_address : conn.local_address;
  const uint16_t server_port = client ? conn.peer_port : conn.local_port;
  if (!server_address.empty()) w.String(sc::kServerAddress, server_address);
  if (server_port != 0) w.Int(sc::kServerPort, server_port);
  WriteNetworkAttributes(conn, w);

  if (reply.is_error()) {
    const std::string_view code = ErrorCode(reply);
    if (!code.empty()) {
      w.String(sc::kDbResponseStatusCode, code);
      w.String(sc::kErrorType, code);
    } else {
      w.String(sc::kErrorType, kOtherError);
    }
  }
}

}  // namespace zerotrace::redis
