#pragma once
/// @file
/// @brief Low-level AES-256-GCM (NIST SP 800-38D) authenticated encryption with an explicit key.
/// 96-bit nonces, 128-bit tags, arbitrary associated data. Thread-safe (per-thread cipher contexts).
/// Most code wants `Keyring` (keyring.hpp) instead, which picks keys and binds ciphertexts to rows.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "base/error.hpp"

namespace gw::crypto {

inline constexpr std::size_t kAes256KeySize = 32;
inline constexpr std::size_t kAesGcmNonceSize = 12;
inline constexpr std::size_t kAesGcmTagSize = 16;

/// A 256-bit AES key. Move-only (use `Clone` for an explicit copy); the bytes are wiped with
/// `OPENSSL_cleanse` on destruction and in a moved-from key.
class Aes256GcmKey {
public:
    /// A fresh key from `SecureRandom`.
    static Aes256GcmKey Generate();

    /// Copies `bytes`. kInvalidArgument unless there are exactly 32 of them.
    static Result<Aes256GcmKey> FromBytes(std::span<const std::uint8_t> bytes);

    explicit Aes256GcmKey(std::span<const std::uint8_t, kAes256KeySize> bytes) noexcept;
    ~Aes256GcmKey();
    Aes256GcmKey(Aes256GcmKey&& other) noexcept;
    Aes256GcmKey& operator=(Aes256GcmKey&& other) noexcept;
    Aes256GcmKey(const Aes256GcmKey&) = delete;
    Aes256GcmKey& operator=(const Aes256GcmKey&) = delete;

    Aes256GcmKey Clone() const noexcept { return Aes256GcmKey(Bytes()); }

    /// The raw key. Do not copy it into memory that is not wiped.
    std::span<const std::uint8_t, kAes256KeySize> Bytes() const noexcept { return bytes_; }

private:
    std::array<std::uint8_t, kAes256KeySize> bytes_{};
};

using AesGcmNonce = std::array<std::uint8_t, kAesGcmNonceSize>;
using AesGcmTag = std::array<std::uint8_t, kAesGcmTagSize>;

/// Encrypts `plaintext` into `ciphertext_out` (same size, may alias `plaintext` exactly) and writes
/// the tag. The caller guarantees that `nonce` is never used twice with `key` (GCM loses both
/// confidentiality and integrity on reuse); prefer `AesGcmSeal`, which draws a random nonce.
/// Precondition (GW_CHECK): `ciphertext_out.size() == plaintext.size()`.
void AesGcmSealDetached(
    const Aes256GcmKey& key,
    std::span<const std::uint8_t, kAesGcmNonceSize> nonce,
    std::span<const std::uint8_t> aad,
    std::span<const std::uint8_t> plaintext,
    std::span<std::uint8_t> ciphertext_out,
    std::span<std::uint8_t, kAesGcmTagSize> tag_out
);

/// Decrypts and authenticates. On failure returns kInternal ("AES-GCM authentication failed") and
/// `plaintext_out` is wiped, so unauthenticated plaintext is never exposed.
/// Precondition (GW_CHECK): `plaintext_out.size() == ciphertext.size()`.
Result<void> AesGcmOpenDetached(
    const Aes256GcmKey& key,
    std::span<const std::uint8_t, kAesGcmNonceSize> nonce,
    std::span<const std::uint8_t> aad,
    std::span<const std::uint8_t> ciphertext,
    std::span<const std::uint8_t, kAesGcmTagSize> tag,
    std::span<std::uint8_t> plaintext_out
);

/// Seals with a fresh random nonce and returns `nonce(12) || ciphertext || tag(16)`.
std::vector<std::uint8_t> AesGcmSeal(
    const Aes256GcmKey& key, std::span<const std::uint8_t> aad, std::span<const std::uint8_t> plaintext
);

/// Opens the output of `AesGcmSeal`. kInternal if it is shorter than 28 bytes or fails authentication.
Result<std::vector<std::uint8_t>> AesGcmOpen(
    const Aes256GcmKey& key, std::span<const std::uint8_t> aad, std::span<const std::uint8_t> sealed
);

}  // namespace gw::crypto
