// SqliteDeviceRepository against the DeviceRepository port contract: devices, pairing requests (one
// pending per device, atomic approval), tokens (hash lookup, revocation) and tenant isolation.
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

#include "store/internal/test_support.hpp"
#include "store/sqlite_device_repository.hpp"
#include "runtime/testing.hpp"

namespace gw::store {
namespace {

using domain::DeviceToken;
using domain::PairedDevice;
using domain::PairingRequest;
using domain::PairingStatus;
using internal::QueryInt;
using internal::TempDirForTest;

constexpr std::int64_t kNow = 1'795'607'617'000;

template <class T>
T Await(boost::asio::awaitable<T> aw) {
    return runtime::RunCoro(std::move(aw), std::chrono::seconds(30));
}

std::string HexId(char c) {
    return std::string(64, c);
}

PairedDevice Device(std::string tenant, char id, std::string role = "operator") {
    PairedDevice device;
    device.tenant_id = std::move(tenant);
    device.device_id = HexId(id);
    device.public_key = std::string("pk-") + id;
    device.role = std::move(role);
    device.scopes = {"operator.read", "operator.write"};
    device.client_id = "cli";
    device.client_mode = "cli";
    device.platform = "linux";
    device.device_family = "desktop";
    device.display_name = "Laptop";
    device.paired_at_ms = kNow;
    device.last_seen_ms = kNow;
    return device;
}

PairingRequest Request(std::string tenant, char device, std::string request_id, std::int64_t at = kNow) {
    PairingRequest request;
    request.request_id = std::move(request_id);
    request.tenant_id = std::move(tenant);
    request.device_id = HexId(device);
    request.public_key = std::string("pk-") + device;
    request.role = "operator";
    request.scopes = {"operator.read"};
    request.client_id = "cli";
    request.client_mode = "cli";
    request.platform = "linux";
    request.remote_ip = "192.0.2.7";
    request.reason = std::string(domain::kPairingReasonNotPaired);
    request.created_at_ms = at;
    return request;
}

DeviceToken Token(std::string tenant, char device, std::string id, char hash, std::string role = "operator") {
    DeviceToken token;
    token.token_id = std::move(id);
    token.tenant_id = std::move(tenant);
    token.device_id = HexId(device);
    token.role = std::move(role);
    token.scopes = {"operator.read"};
    token.token_sha256 = std::string(64, hash);
    token.issued_at_ms = kNow;
    return token;
}

class DeviceRepositoryTest : public ::testing::Test {
protected:
    void SetUp() override {
        config::StoreOptions options;
        options.data_dir = dir_.File("var");
        auto store = EmbeddedStore::Open(options, MigrateMode::kApply);
        ASSERT_TRUE(store) << store.error().message;
        store_ = std::move(*store);
        repo_ = std::make_unique<SqliteDeviceRepository>(*store_, [] { return kNow + 5; });
    }

    std::int64_t Count(std::string_view sql) {
        std::int64_t out = -1;
        auto read = store_->ReadBlocking([&](sqlite::Connection& conn) -> Result<void> {
            out = QueryInt(conn, sql);
            return Ok();
        });
        EXPECT_TRUE(read);
        return out;
    }

