#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "api/ws/internal/connect.hpp"
#include "crypto/ed25519.hpp"
#include "crypto/encoding.hpp"

namespace gw::api::ws {
namespace {

constexpr std::int64_t kNow = 1'795'607'617'291;
constexpr std::string_view kNonce = "bf26c003-a841-456f-98f0-b36c3e40e637";

ConnectParams Parse(const std::string& text) {
    auto parsed = ParseConnectParams(json::parse(text));
    if (auto* error = std::get_if<WsError>(&parsed)) {
        ADD_FAILURE() << error->message;
        return {};
    }
    return std::get<ConnectParams>(parsed);
}

std::string ParseError(const std::string& text) {
    auto parsed = ParseConnectParams(json::parse(text));
    if (auto* error = std::get_if<WsError>(&parsed)) {
        EXPECT_EQ(error->code, WsErrorCode::kInvalidRequest);
        return error->message;
    }
    return "<parsed>";
}

constexpr const char* kMinimal =
    R"({"minProtocol":4,"maxProtocol":4,"client":{"id":"cli","version":"1.0","platform":"linux","mode":"cli"}})";

class DeviceProofTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto pair = crypto::Ed25519KeyPair::Generate();
        ASSERT_TRUE(pair);
        key_.emplace(*pair);
        params_ = Parse(kMinimal);
        params_.client.platform = " Linux ";
        params_.client.device_family = "Desktop";
        params_.scopes = {"operator.read", "operator.write"};
        params_.auth.token = "secret";
        params_.device = ConnectDevice{crypto::DeviceIdFromPublicKey(key_->public_key()),
                                       crypto::EncodeDevicePublicKey(key_->public_key()), "", kNow - 1000,
                                       std::string(kNonce)};
    }

    void Sign(const std::string& payload) {
        auto signature = key_->Sign(payload);
        ASSERT_TRUE(signature);
        params_.device->signature = crypto::Base64UrlEncode(*signature);
    }

    std::string FailureCode() {
        auto result = VerifyDeviceProof(params_, kNonce, kNow);
        auto* error = std::get_if<WsError>(&result);
        if (error == nullptr) {
            return "<verified>";
        }
        EXPECT_EQ(error->code, WsErrorCode::kInvalidRequest);
        return std::string(error->details.at("code").as_string());
    }

    std::optional<crypto::Ed25519KeyPair> key_;
    ConnectParams params_;
};

TEST(ConnectParamsTest, ParsesFullParams) {
    auto params = Parse(R"({"minProtocol":3,"maxProtocol":4,
        "client":{"id":"openclaw-control-ui","version":"2026.9.6","platform":"web","mode":"ui","displayName":"UI","instanceId":"i1"},
        "role":"operator","scopes":["operator.read","operator.admin"],"caps":["tool-events"],
        "auth":{"token":"t","deviceToken":""},"locale":"en","userAgent":"ua","pathEnv":"/bin",
        "device":{"id":"abc","publicKey":"k","signature":"s","signedAt":5,"nonce":"n"}})");
    EXPECT_EQ(params.min_protocol, 3);
    EXPECT_EQ(params.client.id, "openclaw-control-ui");
    EXPECT_EQ(params.client.instance_id, "i1");
    EXPECT_EQ(params.scopes.size(), 2u);
    EXPECT_EQ(params.caps, std::vector<std::string>{"tool-events"});
    EXPECT_EQ(params.auth.token, "t");
    EXPECT_FALSE(params.auth.device_token.has_value());
    ASSERT_TRUE(params.device);
    EXPECT_EQ(params.device->signed_at, 5);
    EXPECT_EQ(params.device->nonce, "n");
}

TEST(ConnectParamsTest, DefaultsRoleToOperatorWithNoScopes) {
    auto params = Parse(kMinimal);
    EXPECT_EQ(params.role, "operator");
    EXPECT_TRUE(params.scopes.empty());
    EXPECT_FALSE(params.device.has_value());
}

