#include "tests/unit/go/go_test_programs.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>

extern char** environ;

namespace zerotrace::probes::go::test_programs {
namespace {

namespace fs = std::filesystem;

// Both set by tests/unit/go/CMakeLists.txt.
const fs::path kProgramsDir = ZT_GO_PROGRAMS_DIR;
const fs::path kWorkDir = ZT_GO_WORK_DIR;

std::vector<std::string> GoEnvironment() {
  const std::vector<std::string> overrides = {
      "GO111MODULE=off",
      "GOPROXY=off",
      "GOFLAGS=",
      "GOTOOLCHAIN=local",
      "GOPATH=" + (kWorkDir / "gopath").string(),
      "GOCACHE=" + (kWorkDir / "gocache").string(),
  };
  std::vector<std::string> environment;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view text = *entry;
    bool overridden = false;
    for (const std::string& override : overrides) {
      const std::string_view key = std::string_view(override).substr(0, override.find('=') + 1);
      overridden = overridden || text.starts_with(key);
    }
    if (!overridden) environment.emplace_back(text);
  }
  environment.insert(environment.end(), overrides.begin(), overrides.end());
  return environment;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (std::string& text : strings) pointers.push_back(text.data());
  pointers.push_back(nullptr);
  return pointers;
}

struct Pipe {
  int fds[2] = {-1, -1};
  ~Pipe() {
    for (int fd : fds) {
      if (fd >= 0) close(fd);
    }
  }
};

bool IsFresh(const fs::path& binary, const fs::path& source) {
  std::error_code error;
  const auto built = fs::last_write_time(binary, error);
  if (error) return false;
  const auto written = fs::last_write_time(source, error);
  return !error && built >= written;
}

// Builds programs/<name>/main.go into the work dir unless an up-to-date
// binary is there. Returns the binary's path, or nothing with the reason.
std::optional<std::string> Build(const std::string& name, const std::string& output_name,
                                 const std::vector<std::string>& flags, std::string* reason) {
  const fs::path source = kProgramsDir / name / "main.go";
  const fs::path binary = kWorkDir / output_name;
  if (IsFresh(binary, source)) return binary.string();
  const fs::path temporary = kWorkDir / (output_name + ".tmp." + std::to_string(getpid()));
  std::vector<std::string> argv = {"go", "build", "-o", temporary.string()};
  argv.insert(argv.end(), flags.begin(), flags.end());
  argv.push_back(source.string());
  const CommandResult result = RunGoCommand(argv);
  if (result.exit_code != 0) {
    *reason = "go build of " + name + " failed: " + result.output;
    return std::nullopt;
  }
  std::error_code error;
  fs::rename(temporary, binary, error);
  if (error) {
    *reason = "cannot move the built " + name + " into place: " + error.message();
    return std::nullopt;
  }
  return binary.string();
}

std::optional<GoPrograms> BuildAll(std::string* reason) {
  std::error_code error;
  fs::create_directories(kWorkDir, error);
  const CommandResult version = RunGoCommand({"go", "env", "GOVERSION"}, false);
  if (version.exit_code != 0) {
    *reason = "the go command is not available (apt-get install golang-go): " + version.output;
    return std::nullopt;
  }
  GoPrograms programs;
  programs.go_version = version.output.substr(0, version.output.find('\n'));
  std::optional<std::string> built = Build("https_roundtrip", "https_roundtrip", {}, reason);
  if (!built) return std::nullopt;
  programs.roundtrip = *built;
  built = Build("https_roundtrip", "https_roundtrip_stripped", {"-ldflags=-s -w"}, reason);
  if (!built) return std::nullopt;
  programs.roundtrip_stripped = *built;
  built = Build("field_offsets_oracle", "field_offsets_oracle", {}, reason);
  if (!built) return std::nullopt;
  programs.oracle = *built;
  return programs;
}

}  // namespace

CommandResult RunGoCommand(const std::vector<std::string>& argv, bool with_stderr) {
  CommandResult result;
  Pipe output;
  if (pipe2(output.fds, O_CLOEXEC) != 0) {
    result.output = std::string("pipe: ") + std::strerror(errno);
    return result;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, output.fds[1], STDOUT_FILENO);
  if (with_stderr) posix_spawn_file_actions_adddup2(&actions, output.fds[1], STDERR_FILENO);
  std::vector<std::string> arguments = argv;
  std::vector<std::string> environment = GoEnvironment();
  pid_t pid = -1;
  const int spawn_error = posix_spawnp(&pid, arguments[0].c_str(), &actions, nullptr,
                                       Pointers(arguments).data(), Pointers(environment).data());
  posix_spawn_file_actions_destroy(&actions);
  if (spawn_error != 0) {
    result.output = arguments[0] + ": " + std::strerror(spawn_error);
    return result;
  }
  close(output.fds[1]);
  output.fds[1] = -1;
  char buffer[65536];
  ssize_t n;
  while ((n = read(output.fds[0], buffer, sizeof(buffer))) > 0 || (n < 0 && errno == EINTR)) {
    if (n > 0) result.output.append(buffer, static_cast<size_t>(n));
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

const std::optional<GoPrograms>& BuiltGoPrograms(std::string* reason) {
  static std::string build_reason;
  static const std::optional<GoPrograms> programs = BuildAll(&build_reason);
  *reason = build_reason;
  return programs;
}

bool RunningInCi() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string_view(ci) == "true";
}

}  // namespace zerotrace::probes::go::test_programs