    TempDirForTest dir_;
    std::unique_ptr<EmbeddedStore> store_;
    std::unique_ptr<SqliteDeviceRepository> repo_;
};

TEST_F(DeviceRepositoryTest, PutDeviceThenGetReturnsEveryField) {
    PairedDevice device = Device("default", 'a');
    ASSERT_TRUE(Await(repo_->PutDevice(device)));
    auto got = Await(repo_->GetDevice("default", HexId('a')));
    ASSERT_TRUE(got) << got.error().message;
    ASSERT_TRUE(got->has_value());
    EXPECT_EQ(**got, device);
}

TEST_F(DeviceRepositoryTest, GetUnknownDeviceIsEmpty) {
    auto got = Await(repo_->GetDevice("default", HexId('z')));
    ASSERT_TRUE(got);
    EXPECT_FALSE(got->has_value());
}

TEST_F(DeviceRepositoryTest, PutDeviceReplacesTheExistingRecord) {
    ASSERT_TRUE(Await(repo_->PutDevice(Device("default", 'a'))));
    PairedDevice changed = Device("default", 'a', "node");
    changed.scopes = {};
    changed.display_name = "Renamed";
    ASSERT_TRUE(Await(repo_->PutDevice(changed)));
    auto got = Await(repo_->GetDevice("default", HexId('a')));
    ASSERT_TRUE(got && got->has_value());
    EXPECT_EQ(**got, changed);
    EXPECT_EQ(Count("SELECT count(*) FROM paired_devices"), 1);
}

TEST_F(DeviceRepositoryTest, TouchUpdatesLastSeenOnlyAndFailsForUnknownDevice) {
    ASSERT_TRUE(Await(repo_->PutDevice(Device("default", 'a'))));
    ASSERT_TRUE(Await(repo_->TouchDevice("default", HexId('a'), kNow + 1000)));
    auto got = Await(repo_->GetDevice("default", HexId('a')));
    ASSERT_TRUE(got && got->has_value());
    EXPECT_EQ((*got)->last_seen_ms, kNow + 1000);
    EXPECT_EQ((*got)->paired_at_ms, kNow);
    auto missing = Await(repo_->TouchDevice("default", HexId('b'), kNow));
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_F(DeviceRepositoryTest, ListDevicesIsMostRecentlyPairedFirst) {
    PairedDevice older = Device("default", 'a');
    PairedDevice newer = Device("default", 'b');
    newer.paired_at_ms = kNow + 10;
    ASSERT_TRUE(Await(repo_->PutDevice(older)));
    ASSERT_TRUE(Await(repo_->PutDevice(newer)));
    auto list = Await(repo_->ListDevices("default"));
    ASSERT_TRUE(list);
    ASSERT_EQ(list->size(), 2u);
    EXPECT_EQ((*list)[0].device_id, HexId('b'));
    EXPECT_EQ((*list)[1].device_id, HexId('a'));
}

TEST_F(DeviceRepositoryTest, RemoveDeviceDeletesItAndRevokesItsTokens) {
    ASSERT_TRUE(Await(repo_->PutDevice(Device("default", 'a'))));
    ASSERT_TRUE(Await(repo_->PutToken(Token("default", 'a', "t1", '1'))));
    ASSERT_TRUE(Await(repo_->PutToken(Token("default", 'a', "t2", '2', "node"))));
    ASSERT_TRUE(Await(repo_->PutToken(Token("default", 'b', "t3", '3'))));
    ASSERT_TRUE(Await(repo_->RemoveDevice("default", HexId('a'))));
    auto got = Await(repo_->GetDevice("default", HexId('a')));
    ASSERT_TRUE(got);
    EXPECT_FALSE(got->has_value());
    auto t1 = Await(repo_->FindTokenByHash("default", std::string(64, '1')));
    ASSERT_TRUE(t1);
    EXPECT_FALSE(t1->has_value());
    EXPECT_EQ(Count("SELECT count(*) FROM device_tokens WHERE revoked_at = " + std::to_string(kNow + 5)), 2);
    auto other = Await(repo_->FindTokenByHash("default", std::string(64, '3')));
    ASSERT_TRUE(other);
    EXPECT_TRUE(other->has_value());
    auto again = Await(repo_->RemoveDevice("default", HexId('a')));
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ErrorCode::kNotFound);
}

TEST_F(DeviceRepositoryTest, UpsertPendingRequestCreatesThenUpdatesKeepingItsId) {
    auto first = Await(repo_->UpsertPendingRequest(Request("default", 'a', "req-1")));
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_EQ(first->request_id, "req-1");
    EXPECT_EQ(first->status, PairingStatus::kPending);

    PairingRequest wider = Request("default", 'a', "req-2", kNow + 50);
    wider.role = "node";
    wider.scopes = {"operator.admin"};
    wider.remote_ip = "198.51.100.1";
    wider.reason = std::string(domain::kPairingReasonRoleUpgrade);
    auto second = Await(repo_->UpsertPendingRequest(wider));
    ASSERT_TRUE(second) << second.error().message;
    EXPECT_EQ(second->request_id, "req-1");
    EXPECT_EQ(second->created_at_ms, kNow);

    auto stored = Await(repo_->GetRequest("default", "req-1"));
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->role, "node");
    EXPECT_EQ(stored->scopes, std::vector<std::string>{"operator.admin"});
    EXPECT_EQ(stored->remote_ip, "198.51.100.1");
    EXPECT_EQ(stored->reason, domain::kPairingReasonRoleUpgrade);
    EXPECT_EQ(*stored, *second);
    EXPECT_EQ(Count("SELECT count(*) FROM device_pairing_requests"), 1);
}

TEST_F(DeviceRepositoryTest, PartialUniqueIndexAllowsOnlyOnePendingRequestPerDevice) {
    ASSERT_TRUE(Await(repo_->UpsertPendingRequest(Request("default", 'a', "req-1"))));
    auto direct = store_->WriteBlocking([](sqlite::Connection& conn) -> Result<void> {
        return conn.Exec(
            "INSERT INTO device_pairing_requests (tenant_id, id, device_id, public_key, role, reason, "
            "created_at) "
            "VALUES ('default', 'req-x', '" +
            HexId('a') + "', 'pk', 'operator', 'not-paired', 1)"
        );
    });
    EXPECT_FALSE(direct);
}

TEST_F(DeviceRepositoryTest, ResolvedRequestsLeaveRoomForANewPendingOne) {
    ASSERT_TRUE(Await(repo_->UpsertPendingRequest(Request("default", 'a', "req-1"))));
    ASSERT_TRUE(
        Await(repo_->ResolveRequest("default", "req-1", PairingStatus::kRejected, kNow + 1, std::nullopt))
    );
    auto next = Await(repo_->UpsertPendingRequest(Request("default", 'a', "req-2", kNow + 2)));
    ASSERT_TRUE(next);
    EXPECT_EQ(next->request_id, "req-2");
    auto all = Await(repo_->ListRequests("default", false));
    ASSERT_TRUE(all);
    ASSERT_EQ(all->size(), 2u);
    EXPECT_EQ((*all)[0].request_id, "req-2");  // newest first
    EXPECT_EQ((*all)[1].status, PairingStatus::kRejected);
    auto pending = Await(repo_->ListRequests("default", true));
    ASSERT_TRUE(pending);
    ASSERT_EQ(pending->size(), 1u);
    EXPECT_EQ((*pending)[0].request_id, "req-2");
}

TEST_F(DeviceRepositoryTest, GetUnknownRequestIsNotFound) {
    auto got = Await(repo_->GetRequest("default", "nope"));
    ASSERT_FALSE(got);
    EXPECT_EQ(got.error().code, ErrorCode::kNotFound);
}

TEST_F(DeviceRepositoryTest, ApproveResolvesTheRequestAndPairsTheDeviceTogether) {
    ASSERT_TRUE(Await(repo_->UpsertPendingRequest(Request("default", 'a', "req-1"))));
    auto approved = Await(
        repo_->ResolveRequest("default", "req-1", PairingStatus::kApproved, kNow + 9, Device("default", 'a'))
    );
    ASSERT_TRUE(approved) << approved.error().message;
    EXPECT_EQ(approved->status, PairingStatus::kApproved);
    EXPECT_EQ(approved->resolved_at_ms, kNow + 9);
    auto device = Await(repo_->GetDevice("default", HexId('a')));
    ASSERT_TRUE(device && device->has_value());
    auto stored = Await(repo_->GetRequest("default", "req-1"));
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->status, PairingStatus::kApproved);
}

