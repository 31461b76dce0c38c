#include "agent/protocols/redis/matcher.h"

#include <string_view>

#include "base/text.h"

namespace zerotrace::redis {
namespace {

bool IsSubscribeFamily(std::string_view name) {
  return name == "SUBSCRIBE" || name == "PSUBSCRIBE" || name == "SSUBSCRIBE" ||
         name == "UNSUBSCRIBE" || name == "PUNSUBSCRIBE" || name == "SUNSUBSCRIBE";
}

}  // namespace

Matcher::Rule Matcher::RuleFor(const Command& command) const {
  // A name cut short is not one of these: they are all short, and a command
  // whose name was not captured began at the very end of a capture, where
  // framing is about to be lost anyway.
  if (!command.name_known()) return Rule::kOneReply;
  const std::string_view name = command.name.view();
  if (IsSubscribeFamily(name)) return resp3_ ? Rule::kAnsweredByPushes : Rule::kStopsPairing;
  if (name == "MONITOR") return Rule::kStopsAfterItsReply;
  // CLIENT REPLY ON is answered, OFF and SKIP are not; which one it was
  // matters less than never pairing across it.
  if (name == "CLIENT" && EqualsIgnoreAsciiCase(command.first_arg.view(), "REPLY")) return Rule::kStopsPairing;
  return Rule::kOneReply;
}

void Matcher::RepliesLost() {
  fifo_.DropRequests();
  replies_owed_ = 0;
}

void Matcher::Retire() {
  fifo_.Retire();
  replies_owed_ = 0;
}

}  // namespace zerotrace::redis
