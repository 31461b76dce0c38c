// Helpers for the configuration tests: an environment backed by a map, YAML
// files in a temporary directory, and ParseAgentConfig run on a plain list
// of arguments with its stderr captured.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/config/agent_config.h"

namespace zerotrace::testing {

using EnvMap = std::map<std::string, std::string>;

inline EnvLookup MapEnvironment(EnvMap values) {
  return [values = std::move(values)](const char* name) -> std::optional<std::string> {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

// A file with the given text, deleted when the object goes.
class TempFile {
 public:
  explicit TempFile(const std::string& text, const std::string& suffix = ".yaml") {
    static int counter = 0;
    path_ = std::filesystem::path(::testing::TempDir()) /
            ("zt_config_" + std::to_string(getpid()) + "_" + std::to_string(counter++) + suffix);
    std::ofstream(path_) << text;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

struct ParseOutcome {
  std::optional<int> exit_code;
  AgentConfig config;
  std::string error_output;  // what went to stderr
};

// ParseAgentConfig("zerotrace", args...) with `env` as the environment.
inline ParseOutcome Parse(std::vector<std::string> args, EnvMap env = {}) {
  args.insert(args.begin(), "zerotrace");
  std::vector<const char*> argv;
  for (const auto& arg : args) argv.push_back(arg.c_str());
  argv.push_back(nullptr);
  ParseOutcome outcome;
  ::testing::internal::CaptureStderr();
  outcome.exit_code = ParseAgentConfig(static_cast<int>(args.size()), argv.data(),
                                       MapEnvironment(std::move(env)), &outcome.config);
  outcome.error_output = ::testing::internal::GetCapturedStderr();
  return outcome;
}

// Expects exit code 2 and exactly one stderr line, starting "zerotrace: "
// and containing every one of `mentions`.
inline void ExpectConfigError(const ParseOutcome& outcome, std::vector<std::string> mentions) {
  ASSERT_TRUE(outcome.exit_code.has_value()) << "parsing succeeded";
  EXPECT_EQ(*outcome.exit_code, 2);
  const std::string& text = outcome.error_output;
  EXPECT_EQ(text.rfind("zerotrace: ", 0), 0u) << text;
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.find('\n'), text.size() - 1) << "not exactly one line: " << text;
  for (const auto& mention : mentions) EXPECT_NE(text.find(mention), std::string::npos) << text;
}

}  // namespace zerotrace::testing
