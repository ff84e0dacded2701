#include <string>

#include "api/ws/ws_gateway_test_support.hpp"
#include "crypto/ed25519.hpp"
#include "crypto/encoding.hpp"

namespace gw::api::ws::testing {
namespace {

class WsDeviceTest : public GatewayFixture {
protected:
    /// connect params for `key`, a v3 proof over `nonce`, with the shared token (or `device_token`).
    static json::object SignedParams(const crypto::Ed25519KeyPair& key, const std::string& nonce,
                                     std::int64_t signed_at, const std::string& device_token = "") {
        const std::string id = crypto::DeviceIdFromPublicKey(key.public_key());
        const std::string slot = device_token.empty() ? "secret-token" : device_token;
        const std::string payload = "v3|" + id + "|cli|cli|operator|operator.read|" + std::to_string(signed_at) +
                                    "|" + slot + "|" + nonce + "|linux|";
        auto signature = key.Sign(payload);
        EXPECT_TRUE(signature);
        auto params = ConnectParamsJson(device_token.empty() ? "secret-token" : "", {"operator.read"});
        if (!device_token.empty()) {
            params["auth"] = json::object{{"deviceToken", device_token}};
        }
        params["device"] = json::object{{"id", id},
                                        {"publicKey", crypto::EncodeDevicePublicKey(key.public_key())},
                                        {"signature", crypto::Base64UrlEncode(*signature)},
                                        {"signedAt", signed_at},
                                        {"nonce", nonce}};
        return params;
    }
};

TEST_F(WsDeviceTest, LocalDeviceIsAutoApprovedAndGetsADeviceToken) {
    Start();
    auto key = crypto::Ed25519KeyPair::Generate();
    ASSERT_TRUE(key);
    WsTestClient client(Port());
    auto challenge = client.Read();
    ASSERT_TRUE(challenge);
    const auto& payload = challenge->at("payload").as_object();
    client.Send(Req("c1", "connect",
                    SignedParams(*key, std::string(payload.at("nonce").as_string()), payload.at("ts").as_int64())));
    auto res = client.ReadResponse("c1");
    ASSERT_TRUE(res);
    ASSERT_TRUE(res->at("ok").as_bool()) << json::serialize(*res);
    const auto& auth = res->at("payload").as_object().at("auth").as_object();
    EXPECT_FALSE(auth.at("deviceToken").as_string().empty());
    EXPECT_TRUE(auth.at("issuedAtMs").is_int64());
}

TEST_F(WsDeviceTest, IssuedDeviceTokenAuthenticatesAReconnectWithoutTheSharedToken) {
    Start();
    auto key = crypto::Ed25519KeyPair::Generate();
    ASSERT_TRUE(key);
    std::string device_token;
    {
        WsTestClient client(Port());
        auto challenge = client.Read();
        ASSERT_TRUE(challenge);
        const auto& payload = challenge->at("payload").as_object();
        client.Send(Req("c1", "connect",
                        SignedParams(*key, std::string(payload.at("nonce").as_string()), payload.at("ts").as_int64())));
        auto res = client.ReadResponse("c1");
        ASSERT_TRUE(res && res->at("ok").as_bool());
        device_token = res->at("payload").as_object().at("auth").as_object().at("deviceToken").as_string();
    }
    WsTestClient again(Port());
    auto challenge = again.Read();
    ASSERT_TRUE(challenge);
    const auto& payload = challenge->at("payload").as_object();
    again.Send(Req("c2", "connect",
                   SignedParams(*key, std::string(payload.at("nonce").as_string()), payload.at("ts").as_int64(),
                                device_token)));
    auto res = again.ReadResponse("c2");
    ASSERT_TRUE(res);
    ASSERT_TRUE(res->at("ok").as_bool()) << json::serialize(*res);
    const auto& auth = res->at("payload").as_object().at("auth").as_object();
    EXPECT_EQ(auth.at("method"), "device-token");
    EXPECT_EQ(auth.at("scopes").as_array(), json::array({"operator.read"}));

    WsTestClient forged(Port());
    ASSERT_TRUE(forged.Read());
    auto params = ConnectParamsJson("", {"operator.read"});
    params["auth"] = json::object{{"deviceToken", "not-a-token"}};
    forged.Send(Req("c3", "connect", params));
    auto refused = forged.ReadResponse("c3");
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->at("error").as_object().at("details").as_object().at("code"), "AUTH_DEVICE_TOKEN_MISMATCH");
    EXPECT_EQ(forged.ReadUntilClose(), 1008);
}

TEST_F(WsDeviceTest, WrongNonceIsRejectedWithDeviceAuthCodeThen1008) {
    Start();
    auto key = crypto::Ed25519KeyPair::Generate();
    ASSERT_TRUE(key);
    WsTestClient client(Port());
    auto challenge = client.Read();
    ASSERT_TRUE(challenge);
    client.Send(Req("c1", "connect",
                    SignedParams(*key, "not-the-nonce", challenge->at("payload").as_object().at("ts").as_int64())));
    auto res = client.ReadResponse("c1");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->at("error").as_object().at("details").as_object().at("code"), "DEVICE_AUTH_NONCE_MISMATCH");
    EXPECT_EQ(client.ReadUntilClose(), 1008);
    EXPECT_EQ(client.CloseReason(), "device nonce mismatch");
}

TEST_F(WsDeviceTest, DeviceNeedsPairingWhenAutoApproveIsOff) {
    config.ws.auto_approve_local = false;
    Start();
    auto key = crypto::Ed25519KeyPair::Generate();
    ASSERT_TRUE(key);
    WsTestClient client(Port());
    auto challenge = client.Read();
    ASSERT_TRUE(challenge);
    const auto& payload = challenge->at("payload").as_object();
    client.Send(Req("c1", "connect",
                    SignedParams(*key, std::string(payload.at("nonce").as_string()), payload.at("ts").as_int64())));
    auto res = client.ReadResponse("c1");
    ASSERT_TRUE(res);
    const auto& error = res->at("error").as_object();
    EXPECT_EQ(error.at("code"), "NOT_PAIRED");
    EXPECT_EQ(error.at("details").as_object().at("code"), "PAIRING_REQUIRED");
    EXPECT_FALSE(error.at("details").as_object().at("requestId").as_string().empty());
    EXPECT_EQ(error.at("details").as_object().at("pauseReconnect"), true);
    EXPECT_EQ(client.ReadUntilClose(), 1008);
    EXPECT_EQ(client.CloseReason(), "pairing required");
}

}  // namespace
}  // namespace gw::api::ws::testing
