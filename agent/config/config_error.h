// A configuration problem: one line saying which flag, variable or key is
// wrong, what it held and what was expected. The agent prints it after
// "zerotrace: " and exits with kConfigErrorExitCode.
#pragma once

#include <string>

namespace zerotrace {

inline constexpr int kConfigErrorExitCode = 2;

struct ConfigError {
  std::string message;  // without the "zerotrace: " prefix
};

// Prints "zerotrace: <message>" as one line on stderr (newlines in the
// message become "; ") and returns kConfigErrorExitCode.
int ReportConfigError(const ConfigError& error);

}  // namespace zerotrace
