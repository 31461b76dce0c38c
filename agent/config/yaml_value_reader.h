// Typed reading of the values in the YAML configuration file. Each accessor
// returns the value or throws YamlValueError with one line naming the file,
// the line, the key path ("otlp.timeout_ms"), what was expected and what was
// found, so the schema code in config_file.cc reads straight through.
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace zerotrace {

struct YamlValueError {
  std::string message;
};

// What a node holds, for messages: the quoted scalar, "a list", "a mapping".
std::string DescribeYamlNode(const YAML::Node& node);

class YamlValueReader {
 public:
  explicit YamlValueReader(std::string file) : file_(std::move(file)) {}

  const std::string& file() const { return file_; }

  [[noreturn]] void Fail(const YAML::Node& node, std::string_view key, std::string_view expected) const;

  // Throws for the first key of `map` not in `known`; `prefix` ("otlp.")
  // makes the full key path.
  void CheckKeys(const YAML::Node& map, std::string_view prefix,
                 std::initializer_list<std::string_view> known) const;

  // The value under `key`, unless absent or null.
  static std::optional<YAML::Node> Value(const YAML::Node& map, const char* key);
  // The mapping under `key` (absent or null: nullopt); `path` is its key path.
  std::optional<YAML::Node> Section(const YAML::Node& map, const char* key, std::string_view path) const;

  std::string String(const YAML::Node& node, std::string_view key) const;
  bool Bool(const YAML::Node& node, std::string_view key) const;  // YAML's true/false, yes/no, on/off
  uint64_t Unsigned(const YAML::Node& node, std::string_view key, uint64_t min, uint64_t max) const;
  std::chrono::milliseconds Milliseconds(const YAML::Node& node, std::string_view key) const;  // positive
  double Seconds(const YAML::Node& node, std::string_view key) const;                         // >= 0
  const YAML::Node& List(const YAML::Node& node, std::string_view key) const;
  // A mapping of strings to strings, in file order; keys non-empty.
  std::vector<std::pair<std::string, std::string>> StringMap(const YAML::Node& node, std::string_view key) const;

  // `parse` applied to the string value; `expected` names what it accepts.
  template <typename Parse>
  auto Parsed(const YAML::Node& node, std::string_view key, Parse parse, std::string_view expected) const {
    auto value = parse(String(node, key));
    if (!value) Fail(node, key, expected);
    return *value;
  }

 private:
  std::string file_;
};

}  // namespace zerotrace
