#pragma once
/// @file
/// @brief JSON Web Keys (RFC 7517/7518/8037) for JWT verification: single keys, JWK sets and the
/// KeyLookup seam the verifier asks for candidate keys.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"

namespace gw::crypto {

/// The JWS algorithms supported (RFC 7518 §3.2-3.4, RFC 8037 §3.1). There is deliberately no "none".
enum class JwtAlg { kHs256, kRs256, kEs256, kEdDsa };

/// "HS256", "RS256", "ES256", "EdDSA".
std::string_view JwtAlgName(JwtAlg alg) noexcept;
/// Exact, case-sensitive match of a JOSE "alg" value; nullopt for "none" and everything unsupported.
std::optional<JwtAlg> JwtAlgFromName(std::string_view name) noexcept;

enum class JwkType { kRsa, kEc, kOkp, kOct };

/// One verification key: an RSA (>= 2048 bit), EC P-256 or Ed25519 public key, or an HMAC secret
/// (>= 32 bytes), plus its JWK metadata. Immutable; cheap to copy (shared); safe to use from many
/// threads at once.
class Jwk {
public:
    struct Impl;  ///< defined in crypto/internal/jwt_key.hpp

    /// One JWK object. Private members ("d", ...) are ignored. An "oct" key is accepted only when
    /// `allow_symmetric` is set (a symmetric key has no business in a published JWKS). Errors are
    /// kInvalidArgument naming the problem (unsupported kty/crv, bad base64, small RSA modulus, ...).
    static Result<Jwk> FromJson(std::string_view json, bool allow_symmetric = false);
    /// An SPKI PEM ("BEGIN PUBLIC KEY") RSA, EC P-256 or Ed25519 public key.
    static Result<Jwk> FromPublicKeyPem(std::string_view pem, std::string kid);
    /// A configured HMAC secret for HS256; at least 32 bytes (RFC 7518 §3.2).
    static Result<Jwk> FromHmacSecret(std::span<const std::uint8_t> secret, std::string kid);
    static Result<Jwk> FromHmacSecret(std::string_view secret, std::string kid);

    /// Used by the factories; `impl` must not be null.
    explicit Jwk(std::shared_ptr<const Impl> impl) noexcept;

    JwkType type() const noexcept;
    const std::string& kid() const noexcept;                 ///< "" when the JWK had none
    const std::optional<std::string>& alg() const noexcept;  ///< the JWK "alg" member, if any
    const std::optional<std::string>& use() const noexcept;  ///< the JWK "use" member, if any

    /// True when this key may verify tokens of `alg`: the key type belongs to the alg family (RSA for
    /// RS256, EC P-256 for ES256, OKP Ed25519 for EdDSA, oct for HS256 only), and the optional JWK
    /// "alg" equals it, "use" is "sig" and "key_ops" contains "verify".
    bool CanVerify(JwtAlg alg) const noexcept;

    /// The public JWK JSON of an asymmetric key (kty, kid, alg/use if set, and n/e, crv/x/y or crv/x).
    /// kInvalidArgument for oct keys (secrets are never serialised).
    Result<std::string> ToPublicJson() const;

    const Impl& impl() const noexcept { return *impl_; }

private:
    std::shared_ptr<const Impl> impl_;
};

/// Where the verifier gets candidate keys. Implemented by JwkSet; auth may implement it over a
/// refreshing JWKS cache. Must be thread-safe if shared between threads.
class KeyLookup {
public:
    virtual ~KeyLookup() = default;
    /// Keys whose kid equals `kid`, or every key when the token has no kid (nullopt). The verifier
    /// filters the result with Jwk::CanVerify; an empty result for a present kid means "unknown kid".
    virtual std::vector<Jwk> FindKeys(std::optional<std::string_view> kid) const = 0;
};

struct JwkSetParseOptions {
    bool allow_symmetric = false;  ///< accept "oct" keys (only for locally configured sets)
    std::size_t max_keys = 100;    ///< more keys than this is an error
    std::size_t max_document_bytes = 1 << 20;
};

/// A set of keys: parsed from a JWKS document and/or added one by one (configured PEM keys, HMAC
/// secrets). Not synchronised: build it, then share it const (or swap whole sets under a lock).
class JwkSet final : public KeyLookup {
public:
    JwkSet() = default;

    /// Parses {"keys":[...]}. A malformed document (not JSON, no "keys" array, too large, too many
    /// keys) is kInvalidArgument; individual keys that are unsupported or malformed (other kty/crv,
    /// bad base64, RSA < 2048 bits, point not on the curve, ...) are skipped and described in
    /// skipped(). Keys with "use":"enc" are kept but never verify (Jwk::CanVerify).
    static Result<JwkSet> Parse(std::string_view jwks_json, const JwkSetParseOptions& options = {});

    void Add(Jwk key);

    const std::vector<Jwk>& keys() const noexcept { return keys_; }

    std::size_t size() const noexcept { return keys_.size(); }

    bool empty() const noexcept { return keys_.empty(); }

    /// One line per key skipped by Parse ("key #2 (kid 'x'): unsupported crv P-384"), for logs.
    const std::vector<std::string>& skipped() const noexcept { return skipped_; }

    std::vector<Jwk> FindKeys(std::optional<std::string_view> kid) const override;

private:
    std::vector<Jwk> keys_;
    std::vector<std::string> skipped_;
};

}  // namespace gw::crypto
