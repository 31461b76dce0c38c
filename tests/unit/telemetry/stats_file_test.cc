// --stats-file: the final /metrics text lands whole at FILE (via FILE.tmp and
// a rename, replacing an older file), and a failure is one line that names
// the file and leaves no FILE.tmp behind.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "agent/telemetry/stats_file.h"
#include "agent/telemetry/telemetry_state.h"

namespace zerotrace::telemetry {
namespace {

namespace fs = std::filesystem;

// A fresh directory per test, removed with everything in it.
class StatsFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("zt_stats_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static std::string Read(const fs::path& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

  fs::path dir_;
};

TEST_F(StatsFileTest, WritesTheTextAndLeavesNoTmp) {
  const fs::path path = dir_ / "stats.prom";
  std::string error;
  ASSERT_TRUE(WriteStatsFile(path.string(), "zerotrace_spans_built_total 3\n", &error)) << error;
  EXPECT_EQ(Read(path), "zerotrace_spans_built_total 3\n");
  EXPECT_FALSE(fs::exists(path.string() + ".tmp"));
}

TEST_F(StatsFileTest, ReplacesAnOlderFileWhole) {
  const fs::path path = dir_ / "stats.prom";
  std::ofstream(path) << "a much longer older text that must not survive in part\n";
  std::string error;
  ASSERT_TRUE(WriteStatsFile(path.string(), "new\n", &error)) << error;
  EXPECT_EQ(Read(path), "new\n");
}

TEST_F(StatsFileTest, SameTextAsMetricsServe) {
  TelemetryState state("9.9");
  AgentSnapshot snapshot;
  snapshot.pipeline.spans = 7;
  snapshot.exporter.exported = 6;
  snapshot.exporter.dropped = 1;
  state.Publish(snapshot);
  state.SetPhase(AgentPhase::kStopping);
  const fs::path path = dir_ / "stats.prom";
  std::string error;
  ASSERT_TRUE(WriteStatsFile(path.string(), state.RenderMetrics(), &error)) << error;
  const std::string text = Read(path);
  EXPECT_EQ(text, state.RenderMetrics());
  EXPECT_NE(text.find("\nzerotrace_spans_built_total 7\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nzerotrace_spans_exported_total 6\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nzerotrace_spans_dropped_total 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nzerotrace_ready 0\n"), std::string::npos) << "written while stopping: " << text;
}

TEST_F(StatsFileTest, MissingDirectoryIsOneLineNamingTheFile) {
  const std::string path = (dir_ / "no-such-dir" / "stats.prom").string();
  std::string error;
  EXPECT_FALSE(WriteStatsFile(path, "x\n", &error));
  EXPECT_NE(error.find(path), std::string::npos) << error;
  EXPECT_NE(error.find("No such file or directory"), std::string::npos) << error;
  EXPECT_EQ(error.find('\n'), std::string::npos) << error;
}

TEST_F(StatsFileTest, FailedRenameRemovesTheTmp) {
  const fs::path path = dir_ / "taken";
  fs::create_directories(path / "not-empty");  // rename() cannot replace a non-empty directory
  std::string error;
  EXPECT_FALSE(WriteStatsFile(path.string(), "x\n", &error));
  EXPECT_NE(error.find("renaming"), std::string::npos) << error;
  EXPECT_FALSE(fs::exists(path.string() + ".tmp"));
}

}  // namespace
}  // namespace zerotrace::telemetry
