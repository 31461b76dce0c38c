#include "agent/process/uuid_v5.h"

#include <gtest/gtest.h>

#include "agent/model/ids.h"

namespace zerotrace {
namespace {

std::string Sha1Hex(std::string_view s) { return ToHex(Sha1(s)); }

TEST(Sha1, FipsTestVectors) {
  EXPECT_EQ(Sha1Hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(Sha1Hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  // 56 bytes: the length no longer fits in the first padded block.
  EXPECT_EQ(Sha1Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  EXPECT_EQ(Sha1Hex(std::string(1'000'000, 'a')), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

TEST(UuidV5, MatchesTheReferenceValue) {
  // uuid.uuid5(uuid.NAMESPACE_DNS, "python.org") in Python's documentation.
  constexpr Uuid kDns = {0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1,
                         0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};
  EXPECT_EQ(UuidV5(kDns, "python.org"), "886313e1-3b8a-5372-9b90-0c9aee199e5d");
}

TEST(UuidV5, SameNameSameIdOtherNameOtherId) {
  EXPECT_EQ(UuidV5(kServiceInstanceIdNamespace, "h/1/2"), UuidV5(kServiceInstanceIdNamespace, "h/1/2"));
  EXPECT_NE(UuidV5(kServiceInstanceIdNamespace, "h/1/2"), UuidV5(kServiceInstanceIdNamespace, "h/1/3"));
}

}  // namespace
}  // namespace zerotrace
