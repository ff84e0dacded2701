#include "crypto/jwt.hpp"

#include <gtest/gtest.h>

#include "crypto/encoding.hpp"
#include "crypto/internal/jwt_signature.hpp"
#include "crypto/jwt_sign.hpp"
#include "crypto/jwt_test_vectors.hpp"

namespace gw::crypto {
namespace {

constexpr std::int64_t kNow = 1'700'000'000;

JwtVerifyOptions Options(std::vector<JwtAlg> algs, std::int64_t now = kNow) {
    JwtVerifyOptions o;
    o.allowed_algs = std::move(algs);
    o.clock = [now] { return now; };
    return o;
}

JwkSet SetOf(std::initializer_list<std::string_view> jwks, bool allow_symmetric = false) {
    JwkSet set;
    for (const std::string_view json : jwks) {
        auto key = Jwk::FromJson(json, allow_symmetric);
        EXPECT_TRUE(key) << json;
        if (key) {
            set.Add(*key);
        }
    }
    return set;
}

std::optional<JwtFailure> FailureOf(const Result<VerifiedJwt>& r) {
    return r ? std::nullopt : JwtFailureOf(r.error());
}

TEST(JwtTest, VerifiesRfc7515HmacExample) {
    const JwkSet keys = SetOf({test::kRfc7515A1Jwk}, /*allow_symmetric=*/true);
    auto jwt = VerifyJwt(test::kRfc7515A1Token, Options({JwtAlg::kHs256}, test::kRfcNow), keys);
    ASSERT_TRUE(jwt) << jwt.error().message;
    EXPECT_EQ(jwt->alg(), JwtAlg::kHs256);
    EXPECT_EQ(jwt->type(), "JWT");
    EXPECT_EQ(jwt->issuer(), "joe");
    EXPECT_EQ(jwt->expires_at(), test::kRfcExp);
    EXPECT_EQ(jwt->GetBool("http://example.com/is_root"), true);
    EXPECT_EQ(jwt->payload_json(), test::kRfc7515Payload);
    EXPECT_EQ(jwt->header_json(), test::kRfc7515A1Header);
}

TEST(JwtTest, SigningReproducesRfc7515HmacExampleExactly) {
    auto k = Base64UrlDecode(
        "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"
    );
    ASSERT_TRUE(k);
    auto signer = JwtSigningKey::FromHmacSecret(*k);
    ASSERT_TRUE(signer);
    auto token = SignJwsCompact(JwtAlg::kHs256, *signer, test::kRfc7515A1Header, test::kRfc7515Payload);
    ASSERT_TRUE(token);
    EXPECT_EQ(*token, test::kRfc7515A1Token);
}

TEST(JwtTest, VerifiesRfc7515RsaExample) {
    const JwkSet keys = SetOf({test::kRfc7515A2Jwk});
    auto jwt = VerifyJwt(test::kRfc7515A2Token, Options({JwtAlg::kRs256}, test::kRfcNow), keys);
    ASSERT_TRUE(jwt) << jwt.error().message;
    EXPECT_EQ(jwt->alg(), JwtAlg::kRs256);
    EXPECT_EQ(jwt->issuer(), "joe");
}

TEST(JwtTest, VerifiesRfc7515EcdsaExample) {
    const JwkSet keys = SetOf({test::kRfc7515A3Jwk});
    auto jwt = VerifyJwt(test::kRfc7515A3Token, Options({JwtAlg::kEs256}, test::kRfcNow), keys);
    ASSERT_TRUE(jwt) << jwt.error().message;
    EXPECT_EQ(jwt->alg(), JwtAlg::kEs256);
}

TEST(JwtTest, RfcExamplesExpireAtTheirExpClaim) {
    const JwkSet keys = SetOf({test::kRfc7515A2Jwk});
    auto late = VerifyJwt(test::kRfc7515A2Token, Options({JwtAlg::kRs256}, test::kRfcExp + 60), keys);
    EXPECT_EQ(FailureOf(late), JwtFailure::kExpired);
    auto within_leeway =
        VerifyJwt(test::kRfc7515A2Token, Options({JwtAlg::kRs256}, test::kRfcExp + 59), keys);
    EXPECT_TRUE(within_leeway);
}

TEST(JwtTest, Rfc8037EdDsaExampleSignsAndVerifies) {
    auto seed = Base64UrlDecode(test::kRfc8037Seed);
    ASSERT_TRUE(seed);
    auto pair = Ed25519KeyPair::FromSeed(*seed);
    ASSERT_TRUE(pair);
    auto signer = JwtSigningKey::FromEd25519(*pair);
    ASSERT_TRUE(signer);
    auto token = SignJwsCompact(JwtAlg::kEdDsa, *signer, R"({"alg":"EdDSA"})", "Example of Ed25519 signing");
    ASSERT_TRUE(token);
    EXPECT_EQ(*token, test::kRfc8037Token);

    auto key = Jwk::FromJson(test::kRfc8037Jwk);
    ASSERT_TRUE(key);
    const std::string_view t = test::kRfc8037Token;
    auto sig = Base64UrlDecode(t.substr(t.rfind('.') + 1));
    ASSERT_TRUE(sig);
    EXPECT_TRUE(internal::VerifyJwsSignature(JwtAlg::kEdDsa, *key, t.substr(0, t.rfind('.')), *sig));
    // The example payload is not a JSON object: the signature passes, the claims do not.
    JwkSet keys;
    keys.Add(*key);
    EXPECT_EQ(FailureOf(VerifyJwt(t, Options({JwtAlg::kEdDsa}), keys)), JwtFailure::kMalformed);
}

class JwtRoundTripTest : public ::testing::TestWithParam<JwtAlg> {};

TEST_P(JwtRoundTripTest, SignedTokenVerifiesAndExposesClaims) {
    const JwtAlg alg = GetParam();
    auto signer = JwtSigningKey::Generate(alg);
    auto decoy = JwtSigningKey::Generate(alg);
    ASSERT_TRUE(signer && decoy);
    JwkSet keys;
    keys.Add(*decoy->VerificationKey("old"));
    keys.Add(*signer->VerificationKey("current"));
    const std::string claims = R"({"iss":"https://idp.example","sub":"alice","aud":["gw","other"],"exp":)" +
                               std::to_string(kNow + 300) + R"(,"iat":)" + std::to_string(kNow) +
                               R"(,"scope":"a b","roles":["admin","dev"],"n":42,"f":1.5,"ok":true,)"
                               R"("realm_access":{"roles":["r1","r2"]},"a/b":"slash","jti":"id-1"})";
    auto token = SignJwt(alg, *signer, claims, {.kid = "current"});
    ASSERT_TRUE(token) << token.error().message;
    JwtVerifyOptions o = Options({alg});
    o.issuers = {"https://idp.example"};
    o.audiences = {"gw"};
    o.allowed_types = {"jwt"};
    auto jwt = VerifyJwt(*token, o, keys);
    ASSERT_TRUE(jwt) << jwt.error().message;
    EXPECT_EQ(jwt->alg(), alg);
    EXPECT_EQ(jwt->kid(), "current");
    EXPECT_EQ(jwt->subject(), "alice");
    EXPECT_EQ(jwt->audience(), (std::vector<std::string>{"gw", "other"}));
    EXPECT_EQ(jwt->issued_at(), kNow);
    EXPECT_EQ(jwt->not_before(), std::nullopt);
    EXPECT_EQ(jwt->jwt_id(), "id-1");
    EXPECT_EQ(jwt->GetString("scope"), "a b");
    EXPECT_EQ(jwt->GetStringArray("scope"), (std::vector<std::string>{"a b"}));
    EXPECT_EQ(jwt->GetStringArray("roles"), (std::vector<std::string>{"admin", "dev"}));
    EXPECT_EQ(jwt->GetInt("n"), 42);
    EXPECT_EQ(jwt->GetInt("f"), std::nullopt);
    EXPECT_EQ(jwt->GetString("n"), std::nullopt);
    EXPECT_EQ(jwt->GetBool("ok"), true);
    EXPECT_EQ(jwt->GetJson("realm_access"), R"({"roles":["r1","r2"]})");
    EXPECT_EQ(jwt->GetStringArrayAt("/realm_access/roles"), (std::vector<std::string>{"r1", "r2"}));
    EXPECT_EQ(jwt->GetStringAt("/realm_access/roles/1"), "r2");
    EXPECT_EQ(jwt->GetStringAt("/a~1b"), "slash");
    EXPECT_EQ(jwt->GetStringAt("realm_access"), std::nullopt);
    EXPECT_EQ(jwt->GetJsonAt("/missing"), std::nullopt);
    EXPECT_TRUE(jwt->HasClaim("sub"));
    EXPECT_FALSE(jwt->HasClaim("nope"));
    EXPECT_EQ(jwt->ClaimNames().size(), 13U);

    // The decoy key under the token's kid does not verify it.
    auto wrong_kid = SignJwt(alg, *signer, claims, {.kid = "old"});
    ASSERT_TRUE(wrong_kid);
    EXPECT_EQ(FailureOf(VerifyJwt(*wrong_kid, o, keys)), JwtFailure::kBadSignature);
    // Without a kid every compatible key is tried.
    auto no_kid = SignJwt(alg, *signer, claims, {.kid = ""});
    ASSERT_TRUE(no_kid);
    EXPECT_TRUE(VerifyJwt(*no_kid, o, keys));
    o.require_kid = true;
    EXPECT_EQ(FailureOf(VerifyJwt(*no_kid, o, keys)), JwtFailure::kUnknownKid);
}

INSTANTIATE_TEST_SUITE_P(
    AllAlgs,
    JwtRoundTripTest,
    ::testing::Values(JwtAlg::kHs256, JwtAlg::kRs256, JwtAlg::kEs256, JwtAlg::kEdDsa),
    [](const auto& param_info) { return std::string(JwtAlgName(param_info.param)); }
);

class JwtClaimsTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto s = JwtSigningKey::FromHmacSecret(std::string(32, 'x'));
        ASSERT_TRUE(s);
        signer_.emplace(*s);
        keys_.Add(*signer_->VerificationKey("k"));
    }

