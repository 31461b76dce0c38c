#include "agent/process/process_registry.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "agent/model/semconv.h"

namespace zerotrace {
namespace {

namespace fs = std::filesystem;
namespace sc = semconv;

// A fake /proc tree in a temp dir, removed at the end of the test.
class FakeProc {
 public:
  FakeProc() {
    std::string templ = (fs::temp_directory_path() / "zt-proc-XXXXXX").string();
    root_ = mkdtemp(templ.data());
  }
  ~FakeProc() { fs::remove_all(root_); }
  FakeProc(const FakeProc&) = delete;
  FakeProc& operator=(const FakeProc&) = delete;

  // A live process: exe link, comm, stat with `start_time` as field 22, and
  // environ built from NUL-separated `env` entries.
  void AddProcess(uint32_t pid, const std::string& exe, const std::string& comm,
                  std::initializer_list<std::string> env = {}, uint64_t start_time = 4242) {
    fs::path dir = root_ / std::to_string(pid);
    fs::create_directories(dir);
    if (!exe.empty()) fs::create_symlink(exe, dir / "exe");
    std::ofstream(dir / "comm") << comm << "\n";
    std::ofstream(dir / "stat") << pid << " (" << comm << ") S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 "
                                << start_time << " 1000 10\n";
    std::ofstream(dir / "cmdline") << "server\0--password\0hunter2\0";
    SetEnviron(pid, env);
  }
  void SetEnviron(uint32_t pid, std::initializer_list<std::string> env) {
    std::ofstream out(root_ / std::to_string(pid) / "environ", std::ios::binary | std::ios::trunc);
    for (const std::string& e : env) out << e << '\0';
  }
  void Remove(uint32_t pid) { fs::remove_all(root_ / std::to_string(pid)); }
  std::string root() const { return root_.string(); }

