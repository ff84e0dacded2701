#include "store/embedded_store.hpp"

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <sys/stat.h>

#include "store/internal/embedded_migrations.hpp"
#include "store/internal/test_support.hpp"

namespace gw::store {
namespace {

using internal::QueryInt;
using internal::QueryText;
using internal::TempDirForTest;

int EmbeddedLatest() {
    return static_cast<int>(internal::SqliteMigrations().size());
}

class EmbeddedStoreTest : public ::testing::Test {
protected:
    config::StoreOptions Options() const {
        config::StoreOptions o;
        o.data_dir = dir_.File("data/var");
        return o;
    }

    std::string DbPath() const { return dir_.File("data/var/gateway.db"); }

    std::unique_ptr<EmbeddedStore> OpenOrFail(MigrateMode mode = MigrateMode::kApply) {
        auto store = EmbeddedStore::Open(Options(), mode);
        EXPECT_TRUE(store) << store.error().message;
        return store ? std::move(*store) : nullptr;
    }

    sqlite::Connection Raw() {
        auto conn = sqlite::Connection::Open(DbPath(), {.create = false});
        EXPECT_TRUE(conn) << conn.error().message;
        return std::move(*conn);
    }

    std::set<std::string> Names(sqlite::Connection& conn, std::string_view type) {
        std::set<std::string> names;
        auto stmt = conn.Prepare("SELECT name FROM sqlite_master WHERE type = ?");
        EXPECT_TRUE(stmt);
        EXPECT_TRUE(stmt->Bind(1, type));
        while (true) {
            auto row = stmt->Step();
            if (!row || !*row) {
                break;
            }
            names.emplace(stmt->ColumnText(0));
        }
        return names;
    }

private:
    TempDirForTest dir_;
};

TEST_F(EmbeddedStoreTest, FreshOpenAppliesInitialSchema) {
    auto store = OpenOrFail();
    ASSERT_TRUE(store);
    const MigrationStatus status = store->Migrations();
    EXPECT_EQ(status.applied_version, EmbeddedLatest());
    EXPECT_EQ(status.latest_version, EmbeddedLatest());
    EXPECT_TRUE(status.pending.empty());
    EXPECT_TRUE(status.Current());
    EXPECT_TRUE(store->Ping());

    auto conn = Raw();
    const auto tables = Names(conn, "table");
    for (const char* t : {"schema_migrations", "tenants", "users", "sessions", "messages", "audit_events"}) {
        EXPECT_TRUE(tables.contains(t)) << t;
    }
    const auto indexes = Names(conn, "index");
    for (const char* i :
         {"idx_sessions_tenant_activity",
          "idx_messages_session",
          "uq_messages_transcript_seq",
          "uq_messages_idempotency",
          "idx_users_tenant",
          "idx_audit_events_tenant_time"}) {
        EXPECT_TRUE(indexes.contains(i)) << i;
    }
    // 0007 drops the indexes no query uses.
    for (const char* i :
         {"idx_sessions_last_activity",
          "idx_messages_user_id",
          "idx_messages_timestamp",
          "idx_messages_run"}) {
        EXPECT_FALSE(indexes.contains(i)) << i;
    }
    EXPECT_EQ(
        QueryInt(
            conn,
            "SELECT desc FROM pragma_index_xinfo('idx_sessions_tenant_activity') WHERE name = 'last_activity'"
        ),
        1
    );
    EXPECT_EQ(
        QueryInt(
            conn, "SELECT partial FROM pragma_index_list('messages') WHERE name = 'uq_messages_idempotency'"
        ),
        1
    );
    for (const char* t : {"users", "sessions", "messages", "audit_events"}) {
        const std::string sql =
            std::string("SELECT count(*) FROM pragma_table_info('") + t + "') WHERE name = 'tenant_id'";
        EXPECT_EQ(QueryInt(conn, sql), 1) << t;
    }
    EXPECT_EQ(QueryText(conn, "SELECT name FROM tenants WHERE id = 'default'"), "Default");
    EXPECT_EQ(QueryInt(conn, "SELECT count(*) FROM schema_migrations"), EmbeddedLatest());
    EXPECT_EQ(QueryInt(conn, "SELECT length(checksum) FROM schema_migrations WHERE version = 1"), 64);
    EXPECT_EQ(QueryInt(conn, "SELECT applied_at LIKE '____-__-__T__:__:__.___Z' FROM schema_migrations"), 1);
}

TEST_F(EmbeddedStoreTest, ReopenIsIdempotentAndKeepsData) {
    {
        auto store = OpenOrFail();
        ASSERT_TRUE(store);
        auto w = store->WriteBlocking([](sqlite::Connection& c) {
            return c.Exec("INSERT INTO tenants (id, name, created_at) VALUES ('acme', 'Acme', 1)");
        });
        ASSERT_TRUE(w) << w.error().message;
    }
    auto store = OpenOrFail();
    ASSERT_TRUE(store);
    EXPECT_TRUE(store->Migrations().Current());
    auto conn = Raw();
    EXPECT_EQ(QueryInt(conn, "SELECT count(*) FROM schema_migrations"), EmbeddedLatest());
    EXPECT_EQ(QueryInt(conn, "SELECT count(*) FROM tenants"), 2);
}

TEST_F(EmbeddedStoreTest, DatabaseRunsInWalMode) {
    auto store = OpenOrFail();
    ASSERT_TRUE(store);
    EXPECT_EQ(store->DatabasePath(), DbPath());
    auto conn = Raw();
    EXPECT_EQ(QueryText(conn, "PRAGMA journal_mode"), "wal");
    EXPECT_TRUE(std::filesystem::exists(DbPath() + "-wal"));
}

TEST_F(EmbeddedStoreTest, DataDirIsCreatedOwnerOnly) {
    auto store = OpenOrFail();
    ASSERT_TRUE(store);
    for (const auto& dir :
         {Options().data_dir, std::filesystem::path(Options().data_dir).parent_path().string()}) {
        struct stat st {};

        ASSERT_EQ(::stat(dir.c_str(), &st), 0) << dir;
        EXPECT_TRUE(S_ISDIR(st.st_mode));
        EXPECT_EQ(st.st_mode & 0777, 0700U) << dir;
    }
}

TEST_F(EmbeddedStoreTest, DataDirBlockedByFileFailsToOpen) {
    auto options = Options();
    const auto parent = std::filesystem::path(options.data_dir).parent_path();
    std::filesystem::create_directories(parent.parent_path());
    {
        std::FILE* f = std::fopen(parent.c_str(), "w");
        ASSERT_NE(f, nullptr);
        std::fclose(f);
    }
    auto store = EmbeddedStore::Open(options, MigrateMode::kApply);
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error().code, ErrorCode::kInternal);
    EXPECT_NE(store.error().message.find("not a directory"), std::string::npos) << store.error().message;
}

TEST_F(EmbeddedStoreTest, RejectsOptionsItCannotServe) {
    auto postgres = Options();
    postgres.driver = "postgres";
    auto zero_batch = Options();
    zero_batch.group_commit_max_batch = 0;
    auto no_readers = Options();
    no_readers.read_threads = 0;
    for (const auto& o : {postgres, zero_batch, no_readers}) {
        auto store = EmbeddedStore::Open(o, MigrateMode::kApply);
        ASSERT_FALSE(store);
        EXPECT_EQ(store.error().code, ErrorCode::kInvalidArgument);
    }
    EXPECT_FALSE(std::filesystem::exists(Options().data_dir));
}

TEST_F(EmbeddedStoreTest, ChecksumMismatchIsRefusedNamingTheMigration) {
    OpenOrFail().reset();
    {
        auto conn = Raw();
        ASSERT_TRUE(conn.Exec("UPDATE schema_migrations SET checksum = 'tampered' WHERE version = 1"));
    }
    for (auto mode : {MigrateMode::kApply, MigrateMode::kInspectOnly}) {
        auto store = EmbeddedStore::Open(Options(), mode);
        ASSERT_FALSE(store);
        EXPECT_EQ(store.error().code, ErrorCode::kConflict);
        EXPECT_NE(store.error().message.find("migration 0001_init (version 1)"), std::string::npos)
            << store.error().message;
        EXPECT_NE(store.error().message.find("tampered"), std::string::npos) << store.error().message;
    }
}

TEST_F(EmbeddedStoreTest, NewerDatabaseIsRefused) {
    OpenOrFail().reset();
    {
        auto conn = Raw();
        ASSERT_TRUE(
            conn.Exec("INSERT INTO schema_migrations VALUES (999, 'future', 'x', '2030-01-01T00:00:00.000Z')")
        );
    }
    auto store = EmbeddedStore::Open(Options(), MigrateMode::kApply);
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error().code, ErrorCode::kConflict);
    EXPECT_EQ(
        store.error().message,
        "database schema version 999 is newer than this binary supports (" +
            std::to_string(EmbeddedLatest()) + "); upgrade openclaw-gateway or restore a matching backup"
    );
}

