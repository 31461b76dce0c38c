// --stats-file FILE (and the file's stats_file key): the value, which source
// wins, and one-line errors at start-up for a file that could not be written
// at exit, so nobody learns of a bad path only when the agent stops.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/unit/config/config_test_support.h"

namespace zerotrace {
namespace {

using testing::ExpectConfigError;
using testing::Parse;
using testing::TempFile;

std::string TempPathFor(const std::string& name) {
  return (std::filesystem::path(::testing::TempDir()) / (name + std::to_string(getpid()))).string();
}

TEST(StatsFileConfig, NoneByDefault) {
  auto outcome = Parse({});
  ASSERT_FALSE(outcome.exit_code) << outcome.error_output;
  EXPECT_EQ(outcome.config.stats_file, "");
}

TEST(StatsFileConfig, FlagNamesTheFileAndTheCheckLeavesNothingBehind) {
  const std::string path = TempPathFor("zt_stats_flag_");
  auto outcome = Parse({"--stats-file", path});
  ASSERT_FALSE(outcome.exit_code) << outcome.error_output;
  EXPECT_EQ(outcome.config.stats_file, path);
  EXPECT_FALSE(std::filesystem::exists(path)) << "the check created the file";
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp")) << "the check left its .tmp behind";
}

TEST(StatsFileConfig, ExistingTmpIsKept) {
  const std::string path = TempPathFor("zt_stats_tmp_");
  std::ofstream(path + ".tmp") << "left by someone\n";
  auto outcome = Parse({"--stats-file", path});
  EXPECT_FALSE(outcome.exit_code) << outcome.error_output;
  EXPECT_TRUE(std::filesystem::exists(path + ".tmp"));
  std::filesystem::remove(path + ".tmp");
}

TEST(StatsFileConfig, KeyInTheFileAndTheFlagWins) {
  const std::string from_file = TempPathFor("zt_stats_file_");
  const std::string from_flag = TempPathFor("zt_stats_flag2_");
  TempFile config("stats_file: " + from_file + "\n");
  auto file_only = Parse({"--config", config.path()});
  ASSERT_FALSE(file_only.exit_code) << file_only.error_output;
  EXPECT_EQ(file_only.config.stats_file, from_file);
  auto flag_too = Parse({"--config", config.path(), "--stats-file", from_flag});
  ASSERT_FALSE(flag_too.exit_code) << flag_too.error_output;
  EXPECT_EQ(flag_too.config.stats_file, from_flag);
}

TEST(StatsFileConfig, EmptyKeyInTheFileIsUnset) {
  TempFile config("stats_file: \"\"\n");
  auto outcome = Parse({"--config", config.path()});
  ASSERT_FALSE(outcome.exit_code) << outcome.error_output;
  EXPECT_EQ(outcome.config.stats_file, "");
}

TEST(StatsFileConfig, UnwritablePathIsOneLineAndExitCode2) {
  ExpectConfigError(Parse({"--stats-file", "/nonexistent/dir/stats.prom"}),
                    {"/nonexistent/dir/stats.prom", "cannot be written", "No such file or directory"});
  ExpectConfigError(Parse({"--stats-file", ::testing::TempDir()}), {"is a directory"});
  ExpectConfigError(Parse({"--stats-file", ""}), {"--stats-file needs a file name"});
  TempFile config("stats_file: /nonexistent/dir/stats.prom\n");
  ExpectConfigError(Parse({"--config", config.path()}), {"/nonexistent/dir/stats.prom", "cannot be written"});
  TempFile not_a_string("stats_file: [a, b]\n");
  ExpectConfigError(Parse({"--config", not_a_string.path()}), {"stats_file"});
}

TEST(StatsFileConfig, ReplayRefusesIt) {
  TempFile recording("x", ".rec");
  ExpectConfigError(Parse({"--replay", recording.path(), "--stats-file", TempPathFor("zt_stats_replay_")}),
                    {"--stats-file", "--replay"});
}

}  // namespace
}  // namespace zerotrace
