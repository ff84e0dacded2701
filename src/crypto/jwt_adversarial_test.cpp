// Hostile tokens: every one must be refused with the right reason, and none may crash (ASan/UBSan).
#include <random>

#include <gtest/gtest.h>

#include "crypto/encoding.hpp"
#include "crypto/jwt.hpp"
#include "crypto/jwt_sign.hpp"

namespace gw::crypto {
namespace {

constexpr std::int64_t kNow = 1'700'000'000;

/// Records the kid the verifier asked for, to prove header keys are never used for lookup.
class RecordingLookup final : public KeyLookup {
public:
    explicit RecordingLookup(const JwkSet& set) : set_(set) {}

    std::vector<Jwk> FindKeys(std::optional<std::string_view> kid) const override {
        asked.emplace_back(kid ? std::optional<std::string>(std::string(*kid)) : std::nullopt);
        return set_.FindKeys(kid);
    }

    mutable std::vector<std::optional<std::string>> asked;

private:
    const JwkSet& set_;
};

class JwtAdversarialTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        rsa_ = new JwtSigningKey(*JwtSigningKey::Generate(JwtAlg::kRs256));
        ec_ = new JwtSigningKey(*JwtSigningKey::Generate(JwtAlg::kEs256));
        ed_ = new JwtSigningKey(*JwtSigningKey::Generate(JwtAlg::kEdDsa));
        attacker_rsa_ = new JwtSigningKey(*JwtSigningKey::Generate(JwtAlg::kRs256));
        keys_ = new JwkSet();
        keys_->Add(*rsa_->VerificationKey("rsa"));
        keys_->Add(*ec_->VerificationKey("ec"));
        keys_->Add(*ed_->VerificationKey("ed"));
    }

    static void TearDownTestSuite() {
        delete rsa_;
        delete ec_;
        delete ed_;
        delete attacker_rsa_;
        delete keys_;
    }

    static JwtVerifyOptions AllAlgs() {
        JwtVerifyOptions o;
        o.allowed_algs = {JwtAlg::kHs256, JwtAlg::kRs256, JwtAlg::kEs256, JwtAlg::kEdDsa};
        o.clock = [] { return kNow; };
        return o;
    }

    static std::string Claims() { return R"({"sub":"alice","exp":)" + std::to_string(kNow + 300) + "}"; }

    static std::optional<JwtFailure> Check(std::string_view token, const JwtVerifyOptions& o = AllAlgs()) {
        auto r = VerifyJwt(token, o, *keys_);
        if (r) {
            ADD_FAILURE() << "accepted: " << token;
            return std::nullopt;
        }
        EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated);
        auto f = JwtFailureOf(r.error());
        EXPECT_TRUE(f) << r.error().message;
        return f;
    }

    static std::string Unsigned(
        std::string_view header, std::string_view payload, std::string_view sig = ""
    ) {
        return Base64UrlEncode(header) + "." + Base64UrlEncode(payload) + "." + std::string(sig);
    }

    static std::string Valid(JwtAlg alg = JwtAlg::kRs256, std::string kid = "rsa") {
        const JwtSigningKey& k = alg == JwtAlg::kRs256 ? *rsa_ : (alg == JwtAlg::kEs256 ? *ec_ : *ed_);
        return *SignJwt(alg, k, Claims(), {.kid = std::move(kid)});
    }

    static inline JwtSigningKey* rsa_ = nullptr;
    static inline JwtSigningKey* ec_ = nullptr;
    static inline JwtSigningKey* ed_ = nullptr;
    static inline JwtSigningKey* attacker_rsa_ = nullptr;
    static inline JwkSet* keys_ = nullptr;
};

TEST_F(JwtAdversarialTest, ValidTokensOfEachTypeAreAccepted) {
    // Baseline so the refusals below are meaningful.
    EXPECT_TRUE(VerifyJwt(Valid(JwtAlg::kRs256, "rsa"), AllAlgs(), *keys_));
    EXPECT_TRUE(VerifyJwt(Valid(JwtAlg::kEs256, "ec"), AllAlgs(), *keys_));
    EXPECT_TRUE(VerifyJwt(Valid(JwtAlg::kEdDsa, "ed"), AllAlgs(), *keys_));
}

