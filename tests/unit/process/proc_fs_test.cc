#include "agent/process/proc_fs.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace zerotrace {
namespace {

using namespace std::string_view_literals;

TEST(StatStartTime, CountsFieldsAfterTheLastParenthesis) {
  std::string stat =
      "1234 (my (weird) proc) S 1 1234 1234 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 1 0 987654 "
      "12345678 100 18446744073709551615\n";
  EXPECT_EQ(ParseStatStartTime(stat), 987654u);
}

TEST(StatStartTime, TruncatedOrGarbageIsNullopt) {
  EXPECT_FALSE(ParseStatStartTime("1234 (x) S 1 2 3"));
  EXPECT_FALSE(ParseStatStartTime("no parenthesis here"));
  EXPECT_FALSE(ParseStatStartTime("1 (x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 abc 1"));
}

TEST(StatStartTime, ParsesTheRealProcSelfStat) {
  ProcFs proc;
  auto stat = proc.ReadFile(static_cast<uint32_t>(getpid()), "stat", 4096);
  ASSERT_TRUE(stat);
  auto start = ParseStatStartTime(*stat);
  ASSERT_TRUE(start);
  EXPECT_GT(*start, 0u);
}

TEST(EnvironValue, FindsExactNamesOnly) {
  std::string_view env = "PATH=/bin\0OTEL_SERVICE_NAME_X=no\0OTEL_SERVICE_NAME=shop\0EMPTY=\0"sv;
  EXPECT_EQ(FindEnvironValue(env, "OTEL_SERVICE_NAME"), "shop");
  EXPECT_EQ(FindEnvironValue(env, "EMPTY"), "");
  EXPECT_FALSE(FindEnvironValue(env, "OTEL"));
  EXPECT_FALSE(FindEnvironValue(env, "MISSING"));
  EXPECT_EQ(FindEnvironValue("A=1"sv, "A"), "1");  // no trailing NUL
}

TEST(ProcFs, ReadsFilesAndLinksUnderAnInjectedRoot) {
  std::filesystem::path root = std::filesystem::temp_directory_path() /
                               ("zt-procfs-" + std::to_string(getpid()));
  std::filesystem::create_directories(root / "77");
  std::ofstream(root / "77" / "comm") << "worker\n";
  std::filesystem::create_symlink("/opt/app/bin/server (deleted)", root / "77" / "exe");
  ProcFs proc(root.string());
  EXPECT_EQ(proc.ReadFile(77, "comm", 100), "worker\n");
  EXPECT_EQ(proc.ReadFile(77, "comm", 3), "wor");
  EXPECT_EQ(proc.ReadLink(77, "exe"), "/opt/app/bin/server");
  EXPECT_FALSE(proc.ReadFile(78, "comm", 100));
  EXPECT_FALSE(proc.ReadLink(78, "exe"));
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace zerotrace
