// Helpers for the recording tests: temporary file paths, and raw access to
// a file's bytes so tests can corrupt or cut a recording at will.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace zerotrace::testing {

// A path in the test's temporary directory, removed when the object goes.
class TempPath {
 public:
  explicit TempPath(const std::string& suffix = ".rec") {
    static int counter = 0;
    path_ = std::filesystem::path(::testing::TempDir()) /
            ("zt_recording_" + std::to_string(getpid()) + "_" + std::to_string(counter++) + suffix);
  }
  ~TempPath() {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }
  TempPath(const TempPath&) = delete;
  TempPath& operator=(const TempPath&) = delete;
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

inline std::vector<uint8_t> ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void WriteBytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace zerotrace::testing
