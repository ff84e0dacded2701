// Encryption at rest through the SQLite repositories (issue #6): nothing readable in the database files,
// integrity errors for tampered or moved rows, classification policy, rotation with re-encryption,
// retirement and crypto-shredding.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <sys/stat.h>

#include "crypto/encoding.hpp"
#include "crypto/master_key_source.hpp"
#include "crypto/random.hpp"
#include "obs/metrics.hpp"
#include "store/data_protection.hpp"
#include "store/internal/test_support.hpp"
#include "store/sqlite_idempotency_repository.hpp"
#include "store/sqlite_session_repository.hpp"
#include "store/sqlite_transcript_repository.hpp"

namespace gw::store {
namespace {

using crypto::Classification;
using internal::QueryInt;
using namespace std::chrono_literals;

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

std::string ReadAll(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// A store with encryption at rest; reopenable with the same master key (a restart).
class EncryptionAtRestTest : public ::testing::Test {
protected:
    void SetUp() override { Open(); }

    void Open(ClassificationPolicy policy = {}, ReencryptionOptions reencryption = {}) {
        repos_.reset();
        dp_.reset();
        store_.reset();
        config::StoreOptions options;
        options.data_dir = DataDir();
        store_ = EmbeddedStore::Open(options, MigrateMode::kApply).value();
        DataProtectionOptions dpo;
        dpo.provider = crypto::StaticKeyProvider::FromEncoded(master_hex_, "test").value();
        dpo.policy = std::move(policy);
        reencryption.auto_rotate = false;
        dpo.reencryption = std::move(reencryption);
        auto dp = DataProtection::Open(*store_, DataDir(), {}, std::move(dpo));
        ASSERT_TRUE(dp) << dp.error().message;
        dp_ = std::move(*dp);
        repos_ = std::make_unique<Repos>(*store_);
    }

    std::string DataDir() const { return dir_.File("var"); }

    sqlite::Connection Raw() { return sqlite::Connection::Open(DataDir() + "/gateway.db").value(); }

    domain::Session Session(
        const std::string& key = "agent:main:main", const std::string& tenant = "default"
    ) {
        return RunHere(repos_->sessions.GetOrCreate(tenant, *domain::ParseSessionKey(key), "u")).value();
    }

    static domain::TranscriptEntry Entry(const domain::Session& s, std::string id, std::string text) {
        domain::TranscriptEntry e;
        e.id = std::move(id);
        e.transcript_id = s.transcript_id;
        e.session_id = s.id;
        e.tenant_id = s.tenant_id;
        e.role = domain::Role::kUser;
        e.content = {domain::TextBlock{std::move(text)}};
        return e;
    }

    void Append(const domain::TranscriptEntry& e) {
        auto stored = RunHere(repos_->transcripts.Append({e}));
        ASSERT_TRUE(stored) << stored.error().message;
    }

    Result<domain::TranscriptEntry> Get(const std::string& id, const std::string& tenant = "default") {
        return RunHere(repos_->transcripts.GetEntry(tenant, id));
    }

    std::string TextOf(const std::string& id) {
        auto e = Get(id);
        EXPECT_TRUE(e) << e.error().message;
        return e ? domain::EntryText(*e) : std::string();
    }

    std::int64_t KeyVersionColumn(const std::string& id) {
        auto conn = Raw();
        return QueryInt(conn, "SELECT key_version FROM messages WHERE id = '" + id + "'");
    }

    void ExecRaw(const std::string& sql) {
        auto conn = Raw();
        auto done = conn.Exec(sql);
        ASSERT_TRUE(done) << done.error().message;
    }

    std::vector<std::byte> Sealed(const std::string& id) {
        auto conn = Raw();
        auto stmt = conn.Prepare("SELECT sealed FROM messages WHERE id = ?1").value();
        EXPECT_TRUE(stmt.Bind(1, std::string_view(id)));
        EXPECT_TRUE(stmt.Step().value());
        const auto blob = stmt.ColumnBlob(0);
        return {blob.begin(), blob.end()};
    }

    void SetSealed(const std::string& id, const std::vector<std::byte>& sealed) {
        auto conn = Raw();
        auto stmt = conn.Prepare("UPDATE messages SET sealed = ?1 WHERE id = ?2").value();
        ASSERT_TRUE(stmt.BindBlob(1, sealed));
        ASSERT_TRUE(stmt.Bind(2, std::string_view(id)));
        auto ran = stmt.Run();
        ASSERT_TRUE(ran) << ran.error().message;
        ASSERT_EQ(*ran, 1);
    }

    struct Repos {
        explicit Repos(EmbeddedStore& store)
            : sessions(store, clock), transcripts(store, clock), idempotency(store, clock) {}

        domain::WallClock clock = [] { return std::int64_t{1'700'000'000'000}; };
        SqliteSessionRepository sessions;
        SqliteTranscriptRepository transcripts;
        SqliteIdempotencyRepository idempotency;
    };

    internal::TempDirForTest dir_;
    std::string master_hex_ = crypto::HexEncode(crypto::RandomBytes<32>());
    std::unique_ptr<EmbeddedStore> store_;
    std::unique_ptr<DataProtection> dp_;
    std::unique_ptr<Repos> repos_;
};

TEST_F(EncryptionAtRestTest, MarkerNeverReachesTheDatabaseOrWalInPlaintext) {
    const std::string marker = "MARKER-" + crypto::HexEncode(crypto::RandomBytes<8>());
    const auto s = Session();
    Append(Entry(s, "e1", "user says " + marker));
    domain::TranscriptEntry tool = Entry(s, "e2", "");
    tool.role = domain::Role::kToolResult;
    tool.content = {domain::ToolResultBlock{"call-1", "search", "tool output " + marker, false}};
    Append(tool);
    domain::RunStart start;
    start.run = {"run-1", "default", s.id, s.transcript_id, "u", std::nullopt, {}, {}, {}, 0, {}};
    ASSERT_TRUE(RunHere(repos_->transcripts.StartRun(start)));
    domain::RunFinish finish;
    finish.tenant_id = "default";
    finish.run_id = "run-1";
    finish.status = domain::RunStatus::kFailed;
    domain::TranscriptEntry failed = Entry(s, "e3", "partial " + marker);
    failed.role = domain::Role::kAssistant;
    failed.run_id = "run-1";
    failed.stop_reason = domain::StopReason::kError;
    failed.error_message = "provider said " + marker;
    finish.entries = {failed};
    ASSERT_TRUE(RunHere(repos_->transcripts.FinishRun(finish)));
    ASSERT_TRUE(RunHere(repos_->idempotency.Claim("default", "ik-1", "{\"ack\":\"" + marker + "\"}", 10min)));
    ASSERT_TRUE(RunHere(repos_->idempotency.Complete("default", "ik-1", "{\"reply\":\"" + marker + "\"}")));

    // Reads decrypt transparently.
    EXPECT_EQ(TextOf("e1"), "user says " + marker);
    auto e2 = Get("e2").value();
    EXPECT_EQ(std::get<domain::ToolResultBlock>(e2.content.at(0)).content, "tool output " + marker);
    auto e3 = Get("e3").value();
    EXPECT_EQ(e3.error_message, "provider said " + marker);
    auto claim = RunHere(repos_->idempotency.Claim("default", "ik-1", "{}", 10min)).value();
    EXPECT_FALSE(claim.claimed);
    EXPECT_EQ(claim.record.ack, "{\"ack\":\"" + marker + "\"}");
    EXPECT_EQ(claim.record.result, "{\"reply\":\"" + marker + "\"}");

    const auto db = std::filesystem::path(DataDir()) / "gateway.db";
    const auto wal = std::filesystem::path(DataDir()) / "gateway.db-wal";
    ASSERT_TRUE(std::filesystem::exists(wal));
    EXPECT_GT(std::filesystem::file_size(wal), 0U);  // the writes are (at least) in the WAL now
    for (const auto& file : {db, wal}) {
        EXPECT_EQ(ReadAll(file).find(marker), std::string::npos) << file;
    }
    // After a checkpoint the pages are in gateway.db itself.
    {
        auto conn = Raw();
        ASSERT_TRUE(conn.Exec("PRAGMA wal_checkpoint(FULL)"));
    }
    for (const auto& file : {db, wal}) {
        EXPECT_EQ(ReadAll(file).find(marker), std::string::npos) << file;
    }
    auto conn = Raw();
    EXPECT_EQ(QueryInt(conn, "SELECT count(*) FROM messages WHERE sealed IS NOT NULL AND content = ''"), 3);
    EXPECT_EQ(QueryInt(conn, "SELECT count(*) FROM messages WHERE key_class = 2"), 3);  // confidential
}

TEST_F(EncryptionAtRestTest, FlippedByteFailsWithIntegrityError) {
    const auto s = Session();
    Append(Entry(s, "e1", "hello"));
    auto sealed = Sealed("e1");
    ASSERT_GT(sealed.size(), 30U);
    sealed[30] ^= std::byte{0x01};  // one bit of the ciphertext
    SetSealed("e1", sealed);
    auto e = Get("e1");
    ASSERT_FALSE(e);
    EXPECT_EQ(e.error().code, ErrorCode::kInternal);
    EXPECT_EQ(e.error().message, "integrity check failed for transcript entry e1");
    // The history read fails the same way instead of returning garbage.
    auto page = RunHere(repos_->transcripts.History({"default", s.transcript_id, 10, std::nullopt}));
    ASSERT_FALSE(page);
    EXPECT_EQ(page.error().message, "integrity check failed for transcript entry e1");
}

TEST_F(EncryptionAtRestTest, SwappedRowsFailWithIntegrityError) {
    const auto s = Session();
    Append(Entry(s, "e1", "first"));
    Append(Entry(s, "e2", "second"));
    const auto one = Sealed("e1");
    const auto two = Sealed("e2");
    SetSealed("e1", two);
    SetSealed("e2", one);
    for (const char* id : {"e1", "e2"}) {
        auto e = Get(id);
        ASSERT_FALSE(e) << id;
        EXPECT_EQ(e.error().code, ErrorCode::kInternal);
        EXPECT_EQ(e.error().message, std::string("integrity check failed for transcript entry ") + id);
    }
}

TEST_F(EncryptionAtRestTest, TamperedIdempotencyPayloadFailsWithIntegrityError) {
    ASSERT_TRUE(RunHere(repos_->idempotency.Claim("default", "k1", "{\"a\":1}", 10min)));
    ASSERT_TRUE(RunHere(repos_->idempotency.Claim("default", "k2", "{\"a\":2}", 10min)));
    ExecRaw(
        "UPDATE idempotency_keys SET ack = (SELECT ack FROM idempotency_keys WHERE key = 'k2') WHERE key = "
        "'k1'"
    );
    auto again = RunHere(repos_->idempotency.Claim("default", "k1", "{}", 10min));
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ErrorCode::kInternal);
    EXPECT_EQ(again.error().message, "integrity check failed for idempotency record k1");
}

TEST_F(EncryptionAtRestTest, PublicClassificationStoresPlaintextAndOthersSeal) {
    ClassificationPolicy policy;
    policy.agents["docs"] = Classification::kPublic;
    policy.channels["telegram"] = Classification::kRestricted;
    Open(policy);
    const auto pub = Session("agent:docs:main");
    Append(Entry(pub, "p1", "public words"));
    const auto conf = Session("agent:main:main");
    Append(Entry(conf, "c1", "confidential words"));
    auto conn = Raw();
    EXPECT_EQ(
        QueryInt(
            conn,
            "SELECT count(*) FROM messages WHERE id = 'p1' AND sealed IS NULL AND content LIKE '%public "
            "words%'"
        ),
        1
    );
    EXPECT_EQ(QueryInt(conn, "SELECT key_class FROM messages WHERE id = 'c1'"), 2);
    EXPECT_EQ(TextOf("p1"), "public words");
    EXPECT_EQ(TextOf("c1"), "confidential words");
}

TEST(ClassificationPolicyTest, MostSpecificRuleWinsChannelThenAgentThenTenant) {
    ClassificationPolicy policy;
    EXPECT_EQ(policy.Classify({"t", "a", "c"}), Classification::kConfidential);
    policy.tenants["t"] = Classification::kInternal;
    EXPECT_EQ(policy.Classify({"t", "a", "c"}), Classification::kInternal);
    policy.agents["a"] = Classification::kPublic;
    EXPECT_EQ(policy.Classify({"t", "a", "c"}), Classification::kPublic);
    policy.channels["c"] = Classification::kRestricted;
    EXPECT_EQ(policy.Classify({"t", "a", "c"}), Classification::kRestricted);
    EXPECT_EQ(policy.Classify({"other", "", ""}), Classification::kConfidential);
}

TEST_F(EncryptionAtRestTest, RotationNewWritesUseNewVersionOldStillReadAndJobReencrypts) {
    const auto s = Session();
    Append(Entry(s, "old", "written under v1"));
    EXPECT_EQ(KeyVersionColumn("old"), 1);
    ASSERT_EQ(dp_->Keyring().Rotate("default", Classification::kConfidential).value(), 2U);
    Append(Entry(s, "new", "written under v2"));
    EXPECT_EQ(KeyVersionColumn("new"), 2);
    EXPECT_EQ(TextOf("old"), "written under v1");
    EXPECT_EQ(TextOf("new"), "written under v2");

    auto counts = CountSealedRows(*store_).value();
    EXPECT_EQ(PendingRows(counts, dp_->Keyring()), 1);
    auto done = dp_->Reencryption().RunPass(false);
    ASSERT_TRUE(done) << done.error().message;
    EXPECT_EQ(*done, 1U);
    EXPECT_EQ(KeyVersionColumn("old"), 2);
    EXPECT_EQ(TextOf("old"), "written under v1");
    EXPECT_EQ(PendingRows(CountSealedRows(*store_).value(), dp_->Keyring()), 0);
    auto progress = LoadReencryptionProgress(*store_).value();
    EXPECT_EQ(progress.reencrypted_total, 1);
    EXPECT_EQ(progress.cursor, 0);
    EXPECT_EQ(progress.passes_completed, 1);
}

TEST_F(EncryptionAtRestTest, ReencryptionResumesFromThePersistedCursorAfterARestart) {
    ReencryptionOptions small;
    small.batch_size = 2;
    Open({}, small);
    const auto s = Session();
    for (int i = 0; i < 5; ++i) {
        Append(Entry(s, "e" + std::to_string(i), "text " + std::to_string(i)));
    }
    ASSERT_TRUE(dp_->Keyring().Rotate("default", Classification::kConfidential));
    auto first = dp_->Reencryption().RunBatch().value();
    EXPECT_EQ(first.reencrypted, 2U);
    EXPECT_FALSE(first.pass_completed);
    const std::int64_t cursor = LoadReencryptionProgress(*store_).value().cursor;
    EXPECT_GT(cursor, 0);

    Open({}, small);  // "crash" and restart: the new job continues after the cursor
    auto rest = dp_->Reencryption().RunPass(false);
    ASSERT_TRUE(rest) << rest.error().message;
    EXPECT_EQ(*rest, 3U);
    auto progress = LoadReencryptionProgress(*store_).value();
    EXPECT_EQ(progress.reencrypted_total, 5);
    EXPECT_EQ(progress.cursor, 0);
    for (int i = 0; i < 5; ++i) {
        EXPECT_EQ(KeyVersionColumn("e" + std::to_string(i)), 2);
        EXPECT_EQ(TextOf("e" + std::to_string(i)), "text " + std::to_string(i));
    }
}

TEST_F(EncryptionAtRestTest, RetiredVersionsAreRefusedUntilReencrypted) {
    const auto s = Session();
    Append(Entry(s, "old", "v1 data"));
    ASSERT_TRUE(dp_->Keyring().Rotate("default", Classification::kConfidential));
    ASSERT_TRUE(dp_->Keyring().SetMinDecryptVersion("default", Classification::kConfidential, 2));
    auto refused = Get("old");
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::kNotFound);
    EXPECT_NE(refused.error().message.find("transcript entry old is unreadable"), std::string::npos)
        << refused.error().message;
    // The re-encryption job cannot open it either: counted as failed, row untouched.
    auto batch = dp_->Reencryption().RunBatch().value();
    EXPECT_EQ(batch.failed, 1U);
    EXPECT_EQ(KeyVersionColumn("old"), 1);
    // Lowering the minimum re-enables v1; re-encrypt, then retiring v1 is harmless.
    ASSERT_TRUE(dp_->Keyring().SetMinDecryptVersion("default", Classification::kConfidential, 1));
    ASSERT_EQ(dp_->Reencryption().RunPass(false).value(), 1U);
    ASSERT_TRUE(dp_->Keyring().SetMinDecryptVersion("default", Classification::kConfidential, 2));
    EXPECT_EQ(TextOf("old"), "v1 data");
}

TEST_F(EncryptionAtRestTest, ShreddingATenantMakesItsDataUnreadableForGood) {
    {
        auto created = store_->WriteBlocking([](sqlite::Connection& conn) {
            return conn.Exec("INSERT INTO tenants (id, name, created_at) VALUES ('acme', 'Acme', 0)");
        });
        ASSERT_TRUE(created);
    }
    const auto acme = Session("agent:main:main", "acme");
    Append(Entry(acme, "a1", "acme secret"));
    const auto def = Session();
    Append(Entry(def, "d1", "default data"));
    ASSERT_TRUE(dp_->Keyring().ShredTenant("acme"));
    auto gone = Get("a1", "acme");
    ASSERT_FALSE(gone);
    EXPECT_EQ(gone.error().code, ErrorCode::kNotFound);
    EXPECT_EQ(TextOf("d1"), "default data");  // other tenants unaffected
    // A restart does not bring the keys back; new writes start a fresh key series that cannot open old rows.
    Open();
    Append(Entry(acme, "a2", "after shred"));
    EXPECT_EQ(domain::EntryText(Get("a2", "acme").value()), "after shred");
    auto still = Get("a1", "acme");
    ASSERT_FALSE(still);
    EXPECT_EQ(still.error().message, "integrity check failed for transcript entry a1");
}

TEST_F(EncryptionAtRestTest, BackgroundJobReencryptsAfterWakeAndReportsMetrics) {
    ReencryptionOptions fast;
    fast.batch_size = 3;
    fast.batch_delay = 1ms;
    fast.check_interval = 10min;
    Open({}, fast);
    const auto s = Session();
    for (int i = 0; i < 7; ++i) {
        Append(Entry(s, "e" + std::to_string(i), "x"));
    }
    obs::Registry registry;
    dp_->RegisterMetrics(registry);
    dp_->Reencryption().Start();
    ASSERT_TRUE(dp_->Keyring().Rotate("default", Classification::kConfidential));
    dp_->Reencryption().Wake();
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (dp_->Reencryption().Progress().reencrypted_total < 7 && std::chrono::steady_clock::now() < deadline
    ) {
        std::this_thread::sleep_for(5ms);  // polling with a deadline
    }
    EXPECT_EQ(dp_->Reencryption().Progress().reencrypted_total, 7);
    const std::string text = registry.RenderPrometheus();
    EXPECT_NE(text.find("openclaw_keys_reencrypted_total 7"), std::string::npos) << text;
    EXPECT_NE(text.find("openclaw_keys_reencrypt_pending"), std::string::npos);
    dp_->Reencryption().Stop();
    EXPECT_EQ(PendingRows(CountSealedRows(*store_).value(), dp_->Keyring()), 0);
}

TEST_F(EncryptionAtRestTest, LocalMasterKeyFileIsCreated0600AndSurvivesRestart) {
    repos_.reset();
    dp_.reset();
    auto open_local = [this] {
        auto dp = DataProtection::Open(*store_, DataDir(), [](std::string_view) { return std::nullopt; });
        EXPECT_TRUE(dp) << dp.error().message;
        return std::move(*dp);
    };
    dp_ = open_local();
    repos_ = std::make_unique<Repos>(*store_);
    const auto s = Session();
    Append(Entry(s, "e1", "kept across restarts"));

    struct stat st {};

    const auto key_file = crypto::LocalMasterKeyPath(DataDir());
    ASSERT_EQ(::stat(key_file.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600U);
    repos_.reset();
    dp_.reset();
    EXPECT_FALSE(store_->GetContentProtection());  // detached with its owner
    dp_ = open_local();
    repos_ = std::make_unique<Repos>(*store_);
    EXPECT_EQ(TextOf("e1"), "kept across restarts");
}

TEST_F(EncryptionAtRestTest, WrongMasterKeyRefusesToOpen) {
    const auto s = Session();
    Append(Entry(s, "e1", "x"));
    repos_.reset();
    dp_.reset();
    DataProtectionOptions other;
    other.provider =
        crypto::StaticKeyProvider::FromEncoded(crypto::HexEncode(crypto::RandomBytes<32>()), "o").value();
    auto dp = DataProtection::Open(*store_, DataDir(), {}, std::move(other));
    ASSERT_FALSE(dp);
    EXPECT_EQ(dp.error().code, ErrorCode::kInternal);
}

TEST_F(EncryptionAtRestTest, LegacyPlaintextRowsStayReadable) {
    const auto s = Session();
    ExecRaw(
        "INSERT INTO messages (id, tenant_id, session_id, transcript_id, user_id, role, content, timestamp, "
        "seq) "
        "VALUES ('legacy', 'default', '" +
        s.id + "', '" + s.transcript_id +
        "', 'u', 'user', '[{\"type\":\"text\",\"text\":\"old plain\"}]', 1, 100)"
    );
    EXPECT_EQ(TextOf("legacy"), "old plain");
}

}  // namespace
}  // namespace gw::store