TEST(ConnectParamsTest, RejectsInvalidParamsWithPaths) {
    EXPECT_EQ(ParseError(R"({"maxProtocol":4,"client":{}})"),
              "invalid connect params: must have required property 'minProtocol'");
    EXPECT_EQ(ParseError(R"({"minProtocol":4,"maxProtocol":4,"client":{"id":"cli","version":"1","platform":"p","mode":"operator"}})"),
              "invalid connect params: /client/mode must be equal to one of the allowed values");
    EXPECT_EQ(ParseError(R"({"minProtocol":4,"maxProtocol":4,"client":{"id":"evil","version":"1","platform":"p","mode":"cli"}})"),
              "invalid connect params: /client/id must be equal to one of the allowed values");
    EXPECT_EQ(ParseError(R"({"minProtocol":4,"maxProtocol":4,"client":{"id":"cli","version":"1","platform":"p","mode":"cli","x":1}})"),
              "invalid connect params: at /client: unexpected property 'x'");
    EXPECT_EQ(ParseError(R"({"minProtocol":4,"maxProtocol":4,"client":{"id":"cli","version":"1","platform":"p","mode":"cli"},"extra":1})"),
              "invalid connect params: at root: unexpected property 'extra'");
    EXPECT_EQ(ParseError(R"({"minProtocol":4,"maxProtocol":4,"client":{"id":"cli","version":"1","platform":"p","mode":"cli"},"role":"root"})"),
              "invalid connect params: /role must be equal to one of the allowed values");
    EXPECT_EQ(ParseError(R"({"minProtocol":4,"maxProtocol":4,"client":{"id":"cli","version":"1","platform":"p","mode":"cli"},"scopes":["admin"]})"),
              "invalid connect params: /scopes/0 must be equal to one of the allowed values");
    EXPECT_EQ(ParseError(R"({"minProtocol":4,"maxProtocol":4,"client":{"id":"cli","version":"1","platform":"p","mode":"cli"},"auth":{"jwt":"x"}})"),
              "invalid connect params: at /auth: unexpected property 'jwt'");
    EXPECT_EQ(ParseError(R"({"minProtocol":4,"maxProtocol":4,"client":{"id":"cli","version":"1","platform":"p","mode":"cli"},"device":{"id":"a","publicKey":"k","signature":"s"}})"),
              "invalid connect params: /device must have required property 'signedAt'");
}

TEST(ConnectParamsTest, ProtocolRangeMustIncludeFourForOperators) {
    auto params = Parse(kMinimal);
    EXPECT_EQ(std::get<std::int64_t>(NegotiateProtocol(params)), 4);
    params.min_protocol = 1;
    params.max_protocol = 3;
    auto mismatch = NegotiateProtocol(params);
    ASSERT_TRUE(std::holds_alternative<WsError>(mismatch));
    const auto& error = std::get<WsError>(mismatch);
    EXPECT_EQ(error.message, "protocol mismatch");
    EXPECT_EQ(error.details.at("code"), "PROTOCOL_MISMATCH");
    EXPECT_EQ(error.details.at("clientMinProtocol").as_int64(), 1);
    EXPECT_EQ(error.details.at("clientMaxProtocol").as_int64(), 3);
    EXPECT_EQ(error.details.at("expectedProtocol").as_int64(), 4);
    EXPECT_EQ(error.details.at("minimumProbeProtocol").as_int64(), 3);
    params.client.mode = "probe";
    EXPECT_EQ(std::get<std::int64_t>(NegotiateProtocol(params)), 3);
    params.max_protocol = 2;
    EXPECT_TRUE(std::holds_alternative<WsError>(NegotiateProtocol(params)));
}

TEST_F(DeviceProofTest, SignedStringsFollowTheReferenceLayout) {
    const std::string id = params_.device->id;
    EXPECT_EQ(DeviceAuthPayloadV3(params_, kNonce),
              "v3|" + id + "|cli|cli|operator|operator.read,operator.write|" + std::to_string(kNow - 1000) +
                  "|secret|" + std::string(kNonce) + "|linux|desktop");
    EXPECT_EQ(DeviceAuthPayloadV2(params_, kNonce),
              "v2|" + id + "|cli|cli|operator|operator.read,operator.write|" + std::to_string(kNow - 1000) +
                  "|secret|" + std::string(kNonce));
}

TEST_F(DeviceProofTest, AcceptsValidV3Proof) {
    Sign(DeviceAuthPayloadV3(params_, kNonce));
    auto result = VerifyDeviceProof(params_, kNonce, kNow);
    ASSERT_TRUE(std::holds_alternative<VerifiedDevice>(result)) << std::get<WsError>(result).message;
    EXPECT_EQ(std::get<VerifiedDevice>(result).device_id, params_.device->id);
    EXPECT_EQ(std::get<VerifiedDevice>(result).public_key, crypto::EncodeDevicePublicKey(key_->public_key()));
}

TEST_F(DeviceProofTest, AcceptsValidV2Proof) {
    Sign(DeviceAuthPayloadV2(params_, kNonce));
    EXPECT_EQ(FailureCode(), "<verified>");
}

TEST_F(DeviceProofTest, DeviceTokenFillsTheTokenSlotWithoutSharedToken) {
    params_.auth.token.reset();
    params_.auth.device_token = "dt-1";
    EXPECT_NE(DeviceAuthPayloadV3(params_, kNonce).find("|dt-1|"), std::string::npos);
    Sign(DeviceAuthPayloadV3(params_, kNonce));
    EXPECT_EQ(FailureCode(), "<verified>");
}

