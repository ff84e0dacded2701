#pragma once
/// @file
/// @brief Private: the JWS signature primitives (RFC 7518 §3) over OpenSSL EVP, shared by the JWT
/// verifier and signer.

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include <openssl/evp.h>

#include "base/error.hpp"
#include "crypto/jwk.hpp"

namespace gw::crypto::internal {

inline constexpr std::size_t kHs256SignatureSize = 32;
inline constexpr std::size_t kEs256CoordinateSize = 32;
inline constexpr std::size_t kEs256SignatureSize = 64;
inline constexpr std::size_t kEdDsaSignatureSize = 64;

/// Verifies `signature` over `signing_input` with `key` for `alg`. The caller has checked
/// key.CanVerify(alg). Any mismatch (wrong length, bad encoding, wrong signature) is kUnauthenticated.
Result<void> VerifyJwsSignature(
    JwtAlg alg, const Jwk& key, std::string_view signing_input, std::span<const std::uint8_t> signature
);

/// Signs with a private key (RS256, ES256 as raw r||s, EdDSA). kInvalidArgument if the key type does
/// not match `alg`.
Result<std::vector<std::uint8_t>> SignJwsAsymmetric(
    JwtAlg alg, EVP_PKEY* private_key, std::string_view signing_input
);

/// ECDSA signature conversion between JOSE raw r||s (2 x 32 bytes, RFC 7518 §3.4) and DER.
Result<std::vector<std::uint8_t>> EcdsaRawToDer(std::span<const std::uint8_t> raw);
Result<std::vector<std::uint8_t>> EcdsaDerToRaw(std::span<const std::uint8_t> der);

/// Key-type checks shared by jwk.cpp and jwt_sign.cpp.
bool IsRsaKey(EVP_PKEY* pkey);
bool IsP256Key(EVP_PKEY* pkey);
bool IsEd25519Key(EVP_PKEY* pkey);
inline constexpr int kMinRsaBits = 2048;
inline constexpr int kMaxRsaBits = 16384;

}  // namespace gw::crypto::internal