TEST_F(DeviceRepositoryTest, ApproveIsAtomicWhenStoringTheDeviceFails) {
    ASSERT_TRUE(Await(repo_->UpsertPendingRequest(Request("default", 'a', "req-1"))));
    PairedDevice mismatched = Device("default", 'b');  // not the request's device: the write fails
    auto approved =
        Await(repo_->ResolveRequest("default", "req-1", PairingStatus::kApproved, kNow, mismatched));
    ASSERT_FALSE(approved);
    auto stored = Await(repo_->GetRequest("default", "req-1"));
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->status, PairingStatus::kPending);
    EXPECT_EQ(Count("SELECT count(*) FROM paired_devices"), 0);
}

TEST_F(DeviceRepositoryTest, ResolvingTwiceIsAConflictAndUnknownIdNotFound) {
    ASSERT_TRUE(Await(repo_->UpsertPendingRequest(Request("default", 'a', "req-1"))));
    ASSERT_TRUE(Await(repo_->ResolveRequest("default", "req-1", PairingStatus::kRejected, kNow, std::nullopt))
    );
    auto again = Await(
        repo_->ResolveRequest("default", "req-1", PairingStatus::kApproved, kNow, Device("default", 'a'))
    );
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ErrorCode::kConflict);
    EXPECT_EQ(Count("SELECT count(*) FROM paired_devices"), 0);
    auto unknown =
        Await(repo_->ResolveRequest("default", "nope", PairingStatus::kRejected, kNow, std::nullopt));
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
}

