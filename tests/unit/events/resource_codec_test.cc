// A process resource survives the recording byte for byte; damaged bytes
// are refused, never read past their end.
#include "agent/events/resource_codec.h"

#include <gtest/gtest.h>

namespace zerotrace {
namespace {

Resource Sample() {
  Resource r;
  r.pid = 31337;
  r.service_name = "orders";
  r.attributes = {{"service.name", std::string("orders")},
                  {"process.pid", int64_t{31337}},
                  {"big", int64_t{-9'000'000'000}},
                  {"on", false},
                  {"share", 0.5},
                  {"empty", std::string()}};
  return r;
}

TEST(ResourceCodec, RoundTripKeepsEveryAttributeAndType) {
  std::vector<uint8_t> bytes;
  EncodeResource(Sample(), &bytes);
  std::string error;
  auto decoded = DecodeResource(bytes, &error);
  ASSERT_TRUE(decoded) << error;
  const Resource expected = Sample();
  EXPECT_EQ(decoded->pid, expected.pid);
  EXPECT_EQ(decoded->service_name, expected.service_name);
  ASSERT_EQ(decoded->attributes.size(), expected.attributes.size());
  for (size_t i = 0; i < expected.attributes.size(); ++i) {
    EXPECT_EQ(decoded->attributes[i].key, expected.attributes[i].key);
    EXPECT_EQ(decoded->attributes[i].value, expected.attributes[i].value) << expected.attributes[i].key;
  }
}

TEST(ResourceCodec, EveryCutShortPrefixIsRefused) {
  std::vector<uint8_t> bytes;
  EncodeResource(Sample(), &bytes);
  for (size_t size = 0; size < bytes.size(); ++size) {
    std::string error;
    EXPECT_FALSE(DecodeResource(std::span(bytes).first(size), &error)) << "prefix of " << size;
    EXPECT_FALSE(error.empty());
  }
}

TEST(ResourceCodec, StrayBytesAndUnknownTagsAreRefused) {
  std::vector<uint8_t> bytes;
  EncodeResource(Sample(), &bytes);
  std::string error;
  auto longer = bytes;
  longer.push_back(0);
  EXPECT_FALSE(DecodeResource(longer, &error));
  EXPECT_NE(error.find("stray"), std::string::npos) << error;

  Resource one;
  one.attributes = {{"k", std::string("v")}};
  EncodeResource(one, &bytes);
  // pid 4, empty name 4, count 4, key 4+1: then the tag.
  bytes[17] = 9;
  EXPECT_FALSE(DecodeResource(bytes, &error));
  EXPECT_NE(error.find("unknown attribute"), std::string::npos) << error;
}

TEST(ResourceCodec, HugeAttributeCountDoesNotReserveMemory) {
  std::vector<uint8_t> bytes = {1, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff};
  std::string error;
  EXPECT_FALSE(DecodeResource(bytes, &error));
  EXPECT_NE(error.find("more attributes"), std::string::npos) << error;
}

}  // namespace
}  // namespace zerotrace
