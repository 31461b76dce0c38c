// SIGINT/SIGTERM ask the agent to flush and exit; the loops poll this.
#pragma once

#include <csignal>

namespace zerotrace {

// Set by the handlers InstallStopHandlers() installs.
bool StopRequested();
void InstallStopHandlers();

}  // namespace zerotrace