    Result<VerifiedJwt> Verify(const std::string& claims, JwtVerifyOptions o) {
        auto token = SignJwt(JwtAlg::kHs256, *signer_, claims, {.kid = "k"});
        EXPECT_TRUE(token) << claims;
        return VerifyJwt(token ? *token : std::string(), o, keys_);
    }

    static std::string At(std::string_view name, std::int64_t t) {
        return "\"" + std::string(name) + "\":" + std::to_string(t);
    }

    std::optional<JwtSigningKey> signer_;
    JwkSet keys_;
};

TEST_F(JwtClaimsTest, ExpIsRequiredByDefault) {
    EXPECT_EQ(FailureOf(Verify(R"({"sub":"a"})", Options({JwtAlg::kHs256}))), JwtFailure::kMissingClaim);
    JwtVerifyOptions o = Options({JwtAlg::kHs256});
    o.require_exp = false;
    EXPECT_TRUE(Verify(R"({"sub":"a"})", o));
}

TEST_F(JwtClaimsTest, TimeClaimsHonourLeeway) {
    const auto o = Options({JwtAlg::kHs256});
    EXPECT_TRUE(Verify("{" + At("exp", kNow - 59) + "}", o));
    EXPECT_EQ(FailureOf(Verify("{" + At("exp", kNow - 60) + "}", o)), JwtFailure::kExpired);
    EXPECT_TRUE(Verify("{" + At("exp", kNow + 100) + "," + At("nbf", kNow + 60) + "}", o));
    EXPECT_EQ(
        FailureOf(Verify("{" + At("exp", kNow + 100) + "," + At("nbf", kNow + 61) + "}", o)),
        JwtFailure::kNotYetValid
    );
    EXPECT_EQ(
        FailureOf(Verify("{" + At("exp", kNow + 100) + "," + At("iat", kNow + 61) + "}", o)),
        JwtFailure::kNotYetValid
    );
    JwtVerifyOptions strict = o;
    strict.leeway = std::chrono::seconds(0);
    EXPECT_EQ(FailureOf(Verify("{" + At("exp", kNow) + "}", strict)), JwtFailure::kExpired);
    EXPECT_TRUE(Verify("{" + At("exp", kNow + 1) + "}", strict));
    JwtVerifyOptions huge = o;
    huge.leeway = std::chrono::seconds(std::numeric_limits<std::int64_t>::max());
    EXPECT_EQ(FailureOf(Verify(R"({"exp":-9223372036854775808})", huge)), JwtFailure::kExpired);
}