TEST_F(DeviceRepositoryTest, TokensAreFoundByHashUntilRevoked) {
    DeviceToken token = Token("default", 'a', "t1", 'c');
    ASSERT_TRUE(Await(repo_->PutToken(token)));
    auto found = Await(repo_->FindTokenByHash("default", std::string(64, 'c')));
    ASSERT_TRUE(found && found->has_value());
    EXPECT_EQ(**found, token);
    auto revoked = Await(repo_->RevokeTokens("default", HexId('a'), std::nullopt, kNow + 3));
    ASSERT_TRUE(revoked);
    EXPECT_EQ(*revoked, 1);
    auto gone = Await(repo_->FindTokenByHash("default", std::string(64, 'c')));
    ASSERT_TRUE(gone);
    EXPECT_FALSE(gone->has_value());
    auto twice = Await(repo_->RevokeTokens("default", HexId('a'), std::nullopt, kNow + 4));
    ASSERT_TRUE(twice);
    EXPECT_EQ(*twice, 0);
}

TEST_F(DeviceRepositoryTest, RevokeTokensForOneRoleKeepsTheOthers) {
    ASSERT_TRUE(Await(repo_->PutToken(Token("default", 'a', "t1", '1', "operator"))));
    ASSERT_TRUE(Await(repo_->PutToken(Token("default", 'a', "t2", '2', "node"))));
    auto revoked = Await(repo_->RevokeTokens("default", HexId('a'), std::string("node"), kNow));
    ASSERT_TRUE(revoked);
    EXPECT_EQ(*revoked, 1);
    auto op = Await(repo_->FindTokenByHash("default", std::string(64, '1')));
    ASSERT_TRUE(op);
    EXPECT_TRUE(op->has_value());
    auto node = Await(repo_->FindTokenByHash("default", std::string(64, '2')));
    ASSERT_TRUE(node);
    EXPECT_FALSE(node->has_value());
}

TEST_F(DeviceRepositoryTest, OnlyTheHashOfATokenIsStored) {
    DeviceToken token = Token("default", 'a', "t1", 'c');
    token.token_sha256 = "short";
    auto rejected = Await(repo_->PutToken(token));
    ASSERT_FALSE(rejected);
    EXPECT_EQ(rejected.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(Count("SELECT count(*) FROM device_tokens"), 0);
}

TEST_F(DeviceRepositoryTest, AnotherTenantSeesNothing) {
    ASSERT_TRUE(Await(repo_->PutDevice(Device("acme", 'a'))));
    ASSERT_TRUE(Await(repo_->UpsertPendingRequest(Request("acme", 'b', "req-acme"))));
    ASSERT_TRUE(Await(repo_->PutToken(Token("acme", 'a', "t1", 'd'))));

    auto device = Await(repo_->GetDevice("default", HexId('a')));
    ASSERT_TRUE(device);
    EXPECT_FALSE(device->has_value());
    auto devices = Await(repo_->ListDevices("default"));
    ASSERT_TRUE(devices);
    EXPECT_TRUE(devices->empty());
    auto request = Await(repo_->GetRequest("default", "req-acme"));
    ASSERT_FALSE(request);
    EXPECT_EQ(request.error().code, ErrorCode::kNotFound);
    auto requests = Await(repo_->ListRequests("default", false));
    ASSERT_TRUE(requests);
    EXPECT_TRUE(requests->empty());
    auto resolve =
        Await(repo_->ResolveRequest("default", "req-acme", PairingStatus::kRejected, kNow, std::nullopt));
    ASSERT_FALSE(resolve);
    EXPECT_EQ(resolve.error().code, ErrorCode::kNotFound);
    auto token = Await(repo_->FindTokenByHash("default", std::string(64, 'd')));
    ASSERT_TRUE(token);
    EXPECT_FALSE(token->has_value());
    auto revoked = Await(repo_->RevokeTokens("default", HexId('a'), std::nullopt, kNow));
    ASSERT_TRUE(revoked);
    EXPECT_EQ(*revoked, 0);
    auto removed = Await(repo_->RemoveDevice("default", HexId('a')));
    ASSERT_FALSE(removed);
    auto touched = Await(repo_->TouchDevice("default", HexId('a'), kNow));
    ASSERT_FALSE(touched);

    // The same device id pending in both tenants is allowed (one pending request per tenant + device).
    auto same = Await(repo_->UpsertPendingRequest(Request("default", 'b', "req-default")));
    ASSERT_TRUE(same);
    EXPECT_EQ(same->request_id, "req-default");
    auto acme = Await(repo_->GetDevice("acme", HexId('a')));
    ASSERT_TRUE(acme && acme->has_value());
}

}  // namespace
}  // namespace gw::store
