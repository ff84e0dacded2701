#include "crypto/jwk.hpp"

#include <gtest/gtest.h>

#include "crypto/jwt_sign.hpp"
#include "crypto/jwt_test_vectors.hpp"

namespace gw::crypto {
namespace {

TEST(JwkTest, ParsesRfcExampleKeysOfEveryType) {
    auto rsa = Jwk::FromJson(test::kRfc7515A2Jwk);
    ASSERT_TRUE(rsa) << rsa.error().message;
    EXPECT_EQ(rsa->type(), JwkType::kRsa);
    EXPECT_EQ(rsa->kid(), "rfc7515-a2");
    auto ec = Jwk::FromJson(test::kRfc7515A3Jwk);
    ASSERT_TRUE(ec) << ec.error().message;
    EXPECT_EQ(ec->type(), JwkType::kEc);
    auto okp = Jwk::FromJson(test::kRfc8037Jwk);
    ASSERT_TRUE(okp) << okp.error().message;
    EXPECT_EQ(okp->type(), JwkType::kOkp);
    auto oct = Jwk::FromJson(test::kRfc7515A1Jwk, /*allow_symmetric=*/true);
    ASSERT_TRUE(oct) << oct.error().message;
    EXPECT_EQ(oct->type(), JwkType::kOct);
    EXPECT_EQ(oct->kid(), "");
}

TEST(JwkTest, SymmetricKeysNeedExplicitOptIn) {
    EXPECT_FALSE(Jwk::FromJson(test::kRfc7515A1Jwk));
    auto set = JwkSet::Parse(std::string(R"({"keys":[)") + std::string(test::kRfc7515A1Jwk) + "]}");
    ASSERT_TRUE(set);
    EXPECT_TRUE(set->empty());
    EXPECT_EQ(set->skipped().size(), 1U);
}

TEST(JwkTest, CanVerifyOnlyItsOwnAlgorithmFamily) {
    auto rsa = Jwk::FromJson(test::kRfc7515A2Jwk);
    auto ec = Jwk::FromJson(test::kRfc7515A3Jwk);
    auto okp = Jwk::FromJson(test::kRfc8037Jwk);
    auto oct = Jwk::FromHmacSecret(std::string(32, 'k'), "h");
    ASSERT_TRUE(rsa && ec && okp && oct);
    const std::pair<const Jwk*, JwtAlg> matching[] = {
        {&*rsa, JwtAlg::kRs256}, {&*ec, JwtAlg::kEs256}, {&*okp, JwtAlg::kEdDsa}, {&*oct, JwtAlg::kHs256}};
    for (const auto& [key, own] : matching) {
        for (const JwtAlg alg : {JwtAlg::kHs256, JwtAlg::kRs256, JwtAlg::kEs256, JwtAlg::kEdDsa}) {
            EXPECT_EQ(key->CanVerify(alg), alg == own) << JwtAlgName(own) << " key, " << JwtAlgName(alg);
        }
    }
}

TEST(JwkTest, AlgUseAndKeyOpsRestrictVerification) {
    const std::string n_e =
        std::string(test::kRfc7515A2Jwk).substr(std::string(test::kRfc7515A2Jwk).find("\"e\""));
    auto with = [&](std::string_view extra) {
        return Jwk::FromJson("{\"kty\":\"RSA\"," + std::string(extra) + n_e);
    };
    auto alg_ok = with(R"("alg":"RS256",)");
    auto alg_other = with(R"("alg":"PS256",)");
    auto use_enc = with(R"("use":"enc",)");
    auto use_sig = with(R"("use":"sig",)");
    auto ops_sign_only = with(R"("key_ops":["sign"],)");
    auto ops_verify = with(R"("key_ops":["verify"],)");
    ASSERT_TRUE(alg_ok && alg_other && use_enc && use_sig && ops_sign_only && ops_verify);
    EXPECT_TRUE(alg_ok->CanVerify(JwtAlg::kRs256));
    EXPECT_FALSE(alg_other->CanVerify(JwtAlg::kRs256));
    EXPECT_FALSE(use_enc->CanVerify(JwtAlg::kRs256));
    EXPECT_TRUE(use_sig->CanVerify(JwtAlg::kRs256));
    EXPECT_FALSE(ops_sign_only->CanVerify(JwtAlg::kRs256));
    EXPECT_TRUE(ops_verify->CanVerify(JwtAlg::kRs256));
    EXPECT_FALSE(with(R"("kid":7,)"));
    EXPECT_FALSE(with(R"("key_ops":"verify",)"));
}

TEST(JwkTest, RejectsMalformedAndWeakKeys) {
    const std::string cases[] = {
        "",
        "[]",
        "{}",
        R"({"kty":"RSA","n":"AQAB"})",
        R"({"kty":"RSA","n":"AQAB","e":"AQAB"})",  // tiny modulus
        R"({"kty":"EC","crv":"P-384","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"})",
        R"({"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a1"})",
        R"({"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"})",
        R"({"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU"})",
        R"({"kty":"OKP","crv":"X25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"})",
        R"({"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHUR"})",
        R"({"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo="})",
        R"({"kty":"oct","k":"c2hvcnQ"})",
        R"({"kty":"PQC","x":"AA"})",
        R"({"kty":"OKP","kty":"RSA","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"})",
    };
    for (const std::string& json : cases) {
        auto key = Jwk::FromJson(json, /*allow_symmetric=*/true);
        ASSERT_FALSE(key) << json;
        EXPECT_EQ(key.error().code, ErrorCode::kInvalidArgument) << json;
    }
}

TEST(JwkTest, RejectsEvenOrUnitRsaExponent) {
    std::string json(test::kRfc7515A2Jwk);
    const auto pos = json.find("\"e\":\"AQAB\"");
    ASSERT_NE(pos, std::string::npos);
    EXPECT_FALSE(Jwk::FromJson(std::string(json).replace(pos, 10, "\"e\":\"AQ\"")));    // e = 1
    EXPECT_FALSE(Jwk::FromJson(std::string(json).replace(pos, 10, "\"e\":\"AQAC\"")));  // e even
}

TEST(JwkTest, SetSkipsUnsupportedKeysAndFindsByKid) {
    const std::string doc = std::string(R"({"keys":[)") + std::string(test::kRfc7515A2Jwk) + "," +
                            std::string(test::kRfc7515A3Jwk) + "," + std::string(test::kRfc8037Jwk) + "," +
                            R"({"kty":"EC","kid":"p384","crv":"P-384","x":"AA","y":"AA"},)" + R"("junk",)" +
                            R"({"kty":"RSA","kid":"small","n":"AQAB","e":"AQAB"}]})";
    auto set = JwkSet::Parse(doc);
    ASSERT_TRUE(set) << set.error().message;
    EXPECT_EQ(set->size(), 3U);
    ASSERT_EQ(set->skipped().size(), 3U);
    EXPECT_NE(set->skipped()[0].find("p384"), std::string::npos);
    EXPECT_EQ(set->FindKeys(std::string_view("rfc7515-a3")).size(), 1U);
    EXPECT_EQ(set->FindKeys(std::string_view("nope")).size(), 0U);
    EXPECT_EQ(set->FindKeys(std::nullopt).size(), 3U);
}

TEST(JwkTest, SetParseRejectsMalformedDocuments) {
    EXPECT_FALSE(JwkSet::Parse("not json"));
    EXPECT_FALSE(JwkSet::Parse(R"({"keys":{}})"));
    EXPECT_FALSE(JwkSet::Parse(R"({"kids":[]})"));
    EXPECT_FALSE(JwkSet::Parse(R"({"keys":[],"keys":[]})"));
    std::string many = R"({"keys":[)";
    for (int i = 0; i < 101; ++i) {
        many += (i ? ",{}" : "{}");
    }
    many += "]}";
    EXPECT_FALSE(JwkSet::Parse(many));
    EXPECT_FALSE(JwkSet::Parse(std::string(2 << 20, ' ')));
    auto empty = JwkSet::Parse(R"({"keys":[]})");
    ASSERT_TRUE(empty);
    EXPECT_TRUE(empty->empty());
}

TEST(JwkTest, PublicJsonRoundTripsForGeneratedKeys) {
    for (const JwtAlg alg : {JwtAlg::kRs256, JwtAlg::kEs256, JwtAlg::kEdDsa}) {
        auto signer = JwtSigningKey::Generate(alg);
        ASSERT_TRUE(signer);
        auto key = signer->VerificationKey("k1");
        ASSERT_TRUE(key);
        auto json = key->ToPublicJson();
        ASSERT_TRUE(json) << json.error().message;
        auto again = Jwk::FromJson(*json);
        ASSERT_TRUE(again) << *json;
        EXPECT_EQ(again->kid(), "k1");
        EXPECT_EQ(again->type(), key->type());
        auto json_again = again->ToPublicJson();
        ASSERT_TRUE(json_again);
        EXPECT_EQ(*json_again, *json);
    }
    auto hmac = Jwk::FromHmacSecret(std::string(32, 's'), "h");
    ASSERT_TRUE(hmac);
    EXPECT_FALSE(hmac->ToPublicJson());
}

TEST(JwkTest, PublicKeyPemImportsSupportedTypesOnly) {
    for (const JwtAlg alg : {JwtAlg::kRs256, JwtAlg::kEs256, JwtAlg::kEdDsa}) {
        auto signer = JwtSigningKey::Generate(alg);
        ASSERT_TRUE(signer);
        auto pem = signer->PublicKeyPem();
        ASSERT_TRUE(pem);
        auto key = Jwk::FromPublicKeyPem(*pem, "pem");
        ASSERT_TRUE(key) << key.error().message;
        EXPECT_TRUE(key->CanVerify(alg));
    }
    EXPECT_FALSE(Jwk::FromPublicKeyPem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "x"));
    EXPECT_FALSE(Jwk::FromPublicKeyPem("", "x"));
}

TEST(JwkTest, HmacSecretsMustBeAtLeast32Bytes) {
    EXPECT_FALSE(Jwk::FromHmacSecret(std::string(31, 'x'), "short"));
    EXPECT_TRUE(Jwk::FromHmacSecret(std::string(32, 'x'), "ok"));
    EXPECT_FALSE(JwtSigningKey::FromHmacSecret(std::string(31, 'x')));
}

TEST(JwkTest, AlgNamesAreExactAndCaseSensitive) {
    EXPECT_EQ(JwtAlgFromName("RS256"), JwtAlg::kRs256);
    EXPECT_EQ(JwtAlgFromName("EdDSA"), JwtAlg::kEdDsa);
    for (const std::string_view bad : {"none", "None", "NONE", "rs256", "HS512", "RS256 ", "", "EDDSA"}) {
        EXPECT_EQ(JwtAlgFromName(bad), std::nullopt) << bad;
    }
}

}  // namespace
}  // namespace gw::crypto
