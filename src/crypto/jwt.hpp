#pragma once
/// @file
/// @brief JWT (RFC 7519) verification of JWS compact tokens (RFC 7515) with HS256, RS256, ES256 and
/// EdDSA (Ed25519), with the JOSE pitfalls closed: explicit algorithm allowlist (never "none"), key
/// chosen by kid and by algorithm family, header keys (jwk/jku/x5u/x5c) never trusted, "crit" refused.
///
/// All functions are thread-safe; VerifiedJwt is immutable and cheap to copy.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "crypto/jwk.hpp"

namespace gw::crypto {

struct JwtVerifyOptions {
    /// Algorithms accepted. Empty means every token is refused. "none" cannot be expressed.
    std::vector<JwtAlg> allowed_algs;
    /// If non-empty, "iss" must be present and equal one of these exactly. Empty: not checked.
    std::vector<std::string> issuers;
    /// If non-empty, "aud" (string or array) must contain one of these. Empty: not checked — callers
    /// that accept tokens from a shared issuer must set it.
    std::vector<std::string> audiences;
    /// Clock skew tolerated for exp, nbf and iat.
    std::chrono::seconds leeway{60};
    /// Current Unix time in seconds; null means the system clock. Injectable for tests.
    std::function<std::int64_t()> clock;
    /// Longer tokens are refused before any decoding.
    std::size_t max_token_bytes = 16 * 1024;
    /// Refuse tokens without "exp".
    bool require_exp = true;
    /// Refuse tokens without a "kid" header (otherwise every compatible key is tried, see below).
    bool require_kid = false;
    /// If non-empty, the "typ" header must be present and equal one of these, compared
    /// case-insensitively with an optional "application/" prefix ignored (RFC 7515 §4.1.9).
    std::vector<std::string> allowed_types;
    /// At most this many compatible keys are tried for one token (relevant without a kid).
    std::size_t max_keys_tried = 8;
};

/// Why a token was refused. Every refusal is ErrorCode::kUnauthenticated whose message starts with
/// "jwt <reason>: " (reason = JwtFailureName), so auth can audit it; details follow the colon.
enum class JwtFailure {
    kMalformed,      ///< "malformed": size, structure, base64url, JSON, header types, crit
    kAlgNotAllowed,  ///< "alg_not_allowed": unknown alg (incl. "none" in any case) or not in allowed_algs
    kUnknownKid,     ///< "unknown_kid": no key with the token's kid (or none at all / kid required)
    kKeyMismatch,    ///< "key_mismatch": keys exist for the kid but none may verify this alg
    kBadSignature,   ///< "bad_signature"
    kExpired,        ///< "expired"
    kNotYetValid,    ///< "not_yet_valid": nbf in the future, or iat in the future
    kMissingClaim,   ///< "missing_claim": exp absent while required
    kBadIssuer,      ///< "bad_issuer"
    kBadAudience,    ///< "bad_audience"
    kBadType,        ///< "bad_type": typ not in allowed_types
};

std::string_view JwtFailureName(JwtFailure failure) noexcept;
/// The failure kind of an error returned by VerifyJwt (nullopt for other errors).
std::optional<JwtFailure> JwtFailureOf(const Error& error) noexcept;

/// A token whose signature and registered claims have been verified. Claims are read through typed
/// accessors (no JSON library in this header); raw header/payload JSON text is available too.
class VerifiedJwt {
public:
    struct Impl;  ///< defined in crypto/internal/jwt_claims.hpp
    explicit VerifiedJwt(std::shared_ptr<const Impl> impl) noexcept;

    JwtAlg alg() const noexcept;
    const std::string& kid() const noexcept;                  ///< "" when the header had none
    const std::optional<std::string>& type() const noexcept;  ///< the "typ" header
    std::string_view header_json() const noexcept;            ///< decoded header JSON text
    std::string_view payload_json() const noexcept;           ///< decoded payload JSON text

    // Registered claims (RFC 7519 §4.1). Time claims are Unix seconds (fractions truncated).
    std::optional<std::string> issuer() const;
    std::optional<std::string> subject() const;
    std::vector<std::string> audience() const;  ///< "aud" as a list (a single string gives one entry)
    std::optional<std::int64_t> expires_at() const;
    std::optional<std::int64_t> not_before() const;
    std::optional<std::int64_t> issued_at() const;
    std::optional<std::string> jwt_id() const;

    /// Top-level claim accessors: nullopt when the claim is absent or has another JSON type.
    bool HasClaim(std::string_view name) const;
    std::vector<std::string> ClaimNames() const;
    std::optional<std::string> GetString(std::string_view name) const;
    /// An array of strings, or a single string as a one-element list; nullopt for anything else
    /// (including arrays holding non-strings).
    std::optional<std::vector<std::string>> GetStringArray(std::string_view name) const;
    /// An integer (also an integral floating-point number within int64 range).
    std::optional<std::int64_t> GetInt(std::string_view name) const;
    std::optional<bool> GetBool(std::string_view name) const;
    /// Any claim re-serialised as compact JSON (objects, arrays, numbers ...).
    std::optional<std::string> GetJson(std::string_view name) const;

    /// The same by RFC 6901 JSON Pointer into the claims, e.g. "/realm_access/roles".
    std::optional<std::string> GetStringAt(std::string_view pointer) const;
    std::optional<std::vector<std::string>> GetStringArrayAt(std::string_view pointer) const;
    std::optional<std::string> GetJsonAt(std::string_view pointer) const;

    const Impl& impl() const noexcept { return *impl_; }

private:
    std::shared_ptr<const Impl> impl_;
};

/// Verifies a JWS compact token, in this order: size; exactly three base64url parts (strict: no
/// padding, no '+' '/', canonical); header is a JSON object without duplicate members; "alg" is a
/// supported name and in allowed_algs; "crit" absent; "kid"/"typ" strings if present; typ allowed;
/// payload base64url; key candidates from `keys` by kid, filtered by Jwk::CanVerify(alg); signature
/// (tried on at most max_keys_tried keys); only then the payload is parsed (JSON object) and exp, nbf,
/// iat, iss and aud are checked. The header members jwk, jku, x5u, x5c, x5t are ignored: keys come
/// only from `keys`.
Result<VerifiedJwt> VerifyJwt(std::string_view token, const JwtVerifyOptions& options, const KeyLookup& keys);

}  // namespace gw::crypto
