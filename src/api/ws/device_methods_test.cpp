// device.pair.* and device.token.* over the methods fixture (real SQLite device repository).
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "api/ws/methods_test_support.hpp"
#include "crypto/sha256.hpp"

namespace gw::api::ws {
namespace {

using testing::MethodsTest;

class DeviceMethodsTest : public MethodsTest {
protected:
    void SetUp() override {
        MethodsTest::SetUp();
        RegisterDeviceMethods(registry_);
    }

    /// A remote device asking to pair: returns the pending request id.
    std::string PendingRequest(char id, std::vector<std::string> scopes = {"operator.read"}) {
        DeviceAccessRequest wish;
        wish.tenant_id = std::string(domain::kDefaultTenantId);
        wish.device_id = std::string(64, id);
        wish.public_key = std::string("pk-") + id;
        wish.role = "operator";
        wish.scopes = std::move(scopes);
        wish.client_id = "cli";
        wish.client_mode = "cli";
        wish.remote_ip = "192.0.2.9";
        auto decision = Run(pairing_->Decide(std::move(wish)));
        EXPECT_TRUE(decision && decision->request);
        return decision && decision->request ? decision->request->request_id : std::string();
    }
};

TEST_F(DeviceMethodsTest, ListShowsPendingRequestsAndPairedDevices) {
    const std::string request_id = PendingRequest('a');
    json::value listed = Ok("device.pair.list", json::object{});
    ASSERT_TRUE(listed.is_object());
    const auto& pending = listed.at("pending").as_array();
    ASSERT_EQ(pending.size(), 1u);
    EXPECT_EQ(pending[0].at("requestId").as_string(), request_id);
    EXPECT_EQ(pending[0].at("deviceId").as_string(), std::string(64, 'a'));
    EXPECT_EQ(pending[0].at("reason").as_string(), "not-paired");
    EXPECT_EQ(pending[0].at("remoteIp").as_string(), "192.0.2.9");
    EXPECT_EQ(pending[0].at("status").as_string(), "pending");
    EXPECT_TRUE(listed.at("paired").as_array().empty());
}

TEST_F(DeviceMethodsTest, ApprovePairsTheDevice) {
    const std::string request_id = PendingRequest('a', {"operator.write"});
    json::value approved = Ok("device.pair.approve", json::object{{"requestId", request_id}});
    EXPECT_EQ(approved.at("requestId").as_string(), request_id);
    EXPECT_EQ(approved.at("device").at("deviceId").as_string(), std::string(64, 'a'));
    EXPECT_EQ(approved.at("device").at("scopes"), (json::array{"operator.write"}));
    json::value listed = Ok("device.pair.list", nullptr);
    EXPECT_TRUE(listed.at("pending").as_array().empty());
    ASSERT_EQ(listed.at("paired").as_array().size(), 1u);
    EXPECT_EQ(listed.at("paired").at(0).at("role").as_string(), "operator");
}

TEST_F(DeviceMethodsTest, UnknownOrResolvedRequestIsAnInvalidRequest) {
    WsError unknown = Err("device.pair.approve", json::object{{"requestId", "nope"}});
    EXPECT_EQ(unknown.code, WsErrorCode::kInvalidRequest);
    EXPECT_EQ(unknown.message, "unknown requestId");
    const std::string request_id = PendingRequest('a');
    Ok("device.pair.reject", json::object{{"requestId", request_id}});
    WsError resolved = Err("device.pair.approve", json::object{{"requestId", request_id}});
    EXPECT_EQ(resolved.code, WsErrorCode::kInvalidRequest);
    EXPECT_EQ(resolved.message, "request is not pending");
}

TEST_F(DeviceMethodsTest, ParamsAreClosedAndValidated) {
    WsError missing = Err("device.pair.approve", json::object{});
    EXPECT_NE(missing.message.find("requestId"), std::string::npos) << missing.message;
    WsError extra = Err("device.pair.list", json::object{{"x", 1}});
    EXPECT_NE(extra.message.find("unexpected property 'x'"), std::string::npos) << extra.message;
    WsError role = Err("device.token.rotate", json::object{{"deviceId", "d"}, {"role", "admin"}});
    EXPECT_NE(role.message.find("/role"), std::string::npos) << role.message;
}

TEST_F(DeviceMethodsTest, RotateIssuesANewTokenAndRevokeCountsThem) {
    Ok("device.pair.approve", json::object{{"requestId", PendingRequest('a')}});
    const std::string device_id(64, 'a');
    json::value rotated =
        Ok("device.token.rotate", json::object{{"deviceId", device_id}, {"role", "operator"}});
    EXPECT_EQ(rotated.at("deviceId").as_string(), device_id);
    EXPECT_EQ(rotated.at("role").as_string(), "operator");
    const std::string token(rotated.at("token").as_string());
    EXPECT_TRUE(token.starts_with("ocdt_"));
    EXPECT_GT(rotated.at("issuedAtMs").as_int64(), 0);
    auto grant = Run(pairing_->ResolveToken(std::string(domain::kDefaultTenantId), token, device_id));
    ASSERT_TRUE(grant && grant->has_value());

    WsError wrong_role = Err("device.token.rotate", json::object{{"deviceId", device_id}, {"role", "node"}});
    EXPECT_EQ(wrong_role.code, WsErrorCode::kInvalidRequest);

    json::value revoked = Ok("device.token.revoke", json::object{{"deviceId", device_id}});
    EXPECT_EQ(revoked.at("revoked").as_int64(), 1);
    auto gone = Run(pairing_->ResolveToken(std::string(domain::kDefaultTenantId), token, device_id));
    ASSERT_TRUE(gone);
    EXPECT_FALSE(gone->has_value());
}

TEST_F(DeviceMethodsTest, RemoveUnpairsAndUnknownDeviceIsAnError) {
    Ok("device.pair.approve", json::object{{"requestId", PendingRequest('a')}});
    Ok("device.pair.remove", json::object{{"deviceId", std::string(64, 'a')}});
    EXPECT_TRUE(Ok("device.pair.list", json::object{}).at("paired").as_array().empty());
    WsError again = Err("device.pair.remove", json::object{{"deviceId", std::string(64, 'a')}});
    EXPECT_EQ(again.message, "unknown deviceId");
}

TEST_F(DeviceMethodsTest, PairingScopeIsRequiredAndAdminImpliesIt) {
    auto reader = Connect("c2", {"operator.read", "operator.write"});
    WsError denied = Err("device.pair.list", json::object{}, reader);
    EXPECT_EQ(denied.code, WsErrorCode::kForbidden);
    auto pairer = Connect("c3", {"operator.pairing"});
    Ok("device.pair.list", json::object{}, pairer);
    Ok("device.pair.list", json::object{});  // the fixture's connection holds operator.admin
}

}  // namespace
}  // namespace gw::api::ws
