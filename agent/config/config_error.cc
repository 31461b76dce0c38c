// Printing a configuration error: always exactly one line on stderr.
#include "agent/config/config_error.h"

#include <cstdio>

namespace zerotrace {

int ReportConfigError(const ConfigError& error) {
  std::string line;
  line.reserve(error.message.size());
  for (char c : error.message) {
    if (c == '\n') {
      line += "; ";
    } else if (c != '\r') {
      line += c;
    }
  }
  while (!line.empty() && (line.back() == ' ' || line.back() == ';')) line.pop_back();
  std::fprintf(stderr, "zerotrace: %s\n", line.c_str());
  return kConfigErrorExitCode;
}

}  // namespace zerotrace
