// SqliteAuditLog: the chain it builds, concurrency, group-commit failure paths (a batch-mate's error, a
// batch-mate that ends the transaction, a failed COMMIT), queries, restart and MACs.
#include "store/sqlite_audit_log.hpp"

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <gtest/gtest.h>

#include "crypto/encoding.hpp"
#include "crypto/sha256.hpp"
#include "runtime/testing.hpp"
#include "store/audit_test_fixture.hpp"

namespace gw::store::audit_test {
namespace {

namespace asio = boost::asio;
using domain::AuditRecord;
using namespace std::chrono_literals;

using SqliteAuditLogTest = AuditLogFixture;

/// Appends `n` events of tenant "t<t>" one after the other, collecting the seqs of those that succeed.
asio::awaitable<void> AppendSeries(SqliteAuditLog* log, int t, int n, std::vector<std::int64_t>* seqs) {
    for (int i = 0; i < n; ++i) {
        auto e = Event("t" + std::to_string(t), "authz.decide", "p" + std::to_string(i));
        Result<AuditRecord> r = co_await log->Append(std::move(e));
        if (r) {
            seqs->push_back(r->seq);
        }
    }
}

/// SHA-256(raw(prev) || canonical), computed here from the documented formula.
std::string ExpectedHash(const AuditRecord& r) {
    auto prev = crypto::HexDecode(r.prev_hash).value();
    std::string message(prev.begin(), prev.end());
    message += domain::CanonicalAuditBytes(r.seq, r.id, r.event);
    return crypto::HexEncode(crypto::Sha256(message));
}

TEST_F(SqliteAuditLogTest, AppendLinksRecordsIntoOneChainFromTheGenesisHash) {
    const auto records = AppendMany(3);
    ASSERT_EQ(records.size(), 3U);
    EXPECT_EQ(records[0].seq, 1);
    EXPECT_EQ(records[0].prev_hash, domain::kAuditGenesisHash);
    for (std::size_t i = 0; i < records.size(); ++i) {
        EXPECT_EQ(records[i].seq, static_cast<std::int64_t>(i + 1));
        EXPECT_EQ(records[i].hash, ExpectedHash(records[i]));
        EXPECT_TRUE(records[i].mac.empty());
        if (i > 0) {
            EXPECT_EQ(records[i].prev_hash, records[i - 1].hash);
        }
    }
    auto head = ReadAuditHead(*store_);
    ASSERT_TRUE(head);
    ASSERT_TRUE(*head);
    EXPECT_EQ((*head)->seq, 3);
    EXPECT_EQ((*head)->hash, records[2].hash);
    const auto report = Verify();
    EXPECT_TRUE(report.ok) << report.problem->message;
    EXPECT_EQ(report.records_checked, 3);
    EXPECT_EQ(report.last_hash, records[2].hash);
}

TEST_F(SqliteAuditLogTest, AppendStampsTimeNormalisesAndStoresEveryField) {
    now_ms_ = 1'234;
    auto e = Event("acme", "apikey.create", "user:alice");
    e.user_agent = "evil\nline";
    e.factors = {"password", "totp"};
    e.details = {{"key_id", "k1"}, {"scopes", "read,write"}};
    const AuditRecord stamped = AppendOk(e);
    EXPECT_EQ(stamped.event.time_ms, 1'234);
    EXPECT_EQ(stamped.event.user_agent, "evil\xEF\xBF\xBDline");

    e.time_ms = 99;
    const AuditRecord kept = AppendOk(e);
    EXPECT_EQ(kept.event.time_ms, 99);

    auto stored = runtime::RunCoro(log_->Query("acme", {}));
    ASSERT_TRUE(stored) << stored.error().message;
    ASSERT_EQ(stored->size(), 2U);
    EXPECT_EQ((*stored)[0], stamped);
    EXPECT_EQ((*stored)[1], kept);
}

TEST_F(SqliteAuditLogTest, InvalidEventIsRefusedAndWritesNothing) {
    auto e = Event("acme", "Not An Action", "p");
    auto r = log_->AppendBlocking(e);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    auto async = runtime::RunCoro(log_->Append(e));
    ASSERT_FALSE(async);
    EXPECT_EQ(async.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(Count("SELECT count(*) FROM audit_events"), 0);
    EXPECT_EQ(Count("SELECT seq FROM audit_head"), 0);
}

TEST_F(SqliteAuditLogTest, TenantsWithoutATenantsRowAreAudited) {
    // Authentication failures name tenants that may not exist; the log must not refuse them.
    EXPECT_EQ(AppendOk(Event("no-such-tenant", "auth.authenticate", "")).seq, 1);
    EXPECT_EQ(AppendOk(Event("", "auth.authenticate", "")).seq, 2);
}

TEST_F(SqliteAuditLogTest, ConcurrentAppendsFormOneContiguousVerifiableChain) {
    constexpr int kThreads = 8;
    constexpr int kPerThread = 125;
    std::vector<std::vector<std::int64_t>> seqs(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            runtime::RunCoro(AppendSeries(log_.get(), t, kPerThread, &seqs[t]), 60s);
        });
    }
    for (auto& th : threads) {
        th.join();
    }
    std::set<std::int64_t> all;
    for (const auto& s : seqs) {
        EXPECT_EQ(s.size(), static_cast<std::size_t>(kPerThread));
        EXPECT_TRUE(std::is_sorted(s.begin(), s.end()));  // one coroutine's appends keep their order
        all.insert(s.begin(), s.end());
    }
    ASSERT_EQ(all.size(), static_cast<std::size_t>(kThreads * kPerThread));
    EXPECT_EQ(*all.begin(), 1);
    EXPECT_EQ(*all.rbegin(), kThreads * kPerThread);
    const auto report = Verify();
    EXPECT_TRUE(report.ok) << report.problem->message;
    EXPECT_EQ(report.records_checked, kThreads * kPerThread);
    domain::AuditFilter big_page;
    big_page.limit = domain::kMaxAuditQueryLimit;
    auto t3 = runtime::RunCoro(log_->Query("t3", big_page));
    ASSERT_TRUE(t3);
    EXPECT_EQ(t3->size(), static_cast<std::size_t>(kPerThread));
}

TEST_F(SqliteAuditLogTest, ReopenedStoreContinuesTheChain) {
    const auto before = AppendMany(3);
    OpenLog();
    const auto after = AppendMany(2);
    EXPECT_EQ(after[0].seq, 4);
    EXPECT_EQ(after[0].prev_hash, before[2].hash);
    const auto report = Verify();
    EXPECT_TRUE(report.ok) << report.problem->message;
    EXPECT_EQ(report.records_checked, 5);
}

TEST_F(SqliteAuditLogTest, TriggersRefuseUpdateAndDeleteThroughTheStore) {
    AppendMany(2);
    auto update = store_->WriteBlocking([](sqlite::Connection& c) {
        return c.Exec("UPDATE audit_events SET reason = 'x' WHERE seq = 1");
    });
    EXPECT_FALSE(update);
    auto del =
        store_->WriteBlocking([](sqlite::Connection& c) { return c.Exec("DELETE FROM audit_events"); });
    EXPECT_FALSE(del);
    auto head = store_->WriteBlocking([](sqlite::Connection& c) { return c.Exec("DELETE FROM audit_head"); });
    EXPECT_FALSE(head);
    EXPECT_TRUE(Verify().ok);
}

TEST_F(SqliteAuditLogTest, RecordsCarryAMacWhenTheLogHasAKey) {
    OpenLog("k3y");
    const auto records = AppendMany(3);
    for (const auto& r : records) {
        EXPECT_EQ(r.mac, AuditChainMac("k3y", r.hash).value());
    }
    const auto keyed = Verify(KeyOptions("k3y"));
    EXPECT_TRUE(keyed.ok);
    EXPECT_TRUE(keyed.macs_checked);
    const auto wrong = Verify(KeyOptions("other"));
    ASSERT_FALSE(wrong.ok);
    EXPECT_EQ(wrong.problem->kind, AuditProblemKind::kMacMismatch);
    EXPECT_EQ(wrong.problem->seq, 1);
}

TEST_F(SqliteAuditLogTest, MacsAreRequiredFromTheConfiguredSeq) {
    AppendMany(3);  // before a key was configured
    OpenLog("k3y");
    AppendMany(3);
    const auto all = Verify(KeyOptions("k3y"));
    ASSERT_FALSE(all.ok);
    EXPECT_EQ(all.problem->kind, AuditProblemKind::kMacMissing);
    EXPECT_EQ(all.problem->seq, 1);
    EXPECT_TRUE(Verify(KeyOptions("k3y", 4)).ok);
    Tamper("UPDATE audit_events SET mac = NULL WHERE seq = 5");
    const auto stripped = Verify(KeyOptions("k3y", 4));
    ASSERT_FALSE(stripped.ok);
    EXPECT_EQ(stripped.problem->kind, AuditProblemKind::kMacMissing);
    EXPECT_EQ(stripped.problem->seq, 5);
}

TEST_F(SqliteAuditLogTest, QueryFiltersByTenantTimeActionPrincipalAndPages) {
    for (int i = 1; i <= 6; ++i) {
        auto e = Event(
            i % 2 == 0 ? "even" : "odd", i <= 3 ? "auth.login" : "role.change", "p" + std::to_string(i)
        );
        e.time_ms = 1000 * i;
        AppendOk(e);
    }
    // Seqs of the records Query (tenant set) or QueryAllTenants (nullopt) returns.
    auto seqs = [this](std::optional<std::string> tenant, domain::AuditFilter filter) {
        auto r = tenant ? runtime::RunCoro(log_->Query(*tenant, filter))
                        : runtime::RunCoro(log_->QueryAllTenants(filter));
        std::vector<std::int64_t> out;
        EXPECT_TRUE(r) << r.error().message;
        for (const auto& rec : r ? *r : std::vector<AuditRecord>{}) {
            out.push_back(rec.seq);
        }
        return out;
    };
    using V = std::vector<std::int64_t>;
    const domain::AuditFilter any;
    EXPECT_EQ(seqs("even", any), (V{2, 4, 6}));
    EXPECT_EQ(seqs("none", any), V{});
    EXPECT_EQ(seqs(std::nullopt, any), (V{1, 2, 3, 4, 5, 6}));

    domain::AuditFilter window;
    window.since_ms = 3000;
    window.until_ms = 5001;
    EXPECT_EQ(seqs("odd", window), (V{3, 5}));

    domain::AuditFilter logins;
    logins.action = "auth.login";
    EXPECT_EQ(seqs("odd", logins), (V{1, 3}));

    domain::AuditFilter p4;
    p4.principal = "p4";
    EXPECT_EQ(seqs(std::nullopt, p4), V{4});

    domain::AuditFilter page;
    page.after_seq = 2;
    page.limit = 2;
    EXPECT_EQ(seqs(std::nullopt, page), (V{3, 4}));

    domain::AuditFilter newest;
    newest.before_seq = 5;
    newest.newest_first = true;
    newest.limit = 2;
    EXPECT_EQ(seqs(std::nullopt, newest), (V{4, 3}));

    domain::AuditFilter zero;
    zero.limit = 0;
    auto bad = runtime::RunCoro(log_->Query("odd", zero));
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace gw::store::audit_test
