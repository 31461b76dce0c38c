// Reading one process's files under a /proc root. The root is injectable so
// tests run against a fake tree in a temp dir.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace zerotrace {

class ProcFs {
 public:
  explicit ProcFs(std::string root = "/proc");

  // The file's contents, at most `max_bytes`; nullopt when it cannot be
  // opened (process gone, no permission). /proc files report size 0, so this
  // reads to end of file rather than trusting stat.
  std::optional<std::string> ReadFile(uint32_t pid, std::string_view name, size_t max_bytes) const;

  // A symlink's target with the kernel's " (deleted)" suffix removed (the
  // binary was replaced on disk; the name is still the one that ran).
  std::optional<std::string> ReadLink(uint32_t pid, std::string_view name) const;

  const std::string& root() const { return root_; }

 private:
  std::string PathOf(uint32_t pid, std::string_view name) const;

  std::string root_;
};

// Field 22 of /proc/PID/stat (start time in clock ticks since boot). The comm
// field may hold spaces and parentheses, so fields are counted after the last ')'.
std::optional<uint64_t> ParseStatStartTime(std::string_view stat);

// The value of NAME in a NUL-separated /proc/PID/environ block, if present.
std::optional<std::string_view> FindEnvironValue(std::string_view environ, std::string_view name);

}  // namespace zerotrace
