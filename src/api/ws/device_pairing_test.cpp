// DevicePairing over the real SQLite DeviceRepository: the connect decision (grant, auto-approval,
// pending requests with their reasons), operator actions and device tokens.
#include "api/ws/device_pairing.hpp"

#include <atomic>
#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "crypto/sha256.hpp"
#include "store/embedded_store.hpp"
#include "store/sqlite_device_repository.hpp"
#include "support/temp_dir.hpp"
#include "runtime/testing.hpp"

namespace gw::api::ws {
namespace {

using domain::PairingStatus;

template <class T>
T Await(boost::asio::awaitable<T> aw) {
    return runtime::RunCoro(std::move(aw), std::chrono::seconds(30));
}

DeviceAccessRequest Wish(char id, std::string role, std::vector<std::string> scopes, bool local = false) {
    DeviceAccessRequest request;
    request.tenant_id = "default";
    request.device_id = std::string(64, id);
    request.public_key = std::string("pk-") + id;
    request.role = std::move(role);
    request.scopes = std::move(scopes);
    request.client_id = "cli";
    request.client_mode = "cli";
    request.platform = "linux";
    request.device_family = "desktop";
    request.display_name = "Laptop";
    request.remote_ip = local ? "127.0.0.1" : "192.0.2.10";
    request.local = local;
    return request;
}

class DevicePairingTest : public ::testing::Test {
protected:
    void SetUp() override {
        config::StoreOptions options;
        options.data_dir = dir_.File("var");
        auto store = store::EmbeddedStore::Open(options, store::MigrateMode::kApply);
        ASSERT_TRUE(store) << store.error().message;
        store_ = std::move(*store);
        auto now = now_;
        repo_ = std::make_unique<store::SqliteDeviceRepository>(*store_, [now] { return now->load(); });
        pairing_ = std::make_unique<DevicePairing>(*repo_, true, [now] { return now->load(); });
        strict_ = std::make_unique<DevicePairing>(*repo_, false, [now] { return now->load(); });
    }

    /// Pairs device `id` through a remote request and an operator approval.
    domain::PairedDevice PairRemote(char id, std::string role, std::vector<std::string> scopes) {
        auto decision = Await(pairing_->Decide(Wish(id, std::move(role), std::move(scopes))));
        EXPECT_TRUE(decision && decision->request);
        auto device = Await(pairing_->Approve("default", decision->request->request_id));
        EXPECT_TRUE(device) << device.error().message;
        return *device;
    }

    std::int64_t Now() const { return now_->load(); }

