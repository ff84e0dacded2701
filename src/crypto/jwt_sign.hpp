#pragma once
/// @file
/// @brief Creating JWS compact tokens (HS256, RS256, ES256, EdDSA): for tests, benchmarks and future
/// gateway-issued tokens. Thread-safe; JwtSigningKey is immutable and cheap to copy.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "crypto/ed25519.hpp"
#include "crypto/jwk.hpp"

namespace gw::crypto {

/// A private key (RSA >= 2048, EC P-256, Ed25519) or an HMAC secret (>= 32 bytes).
class JwtSigningKey {
public:
    struct Impl;

    /// PKCS#8 or traditional PEM private key (unencrypted).
    static Result<JwtSigningKey> FromPrivateKeyPem(std::string_view pem);
    static Result<JwtSigningKey> FromHmacSecret(std::span<const std::uint8_t> secret);
    static Result<JwtSigningKey> FromHmacSecret(std::string_view secret);
    static Result<JwtSigningKey> FromEd25519(const Ed25519KeyPair& pair);
    /// A fresh key for `alg`: RSA-2048, P-256, Ed25519 or 32 random bytes.
    static Result<JwtSigningKey> Generate(JwtAlg alg);

    explicit JwtSigningKey(std::shared_ptr<const Impl> impl) noexcept;

    /// True when this key signs `alg` (its key type belongs to the alg family).
    bool CanSign(JwtAlg alg) const noexcept;
    /// The matching verification key (public part; for HMAC the secret itself) with this kid.
    Result<Jwk> VerificationKey(std::string kid) const;
    /// SPKI PEM of the public key; kInvalidArgument for HMAC keys.
    Result<std::string> PublicKeyPem() const;
    /// PKCS#8 PEM of the private key; kInvalidArgument for HMAC keys.
    Result<std::string> PrivateKeyPem() const;

    const Impl& impl() const noexcept { return *impl_; }

private:
    std::shared_ptr<const Impl> impl_;
};

struct JwtSignOptions {
    std::string kid;          ///< omitted from the header when empty
    std::string typ = "JWT";  ///< omitted when empty
};

/// Signs `claims_json` (must be a JSON object) with header {"alg","typ","kid"}.
Result<std::string> SignJwt(
    JwtAlg alg, const JwtSigningKey& key, std::string_view claims_json, const JwtSignOptions& options = {}
);

/// Low level: base64url(header_json) "." base64url(payload_json) "." signature. Both texts are used
/// verbatim and not validated, so tests can craft hostile headers with valid signatures.
Result<std::string> SignJwsCompact(
    JwtAlg alg, const JwtSigningKey& key, std::string_view header_json, std::string_view payload_json
);

}  // namespace gw::crypto