 private:
  fs::path root_;
};

const AttributeValue* Find(const Resource& r, std::string_view key) {
  for (const Attribute& a : r.attributes)
    if (a.key == key) return &a.value;
  return nullptr;
}

std::string Str(const Resource& r, std::string_view key) {
  const AttributeValue* v = Find(r, key);
  if (v == nullptr) return "<absent>";
  if (const auto* s = std::get_if<std::string>(v)) return *s;
  return "<not a string>";
}

class ProcessRegistryTest : public ::testing::Test {
 protected:
  ProcessRegistry MakeRegistry(size_t max = 65536) {
    return ProcessRegistry({.proc_root = proc_.root(), .host_name = "node-1", .max_processes = max});
  }
  FakeProc proc_;
};

TEST_F(ProcessRegistryTest, ServiceNameFromTheProcessesOwnOtelServiceName) {
  proc_.AddProcess(100, "/usr/bin/python3.11", "python3", {"PATH=/bin", "OTEL_SERVICE_NAME=checkout"});
  auto r = MakeRegistry().ResourceFor(100);
  EXPECT_EQ(r->service_name, "checkout");
  EXPECT_EQ(Str(*r, sc::kServiceName), "checkout");
  EXPECT_EQ(r->pid, 100u);
}

TEST_F(ProcessRegistryTest, AgentOverridesApplyToEveryProcessAndWin) {
  proc_.AddProcess(100, "/usr/bin/python3.11", "python3",
                   {"OTEL_SERVICE_NAME=checkout", "OTEL_RESOURCE_ATTRIBUTES=team=a,region=eu"});
  proc_.AddProcess(200, "/usr/sbin/nginx", "nginx");
  ProcessRegistry registry({.proc_root = proc_.root(), .host_name = "node-1",
                            .overrides = {.service_name = "shop",
                                          .attributes = {{"region", "us"},
                                                         {"deployment.environment", "prod"},
                                                         {"process.pid", "1"}}}});
  for (uint32_t pid : {100u, 200u, 300u}) {  // 300 is gone: the minimal resource gets them too
    auto r = registry.ResourceFor(pid);
    EXPECT_EQ(r->service_name, "shop") << pid;
    EXPECT_EQ(Str(*r, sc::kServiceName), "shop") << pid;
    EXPECT_EQ(Str(*r, "deployment.environment"), "prod") << pid;
    EXPECT_EQ(std::get<int64_t>(*Find(*r, sc::kProcessPid)), pid);  // a fact, not overridable
  }
  auto python = registry.ResourceFor(100);
  EXPECT_EQ(Str(*python, "region"), "us");
  EXPECT_EQ(Str(*python, "team"), "a");
}

TEST_F(ProcessRegistryTest, AgentServiceNameMayComeFromItsResourceAttributes) {
  proc_.AddProcess(100, "/usr/sbin/nginx", "nginx");
  ProcessRegistry registry({.proc_root = proc_.root(), .host_name = "node-1",
                            .overrides = {.service_name = "", .attributes = {{"service.name", "edge"}}}});
  EXPECT_EQ(registry.ResourceFor(100)->service_name, "edge");
}

TEST_F(ProcessRegistryTest, ServiceNameIsTheExecutableBaseNameWithoutOtelServiceName) {
  proc_.AddProcess(100, "/usr/bin/python3.11", "python3", {"PATH=/bin"});
  auto r = MakeRegistry().ResourceFor(100);
  EXPECT_EQ(r->service_name, "python3.11");
  EXPECT_EQ(Str(*r, sc::kProcessExecutableName), "python3.11");
  EXPECT_EQ(Str(*r, sc::kProcessExecutablePath), "/usr/bin/python3.11");
}

TEST_F(ProcessRegistryTest, EmptyOtelServiceNameCountsAsUnset) {
  proc_.AddProcess(100, "/usr/sbin/nginx", "nginx", {"OTEL_SERVICE_NAME="});
  EXPECT_EQ(MakeRegistry().ResourceFor(100)->service_name, "nginx");
}

TEST_F(ProcessRegistryTest, CommIsTheFallbackWhenExeIsUnreadable) {
  proc_.AddProcess(100, "", "node");
  auto r = MakeRegistry().ResourceFor(100);
  EXPECT_EQ(r->service_name, "node");
  EXPECT_EQ(Str(*r, sc::kProcessExecutableName), "node");
  EXPECT_EQ(Find(*r, sc::kProcessExecutablePath), nullptr);
}

TEST_F(ProcessRegistryTest, VanishedProcessIsUnknownServiceWithItsPid) {
  ProcessRegistry registry = MakeRegistry();
  auto r = registry.ResourceFor(555);
  EXPECT_EQ(r->service_name, "unknown_service");
  EXPECT_EQ(r->pid, 555u);
  const AttributeValue* pid = Find(*r, sc::kProcessPid);
  ASSERT_NE(pid, nullptr);
  EXPECT_EQ(std::get<int64_t>(*pid), 555);
  EXPECT_EQ(Find(*r, sc::kServiceInstanceId), nullptr);
}

TEST_F(ProcessRegistryTest, VanishedProcessUsesTheCommHint) {
  auto r = MakeRegistry().ResourceFor(555, "gunicorn");
  EXPECT_EQ(r->service_name, "unknown_service:gunicorn");
}

TEST_F(ProcessRegistryTest, VanishedProcessIsNotCachedSoAReusedPidIsReadAfresh) {
  ProcessRegistry registry = MakeRegistry();
  EXPECT_EQ(registry.ResourceFor(555)->service_name, "unknown_service");
  EXPECT_EQ(registry.size(), 0u);
  proc_.AddProcess(555, "/usr/bin/java", "java");
  EXPECT_EQ(registry.ResourceFor(555)->service_name, "java");
}

TEST_F(ProcessRegistryTest, ResourceAttributesFromEnvironAreAdded) {
  proc_.AddProcess(100, "/usr/bin/node", "node",
                   {"OTEL_RESOURCE_ATTRIBUTES=service.namespace=shop,deployment.environment.name=prod%2Ceu"});
  auto r = MakeRegistry().ResourceFor(100);
  EXPECT_EQ(Str(*r, "service.namespace"), "shop");
  EXPECT_EQ(Str(*r, "deployment.environment.name"), "prod,eu");
  EXPECT_EQ(r->service_name, "node");
}

TEST_F(ProcessRegistryTest, ServiceNameInResourceAttributesIsUsedWithoutOtelServiceName) {
  proc_.AddProcess(100, "/usr/bin/node", "node", {"OTEL_RESOURCE_ATTRIBUTES=service.name=cart"});
  auto r = MakeRegistry().ResourceFor(100);
  EXPECT_EQ(r->service_name, "cart");
  EXPECT_EQ(Str(*r, sc::kServiceName), "cart");
}

TEST_F(ProcessRegistryTest, OtelServiceNameWinsOverResourceAttributes) {
  proc_.AddProcess(100, "/usr/bin/node", "node",
                   {"OTEL_RESOURCE_ATTRIBUTES=service.name=cart", "OTEL_SERVICE_NAME=checkout"});
  auto r = MakeRegistry().ResourceFor(100);
  EXPECT_EQ(r->service_name, "checkout");
  EXPECT_EQ(Str(*r, sc::kServiceName), "checkout");
  int count = 0;
  for (const Attribute& a : r->attributes) count += a.key == sc::kServiceName;
  EXPECT_EQ(count, 1);
}

TEST_F(ProcessRegistryTest, ResourceAttributesCannotRewriteFactsAboutTheProcessOrAgent) {
  proc_.AddProcess(100, "/usr/bin/node", "node",
                   {"OTEL_RESOURCE_ATTRIBUTES=process.pid=1,telemetry.sdk.name=fake,"
                    "process.executable.name=x,host.name=custom"});
  auto r = MakeRegistry().ResourceFor(100);
  EXPECT_EQ(std::get<int64_t>(*Find(*r, sc::kProcessPid)), 100);
  EXPECT_EQ(Str(*r, sc::kTelemetrySdkName), "zerotrace");
  EXPECT_EQ(Str(*r, sc::kProcessExecutableName), "node");
  EXPECT_EQ(Str(*r, sc::kHostName), "custom");  // a user's own choice, not a fact we measured
}

TEST_F(ProcessRegistryTest, MalformedResourceAttributesAreIgnoredWhole) {
  proc_.AddProcess(100, "/usr/bin/node", "node", {"OTEL_RESOURCE_ATTRIBUTES=team=a,broken"});
  auto r = MakeRegistry().ResourceFor(100);
  EXPECT_EQ(Find(*r, "team"), nullptr);
}

TEST_F(ProcessRegistryTest, NothingElseFromEnvironOrCmdlineLeaks) {
  proc_.AddProcess(100, "/usr/bin/node", "node", {"DB_PASSWORD=hunter2", "OTEL_SERVICE_NAME=api"});
  auto r = MakeRegistry().ResourceFor(100);
  EXPECT_EQ(Find(*r, "process.command_line"), nullptr);
  for (const Attribute& a : r->attributes) {
    if (const auto* s = std::get_if<std::string>(&a.value)) {
      EXPECT_EQ(s->find("hunter2"), std::string::npos) << a.key;
    }
  }
}

TEST_F(ProcessRegistryTest, TelemetryAndHostAttributes) {
  proc_.AddProcess(100, "/usr/bin/node", "node");
  auto r = MakeRegistry().ResourceFor(100);
  EXPECT_EQ(Str(*r, sc::kHostName), "node-1");
  EXPECT_EQ(Str(*r, sc::kTelemetrySdkName), "zerotrace");
  EXPECT_EQ(Str(*r, sc::kTelemetrySdkLanguage), "cpp");
  EXPECT_EQ(Str(*r, sc::kTelemetrySdkVersion), ZEROTRACE_VERSION);
  EXPECT_EQ(Str(*r, sc::kTelemetryDistroName), "zerotrace");
  EXPECT_EQ(Str(*r, sc::kTelemetryDistroVersion), ZEROTRACE_VERSION);
}

TEST_F(ProcessRegistryTest, ServiceInstanceIdIsStableForAProcessAndDiffersOnPidReuse) {
  proc_.AddProcess(100, "/usr/bin/node", "node", {}, 1000);
  std::string first = Str(*MakeRegistry().ResourceFor(100), sc::kServiceInstanceId);
  EXPECT_TRUE(std::regex_match(first, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
      << first;
  EXPECT_EQ(Str(*MakeRegistry().ResourceFor(100), sc::kServiceInstanceId), first);  // agent restart

  proc_.Remove(100);
  proc_.AddProcess(100, "/usr/bin/node", "node", {}, 2000);  // same pid, later start
  EXPECT_NE(Str(*MakeRegistry().ResourceFor(100), sc::kServiceInstanceId), first);
}

TEST_F(ProcessRegistryTest, ResourceIsCachedUntilForgotten) {
  proc_.AddProcess(100, "/usr/bin/node", "node", {"OTEL_SERVICE_NAME=a"});
  ProcessRegistry registry = MakeRegistry();
  auto first = registry.ResourceFor(100);
  proc_.SetEnviron(100, {"OTEL_SERVICE_NAME=b"});
  EXPECT_EQ(registry.ResourceFor(100), first);
  EXPECT_EQ(registry.size(), 1u);
  registry.Forget(100);
  EXPECT_EQ(registry.size(), 0u);
  EXPECT_EQ(registry.ResourceFor(100)->service_name, "b");
  registry.Forget(999);  // unknown pid: no-op
}

TEST_F(ProcessRegistryTest, CacheIsBoundedAndEvictsTheLeastRecentlyUsed) {
  for (uint32_t pid : {1, 2, 3}) proc_.AddProcess(pid, "/bin/p" + std::to_string(pid), "p");
  ProcessRegistry registry = MakeRegistry(2);
  auto r1 = registry.ResourceFor(1);
  auto r2 = registry.ResourceFor(2);
  registry.ResourceFor(1);  // 2 is now the least recently used
  registry.ResourceFor(3);
  EXPECT_EQ(registry.size(), 2u);
  EXPECT_EQ(registry.ResourceFor(1), r1);
  EXPECT_NE(registry.ResourceFor(2), r2);  // evicted, read again
}

TEST_F(ProcessRegistryTest, ExecutableMatchesBaseNameOrFullPath) {
  proc_.AddProcess(100, "/usr/bin/python3.11", "python3");
  ProcessRegistry registry = MakeRegistry();
  EXPECT_TRUE(registry.ExecutableMatches(100, std::regex("python")));
  EXPECT_TRUE(registry.ExecutableMatches(100, std::regex("^python3\\.[0-9]+$")));
  EXPECT_TRUE(registry.ExecutableMatches(100, std::regex("^/usr/bin/python3\\.11$")));
  EXPECT_FALSE(registry.ExecutableMatches(100, std::regex("nginx")));
  EXPECT_FALSE(registry.ExecutableMatches(100, std::regex("^bin")));
}

TEST_F(ProcessRegistryTest, ExecutableMatchesFallsBackToCommAndIsFalseForVanished) {
  proc_.AddProcess(100, "", "nginx");
  ProcessRegistry registry = MakeRegistry();
  EXPECT_TRUE(registry.ExecutableMatches(100, std::regex("^nginx$")));
  EXPECT_FALSE(registry.ExecutableMatches(555, std::regex(".*")));
}

TEST(ProcessRegistryRealProc, DescribesThisTestProcess) {
  ProcessRegistry registry;
  auto r = registry.ResourceFor(static_cast<uint32_t>(getpid()));
  EXPECT_EQ(r->service_name, "process_registry_test");
  EXPECT_NE(Find(*r, sc::kServiceInstanceId), nullptr);
  EXPECT_FALSE(registry.host_name().empty());
}

}  // namespace
}  // namespace zerotrace
