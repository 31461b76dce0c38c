// --record FILE, --record-max-mb N and --replay FILE (and the file's record
// keys): values, what goes together, and one-line errors for files that
// cannot be written or read.
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/unit/config/config_test_support.h"

namespace zerotrace {
namespace {

using testing::ExpectConfigError;
using testing::Parse;
using testing::TempFile;

std::string TempPathFor(const std::string& name) {
  return (std::filesystem::path(::testing::TempDir()) / (name + std::to_string(getpid()))).string();
}

TEST(RecordReplayConfig, RecordFlagAndLimit) {
  const std::string path = TempPathFor("zt_record_flag_");
  auto outcome = Parse({"--record", path, "--record-max-mb", "64"});
  ASSERT_FALSE(outcome.exit_code) << outcome.error_output;
  EXPECT_EQ(outcome.config.record_file, path);
  EXPECT_EQ(outcome.config.record_max_mb, 64u);
  EXPECT_EQ(outcome.config.replay_file, "");
  EXPECT_FALSE(std::filesystem::exists(path)) << "the check left a file behind";
}

TEST(RecordReplayConfig, RecordLimitDefaultsToAGigabyte) {
  auto outcome = Parse({});
  ASSERT_FALSE(outcome.exit_code) << outcome.error_output;
  EXPECT_EQ(outcome.config.record_file, "");
  EXPECT_EQ(outcome.config.record_max_mb, 1024u);
}

TEST(RecordReplayConfig, RecordKeysInTheFileAndTheFlagWins) {
  const std::string from_file = TempPathFor("zt_record_file_");
  const std::string from_flag = TempPathFor("zt_record_flag2_");
  TempFile config("record: " + from_file + "\nrecord_max_mb: 8\n");
  auto file_only = Parse({"--config", config.path()});
  ASSERT_FALSE(file_only.exit_code) << file_only.error_output;
  EXPECT_EQ(file_only.config.record_file, from_file);
  EXPECT_EQ(file_only.config.record_max_mb, 8u);
  auto flag_too = Parse({"--config", config.path(), "--record", from_flag});
  ASSERT_FALSE(flag_too.exit_code) << flag_too.error_output;
  EXPECT_EQ(flag_too.config.record_file, from_flag);
  EXPECT_EQ(flag_too.config.record_max_mb, 8u);
}

TEST(RecordReplayConfig, BadRecordLimitIsOneLine) {
  ExpectConfigError(Parse({"--record-max-mb", "0"}), {"--record-max-mb"});
  ExpectConfigError(Parse({"--record-max-mb", "lots"}), {"--record-max-mb"});
  TempFile config("record_max_mb: -3\n");
  ExpectConfigError(Parse({"--config", config.path()}), {"record_max_mb"});
}

TEST(RecordReplayConfig, UnwritableRecordFileIsOneLine) {
  ExpectConfigError(Parse({"--record", "/nonexistent/dir/zt.rec"}),
                    {"/nonexistent/dir/zt.rec", "cannot be written"});
  ExpectConfigError(Parse({"--record", ::testing::TempDir()}), {"is a directory"});
  ExpectConfigError(Parse({"--record", ""}), {"--record needs a file name"});
}

TEST(RecordReplayConfig, ReplayFlag) {
  TempFile recording("not checked here", ".rec");
  auto outcome = Parse({"--replay", recording.path(), "-o", "json", "--pid", "42"});
  ASSERT_FALSE(outcome.exit_code) << outcome.error_output;
  EXPECT_EQ(outcome.config.replay_file, recording.path());
  EXPECT_EQ(outcome.config.pids, (std::vector<uint32_t>{42})) << "--pid narrows a replay";
}

TEST(RecordReplayConfig, UnreadableReplayFileIsOneLine) {
  ExpectConfigError(Parse({"--replay", "/nonexistent/zt.rec"}), {"--replay", "cannot be read"});
  ExpectConfigError(Parse({"--replay", ::testing::TempDir()}), {"--replay", "is a directory"});
}

TEST(RecordReplayConfig, ReplayRefusesWhatItCannotHonour) {
  TempFile recording("x", ".rec");
  ExpectConfigError(Parse({"--replay", recording.path(), "--record", TempPathFor("zt_both_")}),
                    {"--record and --replay"});
  ExpectConfigError(Parse({"--replay", recording.path(), "--port", "80"}), {"--port", "--replay"});
  ExpectConfigError(Parse({"--replay", recording.path(), "--exe", "nginx"}), {"--exe", "--replay"});
  TempFile config("select: {exe: nginx}\n");
  ExpectConfigError(Parse({"--config", config.path(), "--replay", recording.path()}), {"select.exe"});
}

}  // namespace
}  // namespace zerotrace