TEST_F(JwtAdversarialTest, AlgNoneIsRefusedInEveryCase) {
    const std::string valid = Valid();
    const std::string sig = valid.substr(valid.rfind('.') + 1);
    for (const std::string alg : {"none", "None", "NONE", "nOnE", "none ", ""}) {
        const std::string header = R"({"alg":")" + alg + R"(","kid":"rsa"})";
        EXPECT_EQ(Check(Unsigned(header, Claims())), JwtFailure::kAlgNotAllowed) << alg;
        EXPECT_EQ(Check(Unsigned(header, Claims(), sig)), JwtFailure::kAlgNotAllowed) << alg;
    }
    EXPECT_EQ(Check(Unsigned(R"({"alg":null})", Claims())), JwtFailure::kMalformed);
    EXPECT_EQ(Check(Unsigned(R"({"alg":["RS256"]})", Claims())), JwtFailure::kMalformed);
    EXPECT_EQ(Check(Unsigned(R"({"typ":"JWT"})", Claims())), JwtFailure::kMalformed);
}

TEST_F(JwtAdversarialTest, AlgOutsideTheAllowlistIsRefused) {
    JwtVerifyOptions only_es = AllAlgs();
    only_es.allowed_algs = {JwtAlg::kEs256};
    EXPECT_EQ(Check(Valid(), only_es), JwtFailure::kAlgNotAllowed);
    JwtVerifyOptions empty = AllAlgs();
    empty.allowed_algs.clear();
    EXPECT_EQ(Check(Valid(JwtAlg::kEs256, "ec"), empty), JwtFailure::kAlgNotAllowed);
    EXPECT_EQ(
        Check(Unsigned(R"({"alg":"HS512","kid":"rsa"})", Claims(), "AAAA")), JwtFailure::kAlgNotAllowed
    );
    EXPECT_EQ(
        Check(Unsigned(R"({"alg":"PS256","kid":"rsa"})", Claims(), "AAAA")), JwtFailure::kAlgNotAllowed
    );
}

TEST_F(JwtAdversarialTest, RsaPublicKeyUsedAsHmacSecretIsRefused) {
    // The classic RS256 -> HS256 confusion: HMAC with the (public) PEM text as the secret.
    const std::string pem = *rsa_->PublicKeyPem();
    auto forger = JwtSigningKey::FromHmacSecret(pem);
    ASSERT_TRUE(forger);
    for (const std::string kid : {"rsa", ""}) {
        auto forged = SignJwt(JwtAlg::kHs256, *forger, Claims(), {.kid = kid});
        ASSERT_TRUE(forged);
        EXPECT_EQ(Check(*forged), JwtFailure::kKeyMismatch) << kid;
    }
    // Same for the JWK JSON form and the raw modulus as secrets.
    auto jwk_json = rsa_->VerificationKey("rsa")->ToPublicJson();
    ASSERT_TRUE(jwk_json);
    auto forger2 = JwtSigningKey::FromHmacSecret(*jwk_json);
    ASSERT_TRUE(forger2);
    EXPECT_EQ(Check(*SignJwt(JwtAlg::kHs256, *forger2, Claims(), {.kid = "rsa"})), JwtFailure::kKeyMismatch);
}

TEST_F(JwtAdversarialTest, KeysOfOtherFamiliesNeverVerify) {
    // EdDSA token pointing at the EC key; ES256 token pointing at the RSA key, etc.
    EXPECT_EQ(Check(*SignJwt(JwtAlg::kEdDsa, *ed_, Claims(), {.kid = "ec"})), JwtFailure::kKeyMismatch);
    EXPECT_EQ(Check(*SignJwt(JwtAlg::kEs256, *ec_, Claims(), {.kid = "rsa"})), JwtFailure::kKeyMismatch);
    EXPECT_EQ(Check(*SignJwt(JwtAlg::kRs256, *rsa_, Claims(), {.kid = "ed"})), JwtFailure::kKeyMismatch);
}

