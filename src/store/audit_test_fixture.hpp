#pragma once
/// @file
/// @brief Shared fixture of the audit log tests: a store in a temp dir, a SqliteAuditLog on a test clock,
/// and a raw connection for playing the attacker (who drops the append-only triggers first).

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "store/internal/test_support.hpp"
#include "store/sqlite_audit_log.hpp"

namespace gw::store::audit_test {

/// A typical event of `tenant` (allow, one factor, one detail).
inline domain::AuditEvent Event(std::string tenant, std::string action, std::string principal) {
    domain::AuditEvent e;
    e.tenant_id = std::move(tenant);
    e.action = std::move(action);
    e.principal = std::move(principal);
    e.factors = {"api_key"};
    e.resource = "GET /v1/models";
    e.decision = domain::AuditDecision::kAllow;
    e.reason = "role:member";
    e.source_ip = "127.0.0.1";
    e.user_agent = "test/1.0";
    e.request_id = "req";
    e.details = {{"route", "models"}};
    return e;
}

/// Verify options with an HMAC key.
inline AuditVerifyOptions KeyOptions(std::string key, std::int64_t mac_from_seq = 1) {
    AuditVerifyOptions o;
    o.hmac_key = std::move(key);
    o.mac_from_seq = mac_from_seq;
    return o;
}

class AuditLogFixture : public ::testing::Test {
protected:
    void SetUp() override { OpenLog(); }

    void OpenLog(std::string hmac_key = {}) {
        CloseLog();
        config::StoreOptions options;
        options.data_dir = dir_.File("var");
        auto store = EmbeddedStore::Open(options, MigrateMode::kApply);
        ASSERT_TRUE(store) << store.error().message;
        store_ = std::move(*store);
        log_ = std::make_unique<SqliteAuditLog>(
            *store_, [this] { return now_ms_.load(); }, std::move(hmac_key)
        );
    }

    void CloseLog() {
        log_.reset();
        store_.reset();
    }

    domain::AuditRecord AppendOk(domain::AuditEvent e) {
        auto r = log_->AppendBlocking(std::move(e));
        EXPECT_TRUE(r) << r.error().message;
        return r ? std::move(*r) : domain::AuditRecord{};
    }

    /// Appends `n` events ("t", "auth.login", "p<i>") with the clock advancing 1 ms each.
    std::vector<domain::AuditRecord> AppendMany(int n) {
        std::vector<domain::AuditRecord> out;
        for (int i = 0; i < n; ++i) {
            now_ms_.fetch_add(1);
            out.push_back(AppendOk(Event("t", "auth.login", "p" + std::to_string(i))));
        }
        return out;
    }

    AuditVerifyReport Verify(const AuditVerifyOptions& options = {}) {
        auto report = VerifyAuditChain(*store_, options);
        EXPECT_TRUE(report) << report.error().message;
        return report ? std::move(*report) : AuditVerifyReport{};
    }

    /// A writable connection of its own, as an attacker with file access would open.
    sqlite::Connection Raw() {
        auto conn = sqlite::Connection::Open(store_->DatabasePath(), {.create = false});
        EXPECT_TRUE(conn) << conn.error().message;
        return std::move(*conn);
    }

    /// Drops the append-only triggers, then runs `sql` (statements separated by ';').
    void Tamper(std::string_view sql) {
        auto conn = Raw();
        auto dropped = conn.Exec(
            "DROP TRIGGER IF EXISTS audit_events_no_update; DROP TRIGGER IF EXISTS audit_events_no_delete; "
            "DROP TRIGGER IF EXISTS audit_head_no_delete"
        );
        ASSERT_TRUE(dropped) << dropped.error().message;
        auto done = conn.Exec(sql);
        ASSERT_TRUE(done) << done.error().message;
    }

    std::int64_t Count(std::string_view sql) {
        std::int64_t n = -1;
        auto r = store_->ReadBlocking([&](sqlite::Connection& c) -> Result<void> {
            n = internal::QueryInt(c, sql);
            return Ok();
        });
        EXPECT_TRUE(r);
        return n;
    }

    internal::TempDirForTest dir_;
    std::atomic<std::int64_t> now_ms_{1'700'000'000'000};
    std::unique_ptr<EmbeddedStore> store_;
    std::unique_ptr<SqliteAuditLog> log_;
};

}  // namespace gw::store::audit_test
