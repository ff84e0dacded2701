// Fuzz target: JWT verification (crypto::VerifyJwt) against a fixed key set (the RFC 7515 HS256, RS256
// and ES256 example keys and the RFC 8037 Ed25519 key) at a fixed time.
// Byte 0 picks the mode and options. Even: the rest is a compact token, verified as is. Odd: the rest
// is `header<NUL>payload`, signed with the HS256 key first, so the header and claims checks after the
// signature are reached. Properties: every refusal is kUnauthenticated with a JwtFailure; an accepted
// token uses an allowed algorithm; a token we signed verifies to exactly the payload we signed.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "crypto/encoding.hpp"
#include "crypto/jwk.hpp"
#include "crypto/jwt.hpp"
#include "crypto/jwt_sign.hpp"
#include "crypto/jwt_test_vectors.hpp"
#include "fuzz_input.hpp"

namespace {

namespace crypto = gw::crypto;

const crypto::JwkSet& Keys() {
    static const crypto::JwkSet keys = [] {
        crypto::JwkSet set;
        for (const std::string_view json :
             {crypto::test::kRfc7515A1Jwk,
              crypto::test::kRfc7515A2Jwk,
              crypto::test::kRfc7515A3Jwk,
              crypto::test::kRfc8037Jwk}) {
            auto key = crypto::Jwk::FromJson(json, /*allow_symmetric=*/true);
            GW_FUZZ_CHECK(key.has_value());
            set.Add(*key);
        }
        return set;
    }();
    return keys;
}

const crypto::JwtSigningKey& HmacSigner() {
    static const crypto::JwtSigningKey signer = [] {
        auto secret = crypto::Base64UrlDecode(
            "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"
        );
        GW_FUZZ_CHECK(secret.has_value());
        auto key = crypto::JwtSigningKey::FromHmacSecret(*secret);
        GW_FUZZ_CHECK(key.has_value());
        return *key;
    }();
    return signer;
}

crypto::JwtVerifyOptions OptionsFor(std::uint8_t bits) {
    crypto::JwtVerifyOptions o;
    o.allowed_algs = {
        crypto::JwtAlg::kHs256, crypto::JwtAlg::kRs256, crypto::JwtAlg::kEs256, crypto::JwtAlg::kEdDsa};
    if ((bits & 0x02) != 0) {
        o.allowed_algs = {crypto::JwtAlg::kRs256, crypto::JwtAlg::kHs256};
    }
    o.clock = [] { return crypto::test::kRfcNow; };
    o.require_exp = (bits & 0x04) != 0;
    o.require_kid = (bits & 0x08) != 0;
    if ((bits & 0x10) != 0) {
        o.issuers = {"joe", "https://issuer.example"};
    }
    if ((bits & 0x20) != 0) {
        o.audiences = {"gateway"};
    }
    if ((bits & 0x40) != 0) {
        o.allowed_types = {"JWT", "at+jwt"};
    }
    return o;
}

/// Reads every claim accessor of an accepted token (they parse lazily / walk JSON pointers).
void TouchClaims(const crypto::VerifiedJwt& jwt) {
    (void)jwt.issuer();
    (void)jwt.subject();
    (void)jwt.audience();
    (void)jwt.expires_at();
    (void)jwt.not_before();
    (void)jwt.issued_at();
    (void)jwt.jwt_id();
    for (const std::string& name : jwt.ClaimNames()) {
        GW_FUZZ_CHECK(jwt.HasClaim(name));
        (void)jwt.GetString(name);
        (void)jwt.GetStringArray(name);
        (void)jwt.GetInt(name);
        (void)jwt.GetBool(name);
        GW_FUZZ_CHECK(jwt.GetJson(name).has_value());
    }
    for (const std::string_view pointer :
         {"", "/", "/realm_access/roles", "/a/0", "/a/-", "/~0~1", "/x/01", "/~2"}) {
        (void)jwt.GetStringAt(pointer);
        (void)jwt.GetStringArrayAt(pointer);
        (void)jwt.GetJsonAt(pointer);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    gw::fuzz::FuzzInput in(data, size);
    const std::uint8_t mode = in.TakeByte();
    const crypto::JwtVerifyOptions options = OptionsFor(mode);

    std::string token;
    std::string_view signed_payload;
    const bool signed_mode = (mode & 0x01) != 0;
    if (signed_mode) {
        const std::string_view header = in.TakeUntil('\0');
        signed_payload = in.Rest();
        auto compact = crypto::SignJwsCompact(crypto::JwtAlg::kHs256, HmacSigner(), header, signed_payload);
        GW_FUZZ_CHECK(compact.has_value());
        token = std::move(*compact);
    } else {
        token = std::string(in.Rest());
    }

    auto jwt = crypto::VerifyJwt(token, options, Keys());
    if (!jwt) {
        GW_FUZZ_CHECK(jwt.error().code == gw::ErrorCode::kUnauthenticated);
        GW_FUZZ_CHECK(crypto::JwtFailureOf(jwt.error()).has_value());
        return 0;
    }
    bool allowed = false;
    for (const crypto::JwtAlg alg : options.allowed_algs) {
        allowed = allowed || alg == jwt->alg();
    }
    GW_FUZZ_CHECK(allowed);
    if (signed_mode) {
        GW_FUZZ_CHECK(jwt->alg() == crypto::JwtAlg::kHs256);
        GW_FUZZ_CHECK(jwt->payload_json() == signed_payload);
    }
    TouchClaims(*jwt);
    return 0;
}
