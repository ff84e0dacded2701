#pragma once
/// @file
/// @brief Cryptographically secure random bytes (OpenSSL DRBG). Thread-safe.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace gw::crypto {

/// Fills `out` from OpenSSL's `RAND_bytes`. Use for key material and anything secret.
/// GW_CHECK-aborts if the DRBG fails (it only fails when the OS entropy source is broken, and
/// continuing without randomness would be worse than stopping).
void SecureRandom(std::span<std::uint8_t> out);

/// Fills `out` with CSPRNG bytes served from a per-thread buffer that is refilled from `RAND_bytes`
/// 1 KiB at a time. `RAND_bytes` costs ~0.6 µs per call in OpenSSL 3.0 regardless of size, so
/// this is what AEAD nonces use. Bytes are never handed out twice (the buffer of the forking thread
/// is discarded in a fork child). Intended for public values (nonces, ids): do not use for keys,
/// because not-yet-used bytes stay in memory until consumed.
void SecureRandomPooled(std::span<std::uint8_t> out);

/// `N` fresh random bytes from `SecureRandom`.
template <std::size_t N>
std::array<std::uint8_t, N> RandomBytes() {
    std::array<std::uint8_t, N> out{};
    SecureRandom(out);
    return out;
}

/// `N` fresh random bytes from `SecureRandomPooled` (public values only, see there).
template <std::size_t N>
std::array<std::uint8_t, N> RandomNonce() {
    std::array<std::uint8_t, N> out{};
    SecureRandomPooled(out);
    return out;
}

}  // namespace gw::crypto
