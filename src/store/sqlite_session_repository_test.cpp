// The conversation port suite instantiated for SQLite, plus SQLite-only behaviour (migration backfill,
// restart recovery, the stored JSON format).
#include "store/sqlite_session_repository.hpp"

#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "crypto/encoding.hpp"
#include "crypto/random.hpp"
#include "store/data_protection.hpp"
#include "store/embedded_store.hpp"
#include "store/internal/embedded_migrations.hpp"
#include "store/internal/migrator.hpp"
#include "store/internal/test_support.hpp"
#include "store/session_port_suite.hpp"
#include "store/sqlite_idempotency_repository.hpp"
#include "store/sqlite_transcript_repository.hpp"

namespace gw::store {
namespace {

using internal::QueryInt;
using internal::QueryText;
using internal::TempDirForTest;
using port_suite::PortEnvironment;
using port_suite::PortSuiteParam;
using namespace std::chrono_literals;

std::unique_ptr<EmbeddedStore> OpenStore(const std::string& data_dir) {
    config::StoreOptions options;
    options.data_dir = data_dir;
    auto store = EmbeddedStore::Open(options, MigrateMode::kApply);
    if (!store) {
        ADD_FAILURE() << "EmbeddedStore::Open: " << store.error().message;
        return nullptr;
    }
    return std::move(*store);
}

/// Encryption at rest over the test store: a random static master key, the default policy (everything
/// confidential).
std::unique_ptr<DataProtection> ProtectStore(EmbeddedStore& store, const std::string& data_dir) {
    DataProtectionOptions options;
    options.provider =
        crypto::StaticKeyProvider::FromEncoded(crypto::HexEncode(crypto::RandomBytes<32>()), "test").value();
    auto dp = DataProtection::Open(store, data_dir, {}, std::move(options));
    if (!dp) {
        ADD_FAILURE() << "DataProtection::Open: " << dp.error().message;
        return nullptr;
    }
    return std::move(*dp);
}

class SqliteEnvironment final : public PortEnvironment {
public:
    SqliteEnvironment(domain::WallClock clock, bool encrypted)
        : store_(OpenStore(dir_.File("var"))),
          protection_(encrypted ? ProtectStore(*store_, dir_.File("var")) : nullptr),
          sessions_(*store_, clock),
          transcripts_(*store_, clock),
          idempotency_(*store_, clock) {}

    domain::SessionRepository& Sessions() override { return sessions_; }

    domain::TranscriptRepository& Transcripts() override { return transcripts_; }

    domain::IdempotencyRepository& Idempotency() override { return idempotency_; }

    void CreateTenant(const std::string& tenant_id) override {
        auto created = store_->WriteBlocking([&tenant_id](sqlite::Connection& conn) {
            auto stmt = conn.Prepare("INSERT INTO tenants (id, name, created_at) VALUES (?1, ?1, 0)");
            if (!stmt) {
                return Result<void>(stmt.error());
            }
            if (auto bound = stmt->Bind(1, std::string_view(tenant_id)); !bound) {
                return bound;
            }
            auto ran = stmt->Run();
            return ran ? Ok() : Result<void>(ran.error());
        });
        ASSERT_TRUE(created) << created.error().message;
    }

private:
    TempDirForTest dir_;
    std::unique_ptr<EmbeddedStore> store_;
    std::unique_ptr<DataProtection> protection_;
    SqliteSessionRepository sessions_;
    SqliteTranscriptRepository transcripts_;
    SqliteIdempotencyRepository idempotency_;
};

std::unique_ptr<PortEnvironment> MakeSqliteEnvironment(domain::WallClock clock) {
    return std::make_unique<SqliteEnvironment>(std::move(clock), false);
}

std::unique_ptr<PortEnvironment> MakeEncryptedSqliteEnvironment(domain::WallClock clock) {
    return std::make_unique<SqliteEnvironment>(std::move(clock), true);
}

const PortSuiteParam kSqlite{"Sqlite", MakeSqliteEnvironment};
const PortSuiteParam kSqliteEncrypted{"SqliteEncrypted", MakeEncryptedSqliteEnvironment};

}  // namespace

namespace port_suite {
GW_INSTANTIATE_CONVERSATION_PORT_SUITE(Store, kSqlite);
GW_INSTANTIATE_CONVERSATION_PORT_SUITE(StoreEncrypted, kSqliteEncrypted);
}  // namespace port_suite

namespace {

template <class T>
T RunHere(boost::asio::awaitable<T> aw) {
    boost::asio::io_context ioc;
    std::optional<T> out;
    boost::asio::co_spawn(ioc, std::move(aw), [&](std::exception_ptr e, T value) {
        EXPECT_FALSE(e) << "coroutine threw";
        out.emplace(std::move(value));
    });
    ioc.run_for(30s);
    if (!out) {
        throw std::runtime_error("the operation did not finish in time");
    }
    return std::move(*out);
}

domain::WallClock FixedClock(std::int64_t ms) {
    return [ms] { return ms; };
}

class SqliteConversationTest : public ::testing::Test {
protected:
    std::string DataDir() const { return dir_.File("var"); }

