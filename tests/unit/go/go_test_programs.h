// Real Go programs for the Go binary tests, built with the host's Go
// toolchain (Debian's golang-go) at test time, module-less and offline
// (GO111MODULE=off, GOPROXY=off), GOPATH and GOCACHE inside the build tree.
// ctest runs every test in its own process, so a program is rebuilt only
// when its source is newer than the binary; a build goes to a temporary name
// and is renamed into place, so parallel tests never see half a file.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace zerotrace::probes::go::test_programs {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout; stderr too when asked
};

// Runs argv (no shell) with the Go environment set; stderr is merged into
// the output when `with_stderr`.
CommandResult RunGoCommand(const std::vector<std::string>& argv, bool with_stderr = true);

struct GoPrograms {
  std::string roundtrip;           // https_roundtrip, built normally
  std::string roundtrip_stripped;  // the same with -ldflags='-s -w'
  std::string oracle;              // field_offsets_oracle
  std::string go_version;          // `go env GOVERSION`, e.g. "go1.19.8"
};

// The programs, built on first use in this process. Nothing, and why in
// `reason`, when the go command is missing or a build fails.
const std::optional<GoPrograms>& BuiltGoPrograms(std::string* reason);

// Whether a missing toolchain should fail rather than skip (CI=true).
bool RunningInCi();

}  // namespace zerotrace::probes::go::test_programs
