// What a Redis command's first argument is, so db.query.text may show it:
// a key (or channel) names data and is shown; a subcommand of a container
// command (CONFIG GET, CLIENT SETNAME) is a fixed keyword and is shown; any
// other first argument may be a value or a secret (AUTH's password, EVAL's
// script, SELECT's index is harmless but not a key) and becomes `?`.
//
// An allow-list: a command missing from it (a module's, a new one) shows no
// argument at all, which is safe.
#pragma once

#include <cstdint>
#include <string_view>

namespace zerotrace::redis {

enum class FirstArgument : uint8_t { kHidden, kKey, kSubcommand };

// `name` upper-cased.
FirstArgument FirstArgumentOf(std::string_view name);

}  // namespace zerotrace::redis
