// Name-based UUIDs (RFC 9562 version 5): the same name always gives the same
// id, which is what service.instance.id needs across agent restarts.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace zerotrace {

using Uuid = std::array<uint8_t, 16>;

// The namespace OTel semantic conventions suggest for service.instance.id.
inline constexpr Uuid kServiceInstanceIdNamespace = {0x4d, 0x63, 0x00, 0x9a, 0x8d, 0x0f, 0x11, 0xee,
                                                     0xaa, 0xd7, 0x4c, 0x79, 0x6e, 0xd8, 0xe3, 0x20};

// SHA-1 digest of `data` (FIPS 180-4). Only for name-based ids, not security.
std::array<uint8_t, 20> Sha1(std::string_view data);

// Lowercase "xxxxxxxx-xxxx-5xxx-yxxx-xxxxxxxxxxxx".
std::string UuidV5(const Uuid& name_space, std::string_view name);

}  // namespace zerotrace