    gw::testing::TempDir dir_;
    std::shared_ptr<std::atomic<std::int64_t>> now_ =
        std::make_shared<std::atomic<std::int64_t>>(1'795'607'617'000);
    std::unique_ptr<store::EmbeddedStore> store_;
    std::unique_ptr<store::SqliteDeviceRepository> repo_;
    std::unique_ptr<DevicePairing> pairing_;
    std::unique_ptr<DevicePairing> strict_;
};

TEST_F(DevicePairingTest, UnknownRemoteDeviceGetsAPendingNotPairedRequest) {
    auto decision = Await(pairing_->Decide(Wish('a', "operator", {"operator.read"})));
    ASSERT_TRUE(decision) << decision.error().message;
    EXPECT_FALSE(decision->granted);
    EXPECT_FALSE(decision->device_token);
    ASSERT_TRUE(decision->request);
    EXPECT_EQ(decision->request->reason, domain::kPairingReasonNotPaired);
    EXPECT_EQ(decision->request->status, PairingStatus::kPending);
    EXPECT_EQ(decision->request->remote_ip, "192.0.2.10");
    EXPECT_EQ(decision->request->created_at_ms, Now());
}

TEST_F(DevicePairingTest, RepeatedConnectKeepsTheSamePendingRequest) {
    auto first = Await(pairing_->Decide(Wish('a', "operator", {"operator.read"})));
    auto second = Await(pairing_->Decide(Wish('a', "operator", {"operator.read", "operator.write"})));
    ASSERT_TRUE(first && second);
    EXPECT_EQ(first->request->request_id, second->request->request_id);
    auto pending = Await(pairing_->ListRequests("default", true));
    ASSERT_TRUE(pending);
    ASSERT_EQ(pending->size(), 1u);
    EXPECT_EQ((*pending)[0].scopes, (std::vector<std::string>{"operator.read", "operator.write"}));
}

TEST_F(DevicePairingTest, LocalDeviceIsAutoApprovedWithADeviceToken) {
    auto decision = Await(pairing_->Decide(Wish('a', "operator", {"operator.write", "operator.read"}, true)));
    ASSERT_TRUE(decision) << decision.error().message;
    EXPECT_TRUE(decision->granted);
    EXPECT_TRUE(decision->auto_approved);
    ASSERT_TRUE(decision->device);
    EXPECT_EQ(decision->device->scopes, (std::vector<std::string>{"operator.read", "operator.write"}));
    ASSERT_TRUE(decision->device_token);
    EXPECT_TRUE(decision->device_token->starts_with("ocdt_"));
    EXPECT_EQ(decision->device_token->size(), 5u + 43u);  // 32 bytes, base64url without padding
    EXPECT_EQ(decision->device_token_issued_at_ms, Now());
    auto devices = Await(pairing_->ListDevices("default"));
    ASSERT_TRUE(devices);
    EXPECT_EQ(devices->size(), 1u);
}

TEST_F(DevicePairingTest, LocalDeviceWaitsForApprovalWhenAutoApproveIsOff) {
    auto decision = Await(strict_->Decide(Wish('a', "operator", {"operator.read"}, true)));
    ASSERT_TRUE(decision);
    EXPECT_FALSE(decision->granted);
    ASSERT_TRUE(decision->request);
}

TEST_F(DevicePairingTest, ApprovedDeviceIsGrantedTouchedAndGetsAWorkingToken) {
    PairRemote('a', "operator", {"operator.read", "operator.write"});
    now_->fetch_add(1000);
    auto decision = Await(pairing_->Decide(Wish('a', "operator", {"operator.read"})));
    ASSERT_TRUE(decision) << decision.error().message;
    EXPECT_TRUE(decision->granted);
    EXPECT_FALSE(decision->auto_approved);
    ASSERT_TRUE(decision->device);
    EXPECT_EQ(decision->device->last_seen_ms, Now());
    ASSERT_TRUE(decision->device_token);
    auto grant = Await(pairing_->ResolveToken("default", *decision->device_token, std::string(64, 'a')));
    ASSERT_TRUE(grant);
    ASSERT_TRUE(grant->has_value());
    EXPECT_EQ((*grant)->device.device_id, std::string(64, 'a'));
    EXPECT_EQ((*grant)->token.role, "operator");
    EXPECT_EQ((*grant)->token.token_sha256, crypto::Sha256Hex(*decision->device_token));
    auto stored = Await(repo_->GetDevice("default", std::string(64, 'a')));
    ASSERT_TRUE(stored && stored->has_value());
    EXPECT_EQ((*stored)->last_seen_ms, Now());
}

TEST_F(DevicePairingTest, DifferentRoleMakesARoleUpgradeRequest) {
    PairRemote('a', "node", {});
    auto decision = Await(pairing_->Decide(Wish('a', "operator", {})));
    ASSERT_TRUE(decision);
    EXPECT_FALSE(decision->granted);
    ASSERT_TRUE(decision->request);
    EXPECT_EQ(decision->request->reason, domain::kPairingReasonRoleUpgrade);
}

TEST_F(DevicePairingTest, WiderScopesMakeAScopeUpgradeRequestAndApprovalMergesThem) {
    PairRemote('a', "operator", {"operator.read"});
    auto decision = Await(pairing_->Decide(Wish('a', "operator", {"operator.read", "operator.admin"})));
    ASSERT_TRUE(decision);
    EXPECT_FALSE(decision->granted);
    ASSERT_TRUE(decision->request);
    EXPECT_EQ(decision->request->reason, domain::kPairingReasonScopeUpgrade);
    auto device = Await(pairing_->Approve("default", decision->request->request_id));
    ASSERT_TRUE(device);
    EXPECT_EQ(device->scopes, (std::vector<std::string>{"operator.admin", "operator.read"}));
    auto narrower = Await(pairing_->Decide(Wish('a', "operator", {"operator.admin"})));
    ASSERT_TRUE(narrower);
    EXPECT_TRUE(narrower->granted);
}

TEST_F(DevicePairingTest, LocalUpgradeIsAutoApprovedAndKeepsThePairingTime) {
    auto first = Await(pairing_->Decide(Wish('a', "operator", {"operator.read"}, true)));
    ASSERT_TRUE(first && first->granted);
    const std::int64_t paired_at = first->device->paired_at_ms;
    now_->fetch_add(5000);
    auto wider = Await(pairing_->Decide(Wish('a', "operator", {"operator.write"}, true)));
    ASSERT_TRUE(wider);
    EXPECT_TRUE(wider->granted);
    EXPECT_TRUE(wider->auto_approved);
    EXPECT_EQ(wider->device->scopes, (std::vector<std::string>{"operator.read", "operator.write"}));
    EXPECT_EQ(wider->device->paired_at_ms, paired_at);
}

TEST_F(DevicePairingTest, ApproveUnknownIsNotFoundAndTwiceIsAConflict) {
    auto unknown = Await(pairing_->Approve("default", "no-such-request"));
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
    auto decision = Await(pairing_->Decide(Wish('a', "operator", {})));
    ASSERT_TRUE(decision && decision->request);
    ASSERT_TRUE(Await(pairing_->Approve("default", decision->request->request_id)));
    auto twice = Await(pairing_->Approve("default", decision->request->request_id));
    ASSERT_FALSE(twice);
    EXPECT_EQ(twice.error().code, ErrorCode::kConflict);
}

TEST_F(DevicePairingTest, RejectLeavesTheDeviceUnpaired) {
    auto decision = Await(pairing_->Decide(Wish('a', "operator", {})));
    ASSERT_TRUE(decision && decision->request);
    auto rejected = Await(pairing_->Reject("default", decision->request->request_id));
    ASSERT_TRUE(rejected);
    EXPECT_EQ(rejected->status, PairingStatus::kRejected);
    auto devices = Await(pairing_->ListDevices("default"));
    ASSERT_TRUE(devices);
    EXPECT_TRUE(devices->empty());
    auto again = Await(pairing_->Decide(Wish('a', "operator", {})));
    ASSERT_TRUE(again && again->request);
    EXPECT_NE(again->request->request_id, decision->request->request_id);
}

TEST_F(DevicePairingTest, ResolveTokenRejectsForeignUnknownAndMalformedTokens) {
    auto decision = Await(pairing_->Decide(Wish('a', "operator", {}, true)));
    ASSERT_TRUE(decision && decision->device_token);
    const std::string token = *decision->device_token;
    auto wrong_device = Await(pairing_->ResolveToken("default", token, std::string(64, 'b')));
    ASSERT_TRUE(wrong_device);
    EXPECT_FALSE(wrong_device->has_value());
    auto other_tenant = Await(pairing_->ResolveToken("acme", token, std::nullopt));
    ASSERT_TRUE(other_tenant);
    EXPECT_FALSE(other_tenant->has_value());
    auto garbage = Await(pairing_->ResolveToken("default", "ocdt_nope", std::nullopt));
    ASSERT_TRUE(garbage);
    EXPECT_FALSE(garbage->has_value());
    auto no_prefix = Await(pairing_->ResolveToken("default", token.substr(5), std::nullopt));
    ASSERT_TRUE(no_prefix);
    EXPECT_FALSE(no_prefix->has_value());
    auto without_device = Await(pairing_->ResolveToken("default", token, std::nullopt));
    ASSERT_TRUE(without_device);
    EXPECT_TRUE(without_device->has_value());
}

TEST_F(DevicePairingTest, RotateTokenInvalidatesThePreviousOne) {
    auto decision = Await(pairing_->Decide(Wish('a', "operator", {}, true)));
    ASSERT_TRUE(decision && decision->device_token);
    auto rotated = Await(pairing_->RotateToken("default", std::string(64, 'a'), "operator"));
    ASSERT_TRUE(rotated) << rotated.error().message;
    EXPECT_NE(*rotated, *decision->device_token);
    auto old = Await(pairing_->ResolveToken("default", *decision->device_token, std::nullopt));
    ASSERT_TRUE(old);
    EXPECT_FALSE(old->has_value());
    auto fresh = Await(pairing_->ResolveToken("default", *rotated, std::nullopt));
    ASSERT_TRUE(fresh);
    EXPECT_TRUE(fresh->has_value());
}

TEST_F(DevicePairingTest, RotateTokenForAnUnpairedRoleIsNotFound) {
    ASSERT_TRUE(Await(pairing_->Decide(Wish('a', "operator", {}, true))));
    auto node = Await(pairing_->RotateToken("default", std::string(64, 'a'), "node"));
    ASSERT_FALSE(node);
    EXPECT_EQ(node.error().code, ErrorCode::kNotFound);
    auto unknown = Await(pairing_->RotateToken("default", std::string(64, 'z'), "operator"));
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
}

TEST_F(DevicePairingTest, RevokeAndRemoveInvalidateTokens) {
    auto decision = Await(pairing_->Decide(Wish('a', "operator", {}, true)));
    ASSERT_TRUE(decision && decision->device_token);
    auto revoked = Await(pairing_->RevokeTokens("default", std::string(64, 'a'), std::nullopt));
    ASSERT_TRUE(revoked);
    EXPECT_EQ(*revoked, 1);
    auto gone = Await(pairing_->ResolveToken("default", *decision->device_token, std::nullopt));
    ASSERT_TRUE(gone);
    EXPECT_FALSE(gone->has_value());

    auto rotated = Await(pairing_->RotateToken("default", std::string(64, 'a'), "operator"));
    ASSERT_TRUE(rotated);
    ASSERT_TRUE(Await(pairing_->Remove("default", std::string(64, 'a'))));
    auto removed = Await(pairing_->ResolveToken("default", *rotated, std::nullopt));
    ASSERT_TRUE(removed);
    EXPECT_FALSE(removed->has_value());
    auto missing = Await(pairing_->Remove("default", std::string(64, 'a')));
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace gw::api::ws