    sqlite::Connection Raw() {
        auto conn = sqlite::Connection::Open(DataDir() + "/gateway.db");
        EXPECT_TRUE(conn) << conn.error().message;
        return std::move(*conn);
    }

private:
    TempDirForTest dir_;
};

TEST_F(SqliteConversationTest, Migration0002BackfillsRowsWrittenBeforeIt) {
    std::filesystem::create_directories(DataDir());
    std::filesystem::permissions(DataDir(), std::filesystem::perms::owner_all);
    {
        auto conn = Raw();
        auto only_init = internal::Migrator::FromEmbedded(internal::SqliteMigrations().first(1));
        ASSERT_TRUE(only_init) << only_init.error().message;
        ASSERT_TRUE(only_init->Apply(conn));
        const char* legacy =
            "INSERT INTO sessions (id, tenant_id, user_id, session_key, agent_id, transcript_id, created_at,"
            " last_activity) VALUES ('s1', 'default', 'u', 'agent:main:main', 'main', NULL, 100, 300),"
            " ('s2', 'default', 'u', 'agent:main:other', 'main', 'old-t', 100, 300);"
            "INSERT INTO messages (id, tenant_id, session_id, transcript_id, parent_id, user_id, role, "
            "content,"
            " timestamp) VALUES"
            " ('m1', 'default', 's1', NULL, NULL, 'u', 'user', '[{\"type\":\"text\",\"text\":\"one\"}]', 10),"
            " ('m2', 'default', 's1', NULL, 'm1', 'u', 'assistant', "
            "'[{\"type\":\"text\",\"text\":\"two\"}]', 20),"
            " ('m3', 'default', 's1', NULL, 'm2', 'u', 'user', '[{\"type\":\"text\",\"text\":\"three\"}]', "
            "20),"
            " ('m4', 'default', 's2', 'old-t', NULL, 'u', 'user', '[{\"type\":\"text\",\"text\":\"x\"}]', 5),"
            " ('m5', 'default', 's2', 'older-t', NULL, 'u', 'user', '[{\"type\":\"text\",\"text\":\"y\"}]', "
            "1);";
        ASSERT_TRUE(conn.Exec(legacy));
    }
    auto store = OpenStore(DataDir());
    ASSERT_TRUE(store);
    EXPECT_TRUE(store->Migrations().Current());
    SqliteSessionRepository sessions(*store, FixedClock(1000));
    SqliteTranscriptRepository transcripts(*store, FixedClock(1000));
    auto s1 = RunHere(sessions.Get("default", *domain::ParseSessionKey("agent:main:main")));
    ASSERT_TRUE(s1) << s1.error().message;
    EXPECT_EQ(s1->transcript_id.size(), 36U);
    EXPECT_EQ(s1->transcript_started_at_ms, 100);
    auto history = RunHere(transcripts.History({"default", s1->transcript_id, 10, std::nullopt}));
    ASSERT_TRUE(history) << history.error().message;
    EXPECT_EQ(history->total_entries, 3);
    ASSERT_EQ(history->entries.size(), 3U);
    EXPECT_EQ(history->entries[0].id, "m1");
    EXPECT_EQ(history->entries[2].id, "m3");
    EXPECT_EQ(history->entries[2].seq, 3);
    auto appended = RunHere(transcripts.Append({[&] {
        domain::TranscriptEntry e;
        e.id = "m6";
        e.parent_id = "m3";
        e.transcript_id = s1->transcript_id;
        e.session_id = "s1";
        e.tenant_id = "default";
        e.content = {domain::TextBlock{"four"}};
        return e;
    }()}));
    ASSERT_TRUE(appended) << appended.error().message;
    EXPECT_EQ(appended->front().seq, 4);
    auto conn = Raw();
    EXPECT_EQ(QueryInt(conn, "SELECT entry_count FROM transcripts WHERE id = 'old-t'"), 1);
    EXPECT_EQ(QueryText(conn, "SELECT session_id FROM transcripts WHERE id = 'older-t'"), "s2");
    EXPECT_EQ(QueryInt(conn, "SELECT count(*) FROM messages WHERE seq IS NULL OR transcript_id IS NULL"), 0);
}

TEST_F(SqliteConversationTest, RestartRecoveryFailsRunsAndDropsPendingClaims) {
    std::string transcript_id;
    {
        auto store = OpenStore(DataDir());
        ASSERT_TRUE(store);
        SqliteSessionRepository sessions(*store, FixedClock(1000));
        SqliteTranscriptRepository transcripts(*store, FixedClock(1000));
        SqliteIdempotencyRepository idempotency(*store, FixedClock(1000));
        auto s = RunHere(sessions.GetOrCreate("default", *domain::ParseSessionKey("agent:main:main"), "u"));
        ASSERT_TRUE(s);
        transcript_id = s->transcript_id;
        ASSERT_TRUE(RunHere(idempotency.Claim("default", "agent:ik", "{\"status\":\"started\"}", 5min)));
        domain::RunStart start;
        start.run = {"ik", "default", s->id, s->transcript_id, "u", "ik", {}, {}, {}, 0, {}};
        ASSERT_TRUE(RunHere(transcripts.StartRun(start)));
    }  // the process "crashes": the run is still running, the claim still pending
    auto store = OpenStore(DataDir());
    ASSERT_TRUE(store);
    SqliteTranscriptRepository transcripts(*store, FixedClock(9000));
    SqliteIdempotencyRepository idempotency(*store, FixedClock(9000));
    auto recovered = transcripts.RecoverInterruptedRunsBlocking();
    ASSERT_TRUE(recovered) << recovered.error().message;
    EXPECT_EQ(*recovered, 1);
    auto dropped = idempotency.DropPendingClaimsBlocking();
    ASSERT_TRUE(dropped) << dropped.error().message;
    EXPECT_EQ(*dropped, 1);
    auto run = RunHere(transcripts.GetRun("default", "ik"));
    ASSERT_TRUE(run);
    EXPECT_EQ(run->status, domain::RunStatus::kFailed);
    EXPECT_EQ(run->error, "process restarted");
    EXPECT_EQ(run->ended_at_ms, 9000);
    // The client's retry claims anew and StartRun answers with the recovered run instead of a second one.
    auto retry = RunHere(idempotency.Claim("default", "agent:ik", "{}", 5min));
    ASSERT_TRUE(retry);
    EXPECT_TRUE(retry->claimed);
    domain::RunStart again;
    again.run = {"ik-2", "default", run->session_id, transcript_id, "u", "ik", {}, {}, {}, 0, {}};
    auto replay = RunHere(transcripts.StartRun(again));
    ASSERT_TRUE(replay);
    EXPECT_FALSE(replay->started);
    EXPECT_EQ(replay->run.status, domain::RunStatus::kFailed);
}

TEST_F(SqliteConversationTest, ContentIsStoredAsPiFormatJson) {
    auto store = OpenStore(DataDir());
    ASSERT_TRUE(store);
    SqliteSessionRepository sessions(*store, FixedClock(1000));
    SqliteTranscriptRepository transcripts(*store, FixedClock(1000));
    auto s = RunHere(sessions.GetOrCreate("default", *domain::ParseSessionKey("agent:main:main"), "u"));
    ASSERT_TRUE(s);
    domain::TranscriptEntry e;
    e.id = "a1";
    e.transcript_id = s->transcript_id;
    e.session_id = s->id;
    e.tenant_id = "default";
    e.role = domain::Role::kAssistant;
    e.content = {domain::TextBlock{"hi"}, domain::ToolCallBlock{"c1", "read", R"({"path": "a"})"}};
    e.usage = domain::TokenUsage{1, 2, 0, 0, 3};
    ASSERT_TRUE(RunHere(transcripts.Append({e})));
    auto conn = Raw();
    EXPECT_EQ(
        QueryText(conn, "SELECT content FROM messages WHERE id = 'a1'"),
        R"([{"type":"text","text":"hi"},{"type":"toolCall","id":"c1","name":"read","arguments":{"path":"a"}}])"
    );
    EXPECT_EQ(QueryText(conn, "SELECT role FROM messages WHERE id = 'a1'"), "assistant");
    EXPECT_EQ(QueryInt(conn, "SELECT total_tokens FROM messages WHERE id = 'a1'"), 3);
    EXPECT_EQ(
        QueryText(conn, "SELECT tenant_id || '/' || user_id FROM messages WHERE id = 'a1'"), "default/u"
    );
}

TEST_F(SqliteConversationTest, NewTranscriptReadsEmptyUntilItsFirstWriteIsSubmitted) {
    auto store = OpenStore(DataDir());
    ASSERT_TRUE(store);
    SqliteSessionRepository sessions(*store, FixedClock(1000));
    SqliteTranscriptRepository transcripts(*store, FixedClock(1000));
    auto s = RunHere(sessions.GetOrCreate("default", *domain::ParseSessionKey("agent:main:fresh"), "u"));
    ASSERT_TRUE(s);
    EXPECT_TRUE(store->IsTranscriptKnownEmpty(s->transcript_id));  // created by this process, no entry yet
    auto empty = RunHere(transcripts.History({"default", s->transcript_id, 10, std::nullopt}));
    ASSERT_TRUE(empty);
    EXPECT_TRUE(empty->entries.empty());
    EXPECT_EQ(empty->total_entries, 0);

    domain::Run run;
    run.id = "r1";
    run.tenant_id = "default";
    run.session_id = s->id;
    run.transcript_id = s->transcript_id;
    domain::TranscriptEntry e;
    e.id = "m1";
    e.transcript_id = s->transcript_id;
    e.session_id = s->id;
    e.tenant_id = "default";
    e.run_id = "r1";
    e.content = {domain::TextBlock{"hello"}};
    auto started = RunHere(transcripts.StartRun({run, {e}}));
    ASSERT_TRUE(started);
    EXPECT_FALSE(store->IsTranscriptKnownEmpty(s->transcript_id));
    auto page = RunHere(transcripts.History({"default", s->transcript_id, 10, std::nullopt}));
    ASSERT_TRUE(page);
    ASSERT_EQ(page->entries.size(), 1U);
    EXPECT_EQ(page->entries[0].id, "m1");
    EXPECT_EQ(page->total_entries, 1);
    // StartRun's one session UPDATE also recorded the run.
    auto conn = Raw();
    EXPECT_EQ(QueryText(conn, "SELECT last_run_id FROM sessions WHERE id = '" + s->id + "'"), "r1");
    // An existing session found again is not marked.
    auto again = RunHere(sessions.GetOrCreate("default", *domain::ParseSessionKey("agent:main:fresh"), "u"));
    ASSERT_TRUE(again);
    EXPECT_FALSE(store->IsTranscriptKnownEmpty(again->transcript_id));
}

}  // namespace
}  // namespace gw::store
