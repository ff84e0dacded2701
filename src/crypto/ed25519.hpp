#pragma once
/// @file
/// @brief Ed25519 (RFC 8032) keys, signing and verification, and the OpenClaw device-proof helpers
/// (device id = hex(sha256(raw public key)), base64url public keys and signatures).

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/error.hpp"

namespace gw::crypto {

inline constexpr std::size_t kEd25519PublicKeySize = 32;
inline constexpr std::size_t kEd25519SeedSize = 32;
inline constexpr std::size_t kEd25519SignatureSize = 64;

using Ed25519PublicKey = std::array<std::uint8_t, kEd25519PublicKeySize>;
using Ed25519Signature = std::array<std::uint8_t, kEd25519SignatureSize>;

/// An Ed25519 private key (its 32-byte RFC 8032 seed) with the matching public key. The seed is wiped
/// when the object is destroyed. Thread-safe for concurrent const use.
class Ed25519KeyPair {
public:
    /// A fresh key pair from the OpenSSL CSPRNG.
    static Result<Ed25519KeyPair> Generate();
    /// The key pair for a 32-byte seed (the JWK "d" of an OKP key). kInvalidArgument on a wrong size.
    static Result<Ed25519KeyPair> FromSeed(std::span<const std::uint8_t> seed);

    Ed25519KeyPair(const Ed25519KeyPair&) = default;
    Ed25519KeyPair& operator=(const Ed25519KeyPair&) = default;
    Ed25519KeyPair(Ed25519KeyPair&&) noexcept = default;
    Ed25519KeyPair& operator=(Ed25519KeyPair&&) noexcept = default;
    ~Ed25519KeyPair();

    const Ed25519PublicKey& public_key() const noexcept { return public_key_; }

    std::span<const std::uint8_t, kEd25519SeedSize> seed() const noexcept { return seed_; }

    /// Signs `message` (pure Ed25519, no pre-hash). Fails only on an OpenSSL error (kInternal).
    Result<Ed25519Signature> Sign(std::span<const std::uint8_t> message) const;
    Result<Ed25519Signature> Sign(std::string_view message) const;

private:
    Ed25519KeyPair() = default;

    Ed25519PublicKey public_key_{};
    std::array<std::uint8_t, kEd25519SeedSize> seed_{};
};

/// Verifies a pure-Ed25519 signature with a raw 32-byte public key.
/// Errors: kInvalidArgument "public_key_invalid: ..." when the key is not 32 bytes or is refused by
/// OpenSSL; kUnauthenticated "signature_invalid: ..." when the signature is not 64 bytes or does not
/// verify. A 32-byte value that is not a curve point is reported as signature_invalid (OpenSSL does
/// not expose point validation separately).
Result<void> Ed25519Verify(
    std::span<const std::uint8_t> public_key,
    std::span<const std::uint8_t> message,
    std::span<const std::uint8_t> signature
);

/// OpenClaw device id: lower-case hex of SHA-256 over the raw 32-byte public key (64 characters).
std::string DeviceIdFromPublicKey(std::span<const std::uint8_t, kEd25519PublicKeySize> public_key);

/// Parses a device public key as sent by OpenClaw clients. Accepted forms:
///  - base64url (no padding) of the raw 32-byte key (the canonical form);
///  - base64url (no padding) of the 44-byte DER SubjectPublicKeyInfo, i.e. the raw key prefixed with
///    302a300506032b6570032100 (the prefix is stripped);
///  - a PEM "PUBLIC KEY" block holding that SPKI.
/// Anything else (padding, '+', '/', other lengths, other algorithms) is kInvalidArgument
/// "public_key_invalid: ...".
Result<Ed25519PublicKey> ParseDevicePublicKey(std::string_view encoded);

/// base64url (no padding) of the raw key: the canonical wire form of `device.publicKey`.
std::string EncodeDevicePublicKey(const Ed25519PublicKey& public_key);

/// Why a device proof failed; maps to DEVICE_AUTH_PUBLIC_KEY_INVALID / DEVICE_AUTH_SIGNATURE_INVALID.
enum class DeviceProofFailure { kPublicKeyInvalid, kSignatureInvalid };

/// Verifies an OpenClaw device signature: `public_key` in any form ParseDevicePublicKey accepts,
/// `message` the UTF-8 signed string, `signature_b64url` base64url (no padding) of 64 bytes.
/// Errors follow Ed25519Verify: kInvalidArgument + "public_key_invalid: ..." or kUnauthenticated +
/// "signature_invalid: ..." (an undecodable signature is signature_invalid). Classify with
/// ClassifyDeviceProofError().
Result<void> VerifyDeviceSignature(
    std::string_view public_key, std::string_view message, std::string_view signature_b64url
);

/// The failure kind of an error returned by VerifyDeviceSignature/Ed25519Verify (nullopt for others).
std::optional<DeviceProofFailure> ClassifyDeviceProofError(const Error& error);

}  // namespace gw::crypto