TEST_F(EmbeddedStoreTest, InspectModeLeavesMigrationsPendingUntilMigrate) {
    auto store = OpenOrFail(MigrateMode::kInspectOnly);
    ASSERT_TRUE(store);
    MigrationStatus status = store->Migrations();
    EXPECT_EQ(status.applied_version, 0);
    EXPECT_EQ(status.latest_version, EmbeddedLatest());
    ASSERT_EQ(status.pending.size(), static_cast<std::size_t>(EmbeddedLatest()));
    EXPECT_EQ(status.pending.front(), "0001_init");
    EXPECT_FALSE(status.Current());
    {
        auto conn = Raw();
        EXPECT_TRUE(Names(conn, "table").empty());
    }
    auto ping = store->Ping();
    ASSERT_FALSE(ping);
    EXPECT_EQ(ping.error().code, ErrorCode::kUnavailable);

    auto migrated = store->Migrate();
    ASSERT_TRUE(migrated) << migrated.error().message;
    EXPECT_TRUE(store->Migrations().Current());
    EXPECT_TRUE(store->Ping());
    auto w = store->WriteBlocking([](sqlite::Connection& c) {
        return c.Exec("INSERT INTO users (id, tenant_id, name, created_at) VALUES ('u1', 'default', 'Ann', 1)"
        );
    });
    EXPECT_TRUE(w) << w.error().message;
}

