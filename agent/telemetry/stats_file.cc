#include "agent/telemetry/stats_file.h"

#include <fcntl.h>
#include <spdlog/fmt/fmt.h>
#include <stdio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace zerotrace::telemetry {

bool WriteStatsFile(const std::string& path, std::string_view text, std::string* error) {
  const std::string tmp = path + ".tmp";
  auto fail = [&](const char* step) {
    *error = fmt::format("cannot write the stats file {:?}: {} {:?}: {}", path, step, tmp, std::strerror(errno));
    ::unlink(tmp.c_str());
    return false;
  };
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return fail("creating");
  while (!text.empty()) {
    const ssize_t written = ::write(fd, text.data(), text.size());
    if (written < 0 && errno == EINTR) continue;
    if (written < 0) {
      const int saved = errno;
      ::close(fd);
      errno = saved;
      return fail("writing");
    }
    text.remove_prefix(static_cast<size_t>(written));
  }
  if (::close(fd) != 0) return fail("closing");
  if (::rename(tmp.c_str(), path.c_str()) != 0) return fail("renaming");
  return true;
}

}  // namespace zerotrace::telemetry