TEST_F(JwtClaimsTest, NonNumericTimeClaimsAreMalformed) {
    const auto o = Options({JwtAlg::kHs256});
    EXPECT_EQ(FailureOf(Verify(R"({"exp":"1700000100"})", o)), JwtFailure::kMalformed);
    EXPECT_EQ(FailureOf(Verify(R"({"exp":1e300})", o)), JwtFailure::kMalformed);
    EXPECT_EQ(FailureOf(Verify(R"({"exp":18446744073709551615})", o)), JwtFailure::kMalformed);
    EXPECT_EQ(FailureOf(Verify("{" + At("exp", kNow + 10) + R"(,"nbf":null})", o)), JwtFailure::kMalformed);
    EXPECT_TRUE(Verify(R"({"exp":1700000100.75})", o));
}

TEST_F(JwtClaimsTest, IssuerMustMatchExactly) {
    JwtVerifyOptions o = Options({JwtAlg::kHs256});
    o.issuers = {"https://a", "https://b"};
    const std::string exp = At("exp", kNow + 100);
    EXPECT_TRUE(Verify("{" + exp + R"(,"iss":"https://b"})", o));
    EXPECT_EQ(FailureOf(Verify("{" + exp + R"(,"iss":"https://b/"})", o)), JwtFailure::kBadIssuer);
    EXPECT_EQ(FailureOf(Verify("{" + exp + R"(,"iss":["https://a"]})", o)), JwtFailure::kBadIssuer);
    EXPECT_EQ(FailureOf(Verify("{" + exp + "}", o)), JwtFailure::kBadIssuer);
}

TEST_F(JwtClaimsTest, AudienceMustIntersect) {
    JwtVerifyOptions o = Options({JwtAlg::kHs256});
    o.audiences = {"gw"};
    const std::string exp = At("exp", kNow + 100);
    EXPECT_TRUE(Verify("{" + exp + R"(,"aud":"gw"})", o));
    EXPECT_TRUE(Verify("{" + exp + R"(,"aud":["x","gw"]})", o));
    EXPECT_EQ(FailureOf(Verify("{" + exp + R"(,"aud":"gw2"})", o)), JwtFailure::kBadAudience);
    EXPECT_EQ(FailureOf(Verify("{" + exp + R"(,"aud":[]})", o)), JwtFailure::kBadAudience);
    EXPECT_EQ(FailureOf(Verify("{" + exp + R"(,"aud":[["gw"]]})", o)), JwtFailure::kBadAudience);
    EXPECT_EQ(FailureOf(Verify("{" + exp + "}", o)), JwtFailure::kBadAudience);
}

TEST_F(JwtClaimsTest, TypeIsComparedCaseInsensitivelyWithoutApplicationPrefix) {
    JwtVerifyOptions o = Options({JwtAlg::kHs256});
    o.allowed_types = {"at+jwt"};
    const std::string claims = "{" + At("exp", kNow + 100) + "}";
    auto sign = [&](std::string typ) {
        auto t = SignJwt(JwtAlg::kHs256, *signer_, claims, {.kid = "k", .typ = std::move(typ)});
        return VerifyJwt(t ? *t : std::string(), o, keys_);
    };
    EXPECT_TRUE(sign("application/AT+JWT"));
    EXPECT_TRUE(sign("at+jwt"));
    EXPECT_EQ(FailureOf(sign("JWT")), JwtFailure::kBadType);
    EXPECT_EQ(FailureOf(sign("")), JwtFailure::kBadType);
}

TEST(JwtFailureTest, ReasonPrefixRoundTrips) {
    for (const JwtFailure f :
         {JwtFailure::kMalformed,
          JwtFailure::kExpired,
          JwtFailure::kBadAudience,
          JwtFailure::kKeyMismatch,
          JwtFailure::kNotYetValid}) {
        const Error e =
            MakeError(ErrorCode::kUnauthenticated, "jwt " + std::string(JwtFailureName(f)) + ": x");
        EXPECT_EQ(JwtFailureOf(e), f);
    }
    EXPECT_EQ(JwtFailureOf(MakeError(ErrorCode::kInternal, "jwt expired: x")), std::nullopt);
    EXPECT_EQ(JwtFailureOf(MakeError(ErrorCode::kUnauthenticated, "jwt expiredx: x")), std::nullopt);
}

}  // namespace
}  // namespace gw::crypto
