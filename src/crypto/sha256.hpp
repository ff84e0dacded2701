#pragma once
/// @file
/// @brief SHA-256 (FIPS 180-4) one-shot digests. Thread-safe.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace gw::crypto {

inline constexpr std::size_t kSha256Size = 32;

using Sha256Digest = std::array<std::uint8_t, kSha256Size>;

/// SHA-256 of `data`.
Sha256Digest Sha256(std::span<const std::uint8_t> data);

/// SHA-256 of the bytes of `data`.
Sha256Digest Sha256(std::string_view data);

/// Lower-case hex (64 characters) of the SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

}  // namespace gw::crypto
