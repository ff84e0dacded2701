#pragma once
/// @file
/// @brief HMAC-SHA256 (RFC 2104 / RFC 4231). Thread-safe.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace gw::crypto {

inline constexpr std::size_t kHmacSha256Size = 32;

using HmacSha256Tag = std::array<std::uint8_t, kHmacSha256Size>;

/// HMAC-SHA256 of `data` under `key` (any length, including empty).
HmacSha256Tag HmacSha256(std::span<const std::uint8_t> key, std::span<const std::uint8_t> data);

/// Text overload of `HmacSha256`.
HmacSha256Tag HmacSha256(std::string_view key, std::string_view data);

/// Lower-case hex (64 characters) of `HmacSha256(key, data)`.
std::string HmacSha256Hex(std::string_view key, std::string_view data);

/// Recomputes the tag and compares it with `tag` in constant time. A `tag` of the wrong length is
/// simply unequal.
bool VerifyHmacSha256(
    std::span<const std::uint8_t> key, std::span<const std::uint8_t> data, std::span<const std::uint8_t> tag
);

}  // namespace gw::crypto