TEST_F(JwtAdversarialTest, EmbeddedKeysAndKeyUrlsInTheHeaderAreNeverUsed) {
    const std::string attacker_jwk = *attacker_rsa_->VerificationKey("rsa")->ToPublicJson();
    const std::string headers[] = {
        R"({"alg":"RS256","kid":"rsa","jwk":)" + attacker_jwk + "}",
        R"({"alg":"RS256","jwk":)" + attacker_jwk + "}",
        R"({"alg":"RS256","kid":"rsa","jku":"https://attacker.example/jwks.json"})",
        R"({"alg":"RS256","kid":"rsa","x5u":"https://attacker.example/cert.pem"})",
        R"({"alg":"RS256","kid":"rsa","x5c":["MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"]})",
    };
    for (const std::string& header : headers) {
        auto token = SignJwsCompact(JwtAlg::kRs256, *attacker_rsa_, header, Claims());
        ASSERT_TRUE(token);
        RecordingLookup lookup(*keys_);
        auto r = VerifyJwt(*token, AllAlgs(), lookup);
        ASSERT_FALSE(r) << header;
        EXPECT_EQ(JwtFailureOf(r.error()), JwtFailure::kBadSignature) << header;
        ASSERT_EQ(lookup.asked.size(), 1U);
        const bool has_kid = header.starts_with(R"({"alg":"RS256","kid")");
        EXPECT_EQ(lookup.asked[0], has_kid ? std::optional<std::string>("rsa") : std::nullopt);
    }
}

TEST_F(JwtAdversarialTest, HostileKidValuesAreJustUnknown) {
    for (const std::string& kid : std::vector<std::string>{
             "../../../../dev/null", "' OR '1'='1", std::string("rsa\0", 4), "RSA", std::string(5000, 'k')}) {
        auto token =
            SignJwsCompact(JwtAlg::kRs256, *rsa_, R"({"alg":"RS256","kid":")" + kid + R"("})", Claims());
        ASSERT_TRUE(token);
        const auto f = Check(*token);
        EXPECT_TRUE(f == JwtFailure::kUnknownKid || f == JwtFailure::kMalformed) << kid.substr(0, 20);
    }
    auto numeric_kid = SignJwsCompact(JwtAlg::kRs256, *rsa_, R"({"alg":"RS256","kid":7})", Claims());
    EXPECT_EQ(Check(*numeric_kid), JwtFailure::kMalformed);
    auto unknown = SignJwt(JwtAlg::kRs256, *rsa_, Claims(), {.kid = "rotated-away"});
    EXPECT_EQ(Check(*unknown), JwtFailure::kUnknownKid);
}

TEST_F(JwtAdversarialTest, CritHeaderIsRefusedEvenWhenSigned) {
    auto token = SignJwsCompact(
        JwtAlg::kRs256, *rsa_, R"({"alg":"RS256","kid":"rsa","crit":["exp"],"exp":1})", Claims()
    );
    EXPECT_EQ(Check(*token), JwtFailure::kMalformed);
    auto b64 = SignJwsCompact(
        JwtAlg::kRs256, *rsa_, R"({"alg":"RS256","kid":"rsa","b64":false,"crit":["b64"]})", Claims()
    );
    EXPECT_EQ(Check(*b64), JwtFailure::kMalformed);
}

