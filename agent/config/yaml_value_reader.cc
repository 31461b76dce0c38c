// Typed, error-reporting access to YAML values for the configuration file.
#include "agent/config/yaml_value_reader.h"

#include <spdlog/fmt/fmt.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "agent/config/config_values.h"

namespace zerotrace {
namespace {

std::string LineOf(const YAML::Node& node) {
  const int line = node.Mark().line;
  return line >= 0 ? fmt::format(":{}", line + 1) : std::string();
}

}  // namespace

std::string DescribeYamlNode(const YAML::Node& node) {
  if (node.IsScalar()) return fmt::format("{:?}", node.Scalar());
  if (node.IsSequence()) return "a list";
  if (node.IsMap()) return "a mapping";
  return "nothing";
}

void YamlValueReader::Fail(const YAML::Node& node, std::string_view key, std::string_view expected) const {
  throw YamlValueError{
      fmt::format("{}{}: {}: expected {}, got {}", file_, LineOf(node), key, expected, DescribeYamlNode(node))};
}

void YamlValueReader::CheckKeys(const YAML::Node& map, std::string_view prefix,
                                std::initializer_list<std::string_view> known) const {
  for (const auto& entry : map) {
    const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : DescribeYamlNode(entry.first);
    if (std::find(known.begin(), known.end(), key) == known.end())
      throw YamlValueError{fmt::format("{}: unknown key \"{}{}\" (line {})", file_, prefix, key,
                                       entry.first.Mark().line + 1)};
  }
}

std::optional<YAML::Node> YamlValueReader::Value(const YAML::Node& map, const char* key) {
  YAML::Node value = map[key];
  if (!value.IsDefined() || value.IsNull()) return std::nullopt;
  return value;
}

std::optional<YAML::Node> YamlValueReader::Section(const YAML::Node& map, const char* key,
                                                   std::string_view path) const {
  std::optional<YAML::Node> section = Value(map, key);
  if (section && !section->IsMap()) Fail(*section, path, "a mapping");
  return section;
}

std::string YamlValueReader::String(const YAML::Node& node, std::string_view key) const {
  if (!node.IsScalar()) Fail(node, key, "a string");
  return node.Scalar();
}

bool YamlValueReader::Bool(const YAML::Node& node, std::string_view key) const {
  bool value = false;
  if (!node.IsScalar() || !YAML::convert<bool>::decode(node, value)) Fail(node, key, kTrueFalseExpected);
  return value;
}

uint64_t YamlValueReader::Unsigned(const YAML::Node& node, std::string_view key, uint64_t min,
                                   uint64_t max) const {
  std::optional<uint64_t> value;
  if (node.IsScalar()) value = ParseUnsignedInRange(node.Scalar(), min, max);
  if (!value) Fail(node, key, fmt::format("an integer from {} to {}", min, max));
  return *value;
}

std::chrono::milliseconds YamlValueReader::Milliseconds(const YAML::Node& node, std::string_view key) const {
  std::optional<uint64_t> value;
  if (node.IsScalar()) value = ParsePositiveInteger(node.Scalar());
  if (!value) Fail(node, key, "a positive integer (milliseconds)");
  return std::chrono::milliseconds(*value);
}

double YamlValueReader::Seconds(const YAML::Node& node, std::string_view key) const {
  const std::string text = String(node, key);
  double value = -1;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value) || value < 0)
    Fail(node, key, "a number of seconds, 0 or more");
  return value;
}

const YAML::Node& YamlValueReader::List(const YAML::Node& node, std::string_view key) const {
  if (!node.IsSequence()) Fail(node, key, "a list");
  return node;
}

std::vector<std::pair<std::string, std::string>> YamlValueReader::StringMap(const YAML::Node& node,
                                                                            std::string_view key) const {
  if (!node.IsMap()) Fail(node, key, "a mapping of names to values");
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& entry : node) {
    std::string name = String(entry.first, key);
    if (name.empty()) Fail(entry.first, key, "non-empty names");
    std::string value = String(entry.second, fmt::format("{}.{}", key, name));
    pairs.emplace_back(std::move(name), std::move(value));
  }
  return pairs;
}

}  // namespace zerotrace
