#pragma once
/// @file
/// @brief Timing-safe comparison for secrets (tokens, MACs, password hashes). Thread-safe.

#include <cstdint>
#include <span>
#include <string_view>

namespace gw::crypto {

/// True if `a` and `b` are equal. The running time depends only on the lengths, never on the
/// contents or the position of the first difference (`CRYPTO_memcmp`). Inputs of different length
/// compare unequal after a full pass over `a`, so only the fact that the lengths differ leaks.
bool ConstantTimeEquals(std::string_view a, std::string_view b) noexcept;

/// Byte-span overload of `ConstantTimeEquals`.
bool ConstantTimeEquals(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) noexcept;

}  // namespace gw::crypto