TEST_F(JwtAdversarialTest, ExpiredFutureAndWrongAudienceOrIssuerAreRefused) {
    auto sign = [](const std::string& claims) {
        return *SignJwt(JwtAlg::kEs256, *ec_, claims, {.kid = "ec"});
    };
    EXPECT_EQ(Check(sign(R"({"exp":)" + std::to_string(kNow - 3600) + "}")), JwtFailure::kExpired);
    EXPECT_EQ(
        Check(sign(
            R"({"exp":)" + std::to_string(kNow + 7200) + R"(,"nbf":)" + std::to_string(kNow + 3600) + "}"
        )),
        JwtFailure::kNotYetValid
    );
    JwtVerifyOptions o = AllAlgs();
    o.audiences = {"gateway"};
    o.issuers = {"https://idp"};
    const std::string exp = R"("exp":)" + std::to_string(kNow + 60);
    EXPECT_EQ(Check(sign("{" + exp + R"(,"iss":"https://idp","aud":"other"})"), o), JwtFailure::kBadAudience);
    EXPECT_EQ(
        Check(sign("{" + exp + R"(,"iss":"https://evil","aud":"gateway"})"), o), JwtFailure::kBadIssuer
    );
    EXPECT_TRUE(VerifyJwt(sign("{" + exp + R"(,"iss":"https://idp","aud":"gateway"})"), o, *keys_));
}

TEST_F(JwtAdversarialTest, TruncatedEmptyAndMisSizedSignaturesAreRefused) {
    for (const JwtAlg alg : {JwtAlg::kRs256, JwtAlg::kEs256, JwtAlg::kEdDsa}) {
        const std::string kid = alg == JwtAlg::kRs256 ? "rsa" : (alg == JwtAlg::kEs256 ? "ec" : "ed");
        const std::string token = Valid(alg, kid);
        const std::string body = token.substr(0, token.rfind('.') + 1);
        const auto sig = *Base64UrlDecode(token.substr(token.rfind('.') + 1));
        std::vector<std::string> bad = {
            body,                                                           // zero-length signature
            body + Base64UrlEncode(std::span(sig.data(), sig.size() - 1)),  // one byte short
            token.substr(0, token.size() - 4),                              // truncated text
            body + Base64UrlEncode(std::vector<std::uint8_t>(sig.size(), 0)),
        };
        std::vector<std::uint8_t> longer = sig;
        longer.push_back(0);
        bad.push_back(body + Base64UrlEncode(longer));
        for (const std::string& t : bad) {
            const auto f = Check(t);
            EXPECT_TRUE(f == JwtFailure::kBadSignature || f == JwtFailure::kMalformed) << JwtAlgName(alg);
        }
    }
}

TEST_F(JwtAdversarialTest, Es256SignaturesMustBeRawRAndS) {
    const std::string token = Valid(JwtAlg::kEs256, "ec");
    const std::string body = token.substr(0, token.rfind('.') + 1);
    const auto raw = *Base64UrlDecode(token.substr(token.rfind('.') + 1));
    ASSERT_EQ(raw.size(), 64U);
    // The same signature DER-encoded (what OpenSSL emits) is not a JWS ES256 signature.
    std::vector<std::uint8_t> der = {0x30, 0x44, 0x02, 0x20};
    der.insert(der.end(), raw.begin(), raw.begin() + 32);
    der.insert(der.end(), {0x02, 0x20});
    der.insert(der.end(), raw.begin() + 32, raw.end());
    EXPECT_EQ(Check(body + Base64UrlEncode(der)), JwtFailure::kBadSignature);
    for (const std::size_t n : {63U, 65U, 96U, 32U}) {
        std::vector<std::uint8_t> resized = raw;
        resized.resize(n, 0);
        EXPECT_EQ(Check(body + Base64UrlEncode(resized)), JwtFailure::kBadSignature) << n;
    }
    // r = 0 / s = 0 and r = s = n (the group order) are invalid.
    std::vector<std::uint8_t> zero_r = raw;
    std::fill(zero_r.begin(), zero_r.begin() + 32, 0);
    EXPECT_EQ(Check(body + Base64UrlEncode(zero_r)), JwtFailure::kBadSignature);
    auto order = *HexDecode("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
    std::vector<std::uint8_t> n_n = order;
    n_n.insert(n_n.end(), order.begin(), order.end());
    EXPECT_EQ(Check(body + Base64UrlEncode(n_n)), JwtFailure::kBadSignature);
}

TEST_F(JwtAdversarialTest, StructuralGarbageIsMalformed) {
    const std::string t = Valid();
    const auto d1 = t.find('.');
    const auto d2 = t.rfind('.');
    const std::string cases[] = {
        "",
        ".",
        "..",
        "...",
        "abc",
        t.substr(0, d2),                                  // two parts
        t + ".",                                          // four parts
        t + "." + t.substr(d2 + 1),                       // four parts, valid sig twice
        t.substr(0, d1) + ".." + t.substr(d2 + 1),        // empty payload
        "." + t.substr(d1 + 1),                           // empty header
        t.substr(0, d1) + "=" + t.substr(d1),             // padded header
        t.substr(0, d2) + "." + t.substr(d2 + 1) + "==",  // padded signature
        " " + t,
        t + "\n",
        t.substr(0, d1) + "+" + t.substr(d1 + 1),      // '+' in header
        t.substr(0, d1 + 1) + "/" + t.substr(d1 + 1),  // '/' in payload
        Unsigned("not json", Claims(), "AAAA"),
        Unsigned("[]", Claims(), "AAAA"),
        Unsigned(R"("RS256")", Claims(), "AAAA"),
        Unsigned(R"({"alg":"RS256","kid":"rsa"} trailing)", Claims(), "AAAA"),
        Unsigned(R"({"alg":"RS256","kid":"rsa",})", Claims(), "AAAA"),
        Unsigned(R"({"alg":"RS256",/*c*/"kid":"rsa"})", Claims(), "AAAA"),
        Unsigned(R"({"alg":"none","alg":"RS256","kid":"rsa"})", Claims(), "AAAA"),  // duplicate alg
        Unsigned(R"({"alg":"RS256","kid":"rsa","kid":"ec"})", Claims(), "AAAA"),
        Unsigned("{\"alg\":\"RS256\",\"kid\":\"\xff\xfe\"}", Claims(), "AAAA"),  // invalid UTF-8
        Unsigned(std::string(40, '[') + std::string(40, ']'), Claims(), "AAAA"),
    };
    for (const std::string& bad : cases) {
        EXPECT_EQ(Check(bad), JwtFailure::kMalformed) << bad.substr(0, 60);
    }
}

TEST_F(JwtAdversarialTest, SignedButMalformedPayloadsAreRefused) {
    for (const std::string& payload : std::vector<std::string>{
             "not json",
             "[1]",
             "null",
             R"({"exp":1,"exp":99999999999})",
             std::string(40, '[') + std::string(40, ']'),
             R"({"sub":"a"} x)"}) {
        auto token = SignJwsCompact(JwtAlg::kRs256, *rsa_, R"({"alg":"RS256","kid":"rsa"})", payload);
        ASSERT_TRUE(token);
        EXPECT_EQ(Check(*token), JwtFailure::kMalformed) << payload;
    }
}

TEST_F(JwtAdversarialTest, OversizedTokensAreRefusedBeforeDecoding) {
    auto big = SignJwt(
        JwtAlg::kEdDsa,
        *ed_,
        R"({"exp":)" + std::to_string(kNow + 60) + R"(,"pad":")" + std::string(20000, 'x') + "\"}",
        {.kid = "ed"}
    );
    ASSERT_TRUE(big);
    EXPECT_EQ(Check(*big), JwtFailure::kMalformed);
    JwtVerifyOptions roomy = AllAlgs();
    roomy.max_token_bytes = 64 * 1024;
    EXPECT_TRUE(VerifyJwt(*big, roomy, *keys_));
    EXPECT_EQ(Check(std::string(1 << 20, 'A')), JwtFailure::kMalformed);
}

TEST_F(JwtAdversarialTest, PayloadTamperingBreaksTheSignature) {
    const std::string t = Valid(JwtAlg::kEdDsa, "ed");
    const auto d1 = t.find('.');
    const auto d2 = t.rfind('.');
    const std::string evil = Base64UrlEncode(R"({"sub":"root","exp":)" + std::to_string(kNow + 300) + "}");
    EXPECT_EQ(Check(t.substr(0, d1 + 1) + evil + t.substr(d2)), JwtFailure::kBadSignature);
    // Header swap: take an RS256 header and the Ed25519 signature.
    const std::string rs = Valid(JwtAlg::kRs256, "rsa");
    EXPECT_NE(Check(rs.substr(0, rs.find('.')) + t.substr(d1)), std::nullopt);
}

TEST_F(JwtAdversarialTest, RandomMutationsNeverVerifyOrCrash) {
    std::mt19937 rng(20240501);  // fixed seed: reproducible
    const std::string alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ \x00\xff";
    for (const JwtAlg alg : {JwtAlg::kRs256, JwtAlg::kEs256, JwtAlg::kEdDsa}) {
        const std::string kid = alg == JwtAlg::kRs256 ? "rsa" : (alg == JwtAlg::kEs256 ? "ec" : "ed");
        const std::string original = Valid(alg, kid);
        for (int i = 0; i < 300; ++i) {
            std::string t = original;
            const int edits = 1 + static_cast<int>(rng() % 3);
            for (int e = 0; e < edits; ++e) {
                const std::size_t pos = rng() % t.size();
                switch (rng() % 3) {
                    case 0:
                        t[pos] = alphabet[rng() % alphabet.size()];
                        break;
                    case 1:
                        t.erase(pos, 1 + rng() % 4);
                        break;
                    default:
                        t.insert(pos, 1, alphabet[rng() % alphabet.size()]);
                        break;
                }
            }
            if (t == original || t.empty()) {
                continue;
            }
            auto r = VerifyJwt(t, AllAlgs(), *keys_);
            EXPECT_FALSE(r) << t;
        }
    }
}

}  // namespace
}  // namespace gw::crypto