TEST_F(DeviceProofTest, RejectsWrongNonce) {
    params_.device->nonce = "other-nonce";
    Sign(DeviceAuthPayloadV3(params_, "other-nonce"));
    EXPECT_EQ(FailureCode(), "DEVICE_AUTH_NONCE_MISMATCH");
}

TEST_F(DeviceProofTest, RejectsMissingNonce) {
    params_.device->nonce.reset();
    Sign(DeviceAuthPayloadV3(params_, kNonce));
    EXPECT_EQ(FailureCode(), "DEVICE_AUTH_NONCE_REQUIRED");
}

TEST_F(DeviceProofTest, RejectsStaleAndFutureSignatures) {
    params_.device->signed_at = kNow - 121'000;
    Sign(DeviceAuthPayloadV3(params_, kNonce));
    EXPECT_EQ(FailureCode(), "DEVICE_AUTH_SIGNATURE_EXPIRED");
    params_.device->signed_at = kNow + 121'000;
    Sign(DeviceAuthPayloadV3(params_, kNonce));
    EXPECT_EQ(FailureCode(), "DEVICE_AUTH_SIGNATURE_EXPIRED");
    params_.device->signed_at = kNow + 119'000;
    Sign(DeviceAuthPayloadV3(params_, kNonce));
    EXPECT_EQ(FailureCode(), "<verified>");
}

TEST_F(DeviceProofTest, RejectsSignatureOverOtherFields) {
    Sign(DeviceAuthPayloadV3(params_, kNonce));
    params_.scopes.push_back("operator.admin");  // widened after signing
    auto result = VerifyDeviceProof(params_, kNonce, kNow);
    ASSERT_TRUE(std::holds_alternative<WsError>(result));
    EXPECT_EQ(std::get<WsError>(result).message, "device signature invalid");
    EXPECT_EQ(std::get<WsError>(result).details.at("reason"), "device-signature");
}

TEST_F(DeviceProofTest, RejectsGarbageSignature) {
    params_.device->signature = "not-a-signature";
    EXPECT_EQ(FailureCode(), "DEVICE_AUTH_SIGNATURE_INVALID");
}

TEST_F(DeviceProofTest, RejectsDeviceIdMismatch) {
    params_.device->id = std::string(64, 'a');
    Sign(DeviceAuthPayloadV3(params_, kNonce));
    EXPECT_EQ(FailureCode(), "DEVICE_AUTH_DEVICE_ID_MISMATCH");
}

TEST_F(DeviceProofTest, RejectsBadPublicKey) {
    params_.device->public_key = "AAAA";
    Sign(DeviceAuthPayloadV3(params_, kNonce));
    EXPECT_EQ(FailureCode(), "DEVICE_AUTH_PUBLIC_KEY_INVALID");
}

TEST(AuthErrorTest, TokenMismatchMatchesTheLiveCapture) {
    ConnectClient client;
    client.id = "cli";
    client.mode = "cli";
    WsError error = AuthError(AuthFailure::kTokenMismatch, client, true);
    EXPECT_EQ(error.code, WsErrorCode::kInvalidRequest);
    EXPECT_EQ(error.message,
              "unauthorized: gateway token mismatch (use this gateway's gateway.auth.token or pair the device)");
    EXPECT_EQ(error.details.at("code"), "AUTH_TOKEN_MISMATCH");
    EXPECT_EQ(error.details.at("authReason"), "token_mismatch");
    EXPECT_EQ(error.details.at("canRetryWithDeviceToken"), true);
    EXPECT_EQ(error.details.at("recommendedNextStep"), "retry_with_device_token");
}

TEST(AuthErrorTest, RateLimitedCarriesRetryAfter) {
    ConnectClient client;
    client.id = "test";
    client.mode = "test";
    WsError error = AuthError(AuthFailure::kRateLimited, client, false, 300'000);
    EXPECT_EQ(error.details.at("code"), "AUTH_RATE_LIMITED");
    EXPECT_EQ(error.details.at("retryAfterMs").as_int64(), 300'000);
    EXPECT_EQ(error.retry_after_ms, 300'000);
    EXPECT_EQ(AuthError(AuthFailure::kPasswordMismatch, client, false).message,
              "unauthorized: gateway password mismatch (provide gateway auth password)");
    EXPECT_EQ(AuthError(AuthFailure::kTokenMissing, client, false).details.at("code"), "AUTH_TOKEN_MISSING");
}

}  // namespace
}  // namespace gw::api::ws
