#include "agent/process/proc_fs.h"

#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <string>

namespace zerotrace {
namespace {

class UniqueFd {
 public:
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() {
    if (fd_ >= 0) close(fd_);
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

ProcFs::ProcFs(std::string root) : root_(std::move(root)) {}

std::string ProcFs::PathOf(uint32_t pid, std::string_view name) const {
  std::string path = root_;
  path += '/';
  path += std::to_string(pid);
  path += '/';
  path += name;
  return path;
}

std::optional<std::string> ProcFs::ReadFile(uint32_t pid, std::string_view name,
                                            size_t max_bytes) const {
  UniqueFd fd(open(PathOf(pid, name).c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return std::nullopt;
  std::string out;
  size_t chunk = 4096;
  while (out.size() < max_bytes) {
    size_t want = std::min(chunk, max_bytes - out.size());
    size_t old = out.size();
    out.resize(old + want);
    ssize_t n = read(fd.get(), out.data() + old, want);
    if (n < 0 && errno == EINTR) {
      out.resize(old);
      continue;
    }
    if (n <= 0) {
      out.resize(old);
      // A read error on an opened file (the process exited mid-read) leaves
      // what we have; only failing to open means "not there".
      break;
    }
    out.resize(old + static_cast<size_t>(n));
    chunk = std::min<size_t>(chunk * 2, 1 << 20);
  }
  return out;
}

std::optional<std::string> ProcFs::ReadLink(uint32_t pid, std::string_view name) const {
  std::string buf(PATH_MAX, '\0');
  ssize_t n = readlink(PathOf(pid, name).c_str(), buf.data(), buf.size());
  if (n <= 0) return std::nullopt;
  buf.resize(static_cast<size_t>(n));
  constexpr std::string_view kDeleted = " (deleted)";
  if (buf.ends_with(kDeleted)) buf.resize(buf.size() - kDeleted.size());
  return buf;
}

std::optional<uint64_t> ParseStatStartTime(std::string_view stat) {
  size_t paren = stat.rfind(')');
  if (paren == std::string_view::npos) return std::nullopt;
  std::string_view rest = stat.substr(paren + 1);
  // After ')' come fields 3 ("state") onward; field 22 is the 20th of those.
  constexpr int kFieldsToSkip = 22 - 3;
  for (int field = 0; field <= kFieldsToSkip; ++field) {
    size_t begin = rest.find_first_not_of(' ');
    if (begin == std::string_view::npos) return std::nullopt;
    rest.remove_prefix(begin);
    size_t end = rest.find(' ');
    std::string_view token = rest.substr(0, end);
    if (field == kFieldsToSkip) {
      uint64_t value = 0;
      auto [ptr, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
      if (ec != std::errc() || ptr != token.data() + token.size()) return std::nullopt;
      return value;
    }
    if (end == std::string_view::npos) return std::nullopt;
    rest.remove_prefix(end);
  }
  return std::nullopt;
}

std::optional<std::string_view> FindEnvironValue(std::string_view environ, std::string_view name) {
  while (!environ.empty()) {
    size_t nul = environ.find('\0');
    std::string_view entry = environ.substr(0, nul);
    if (entry.size() > name.size() && entry.starts_with(name) && entry[name.size()] == '=')
      return entry.substr(name.size() + 1);
    if (nul == std::string_view::npos) break;
    environ.remove_prefix(nul + 1);
  }
  return std::nullopt;
}

}  // namespace zerotrace