TEST_F(EmbeddedStoreTest, ReadsSeeCommittedWritesAndCannotWrite) {
    auto store = OpenOrFail();
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->WriteBlocking([](sqlite::Connection& c) {
        return c.Exec("INSERT INTO tenants (id, name, created_at) VALUES ('t2', 'Two', 5)");
    }));
    std::string name;
    auto r = store->ReadBlocking([&name](sqlite::Connection& c) -> Result<void> {
        name = QueryText(c, "SELECT name FROM tenants WHERE id = 't2'");
        return Ok();
    });
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(name, "Two");
    auto write = store->ReadBlocking([](sqlite::Connection& c) { return c.Exec("DELETE FROM tenants"); });
    ASSERT_FALSE(write);
    EXPECT_EQ(write.error().code, ErrorCode::kInternal);
}

TEST_F(EmbeddedStoreTest, BlockingCallsFromStoreThreadsAreRefusedInsteadOfDeadlocking) {
    auto store = OpenOrFail();
    ASSERT_TRUE(store);
    Result<void> nested_write = Ok();
    Result<void> nested_read = Ok();
    auto outer = store->WriteBlocking([&](sqlite::Connection&) -> Result<void> {
        nested_write = store->WriteBlocking([](sqlite::Connection&) { return Ok(); });
        nested_read = store->ReadBlocking([](sqlite::Connection&) { return Ok(); });
        return Ok();
    });
    ASSERT_TRUE(outer);
    ASSERT_FALSE(nested_write);
    EXPECT_EQ(nested_write.error().code, ErrorCode::kInternal);
    ASSERT_FALSE(nested_read);
    EXPECT_EQ(nested_read.error().code, ErrorCode::kInternal);
}

}  // namespace
}  // namespace gw::store
