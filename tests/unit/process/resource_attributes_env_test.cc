#include "agent/process/resource_attributes_env.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace zerotrace {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

TEST(ResourceAttributesEnv, ParsesPairsInOrder) {
  auto attrs = ParseResourceAttributesEnv("service.namespace=shop,deployment.environment.name=prod");
  ASSERT_TRUE(attrs);
  EXPECT_THAT(*attrs, ElementsAre(Pair("service.namespace", "shop"), Pair("deployment.environment.name", "prod")));
}

TEST(ResourceAttributesEnv, TrimsAndPercentDecodes) {
  auto attrs = ParseResourceAttributesEnv(" team = a%2Cb%3Dc ,  note=caf%C3%A9%20bar ");
  ASSERT_TRUE(attrs);
  EXPECT_THAT(*attrs, ElementsAre(Pair("team", "a,b=c"), Pair("note", "caf\xc3\xa9 bar")));
}

TEST(ResourceAttributesEnv, EmptyMembersAndEmptyValuesAreFine) {
  auto attrs = ParseResourceAttributesEnv(",a=,,b=1,");
  ASSERT_TRUE(attrs);
  EXPECT_THAT(*attrs, ElementsAre(Pair("a", ""), Pair("b", "1")));
  attrs = ParseResourceAttributesEnv("");
  ASSERT_TRUE(attrs);
  EXPECT_TRUE(attrs->empty());
}

TEST(ResourceAttributesEnv, MalformedValueIsDiscardedWhole) {
  EXPECT_FALSE(ParseResourceAttributesEnv("a=1,novalue"));
  EXPECT_FALSE(ParseResourceAttributesEnv("a=1,=2"));
  EXPECT_FALSE(ParseResourceAttributesEnv("a=%zz"));
  EXPECT_FALSE(ParseResourceAttributesEnv("a=%4"));
  EXPECT_FALSE(ParseResourceAttributesEnv("a=%"));
  EXPECT_FALSE(ParseResourceAttributesEnv("a=%ff"));  // not UTF-8 once decoded
}

TEST(ResourceAttributesEnv, OversizedEntriesAreDropped) {
  std::string value = "big=" + std::string(kMaxEnvResourceValueBytes + 1, 'x') + ",small=1";
  auto attrs = ParseResourceAttributesEnv(value);
  ASSERT_TRUE(attrs);
  EXPECT_THAT(*attrs, ElementsAre(Pair("small", "1")));
  std::string many;
  for (size_t i = 0; i < kMaxEnvResourceAttributes + 10; ++i) many += "k" + std::to_string(i) + "=v,";
  attrs = ParseResourceAttributesEnv(many);
  ASSERT_TRUE(attrs);
  EXPECT_EQ(attrs->size(), kMaxEnvResourceAttributes);
}

}  // namespace
}  // namespace zerotrace
