// SqliteWrappedKeyStore under a real crypto::Keyring (LocalKeyFileProvider in the temp dir): durability
// across reopening, the port's contract, and crypto-shredding down to the bytes of gateway.db and its WAL.
#include "store/sqlite_wrapped_key_store.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "crypto/key_provider.hpp"
#include "crypto/keyring.hpp"
#include "store/internal/test_support.hpp"

namespace gw::store {
namespace {

using crypto::Classification;
using crypto::EnvelopeContext;
using crypto::Keyring;
using crypto::WrappedKeyRecord;
using internal::QueryInt;
using internal::TempDirForTest;

constexpr Classification kEncrypted[] = {
    Classification::kInternal, Classification::kConfidential, Classification::kRestricted};

std::vector<char> ReadFileBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool Contains(const std::vector<char>& haystack, const std::vector<std::uint8_t>& needle) {
    return std::search(
               haystack.begin(),
               haystack.end(),
               needle.begin(),
               needle.end(),
               [](char a, std::uint8_t b) { return static_cast<std::uint8_t>(a) == b; }
           ) != haystack.end();
}

std::uint32_t VersionOf(const std::vector<std::uint8_t>& blob) {
    return crypto::ParseEnvelopeHeader(blob).value().key_version;
}

class SqliteWrappedKeyStoreTest : public ::testing::Test {
protected:
    void SetUp() override { Open(); }

    void Open() {
        config::StoreOptions options;
        options.data_dir = dir_.File("var");
        auto store = EmbeddedStore::Open(options, MigrateMode::kApply);
        ASSERT_TRUE(store) << store.error().message;
        store_ = std::move(*store);
        keys_ = std::make_unique<SqliteWrappedKeyStore>(*store_, key_store_options_);
        provider_ = std::make_unique<crypto::LocalKeyFileProvider>(dir_.File("keys/master.key"));
        auto keyring = Keyring::Open(*provider_, *keys_);
        ASSERT_TRUE(keyring) << keyring.error().message;
        keyring_ = std::move(*keyring);
    }

    void Close() {
        keyring_.reset();
        provider_.reset();
        keys_.reset();
        store_.reset();
    }

    void Reopen() {
        Close();
        Open();
    }

    std::vector<std::uint8_t> Encrypt(const EnvelopeContext& ctx, Classification c, std::string_view text) {
        auto blob = keyring_->Encrypt(ctx, c, text);
        EXPECT_TRUE(blob) << blob.error().message;
        return blob ? std::move(*blob) : std::vector<std::uint8_t>{};
    }

    std::string DbPath() const { return dir_.File("var/gateway.db"); }

    /// The wrapped keys of `tenant` as stored.
    std::vector<std::vector<std::uint8_t>> WrappedKeysOf(std::string_view tenant) {
        std::vector<std::vector<std::uint8_t>> out;
        auto set = keys_->LoadAll();
        EXPECT_TRUE(set) << set.error().message;
        for (const auto& key : set ? set->keys : std::vector<WrappedKeyRecord>{}) {
            if (key.tenant == tenant) {
                out.push_back(key.wrapped);
            }
        }
        return out;
    }

    /// Files of the database that exist right now, among gateway.db, -wal and -shm.
    std::vector<std::string> DatabaseFiles() const {
        std::vector<std::string> files;
        for (const char* suffix : {"", "-wal", "-shm"}) {
            if (std::filesystem::exists(DbPath() + suffix)) {
                files.push_back(DbPath() + suffix);
            }
        }
        return files;
    }

    /// Which of `needles` occur in any database file.
    std::size_t CountOnDisk(const std::vector<std::vector<std::uint8_t>>& needles) const {
        std::vector<std::vector<char>> contents;
        for (const auto& file : DatabaseFiles()) {
            contents.push_back(ReadFileBytes(file));
        }
        return static_cast<std::size_t>(std::count_if(
            needles.begin(),
            needles.end(),
            [&](const auto& needle) {
                return std::any_of(contents.begin(), contents.end(), [&](const auto& c) {
                    return Contains(c, needle);
                });
            }
        ));
    }

    /// Sets the writer connection's secure_delete (Debian's SQLite is built with SECURE_DELETE, so it
    /// starts at 1; a build without it starts at 0).
    void SetWriterSecureDelete(const std::string& value) {
        auto set = store_->WriteBlocking([&value](sqlite::Connection& conn) {
            return conn.Exec("PRAGMA secure_delete = " + value);
        });
        ASSERT_TRUE(set) << set.error().message;
    }

    std::int64_t WriterSecureDelete() {
        std::int64_t value = -1;
        auto read = store_->WriteBlocking([&value](sqlite::Connection& conn) -> Result<void> {
            value = QueryInt(conn, "PRAGMA secure_delete");
            return Ok();
        });
        EXPECT_TRUE(read) << read.error().message;
        return value;
    }

    TempDirForTest dir_;
    SqliteWrappedKeyStoreOptions key_store_options_;
    std::unique_ptr<EmbeddedStore> store_;
    std::unique_ptr<SqliteWrappedKeyStore> keys_;
    std::unique_ptr<crypto::LocalKeyFileProvider> provider_;
    std::unique_ptr<Keyring> keyring_;
};

TEST_F(SqliteWrappedKeyStoreTest, DataEncryptedBeforeReopeningDecryptsAfterIt) {
    const EnvelopeContext ctx{"acme", "messages", "m-1"};
    std::vector<std::vector<std::uint8_t>> blobs;
    for (auto c : kEncrypted) {
        blobs.push_back(Encrypt(ctx, c, "secret of class " + std::string(crypto::ClassificationName(c))));
    }
    Reopen();
    for (std::size_t i = 0; i < blobs.size(); ++i) {
        auto text = keyring_->Decrypt(ctx, blobs[i]);
        ASSERT_TRUE(text) << text.error().message;
        EXPECT_EQ(*text, "secret of class " + std::string(crypto::ClassificationName(kEncrypted[i])));
    }
    EXPECT_EQ(WrappedKeysOf("acme").size(), 3U);
}

TEST_F(SqliteWrappedKeyStoreTest, KeysNeedNoTenantsRow) {
    // tenant_id is not a foreign key (see 0003): keys may exist before the tenants row does.
    ASSERT_TRUE(keyring_->EnsureTenant("not-yet-provisioned"));
    auto conn = sqlite::Connection::Open(DbPath(), {.read_only = true, .create = false});
    ASSERT_TRUE(conn) << conn.error().message;
    EXPECT_EQ(QueryInt(*conn, "SELECT count(*) FROM tenants WHERE id = 'not-yet-provisioned'"), 0);
    EXPECT_EQ(
        QueryInt(*conn, "SELECT count(*) FROM crypto_data_keys WHERE tenant_id = 'not-yet-provisioned'"), 3
    );
}

TEST_F(SqliteWrappedKeyStoreTest, RotationSurvivesReopen) {
    const EnvelopeContext ctx{"acme", "messages", "m-1"};
    const auto v1 = Encrypt(ctx, Classification::kConfidential, "before rotation");
    auto rotated = keyring_->Rotate("acme", Classification::kConfidential);
    ASSERT_TRUE(rotated) << rotated.error().message;
    EXPECT_EQ(*rotated, 2U);
    const auto v2 = Encrypt(ctx, Classification::kConfidential, "after rotation");
    ASSERT_EQ(VersionOf(v1), 1U);
    ASSERT_EQ(VersionOf(v2), 2U);

    Reopen();
    EXPECT_EQ(keyring_->Decrypt(ctx, v1).value(), "before rotation");
    EXPECT_EQ(keyring_->Decrypt(ctx, v2).value(), "after rotation");
    EXPECT_EQ(VersionOf(Encrypt(ctx, Classification::kConfidential, "new")), 2U);  // v2 is still active
    EXPECT_EQ(keyring_->Rotate("acme", Classification::kConfidential).value(), 3U);
}

TEST_F(SqliteWrappedKeyStoreTest, MinDecryptPolicySurvivesReopenAndCanBeLowered) {
    const EnvelopeContext ctx{"acme", "messages", "m-1"};
    const auto v1 = Encrypt(ctx, Classification::kRestricted, "old");
    ASSERT_TRUE(keyring_->Rotate("acme", Classification::kRestricted));
    const auto v2 = Encrypt(ctx, Classification::kRestricted, "new");
    ASSERT_TRUE(keyring_->SetMinDecryptVersion("acme", Classification::kRestricted, 2));

    Reopen();
    auto retired = keyring_->Decrypt(ctx, v1);
    ASSERT_FALSE(retired);
    EXPECT_EQ(retired.error().code, ErrorCode::kNotFound);
    EXPECT_NE(retired.error().message.find("retired"), std::string::npos) << retired.error().message;
    EXPECT_EQ(keyring_->Decrypt(ctx, v2).value(), "new");

    // SetPolicy replaces the row: lowering the minimum re-enables version 1, also after reopening.
    ASSERT_TRUE(keyring_->SetMinDecryptVersion("acme", Classification::kRestricted, 1));
    Reopen();
    EXPECT_EQ(keyring_->Decrypt(ctx, v1).value(), "old");
    auto set = keys_->LoadAll();
    ASSERT_TRUE(set) << set.error().message;
    ASSERT_EQ(set->policies.size(), 1U);
    EXPECT_EQ(set->policies[0].min_decrypt_version, 1U);
}

TEST_F(SqliteWrappedKeyStoreTest, InsertingAnExistingVersionIsAConflictAndKeepsTheFirstKey) {
    const auto created = std::chrono::system_clock::time_point(std::chrono::milliseconds(1'700'000'000'123));
    WrappedKeyRecord record{"acme", Classification::kInternal, 7, {1, 2, 3, 4}, created};
    ASSERT_TRUE(keys_->Insert(record));
    record.wrapped = {9, 9, 9};
    auto again = keys_->Insert(record);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ErrorCode::kConflict);

    auto set = keys_->LoadAll();
    ASSERT_TRUE(set) << set.error().message;
    ASSERT_EQ(set->keys.size(), 1U);
    EXPECT_EQ(set->keys[0].tenant, "acme");
    EXPECT_EQ(set->keys[0].classification, Classification::kInternal);
    EXPECT_EQ(set->keys[0].version, 7U);
    EXPECT_EQ(set->keys[0].wrapped, (std::vector<std::uint8_t>{1, 2, 3, 4}));
    EXPECT_EQ(set->keys[0].created_at, created);
    // Another version or class of the same tenant is no conflict.
    record.version = 8;
    EXPECT_TRUE(keys_->Insert(record));
    record.classification = Classification::kRestricted;
    EXPECT_TRUE(keys_->Insert(record));
}

TEST_F(SqliteWrappedKeyStoreTest, KeyStoreWritesRestoreTheWritersSecureDeleteSetting) {
    SetWriterSecureDelete("FAST");
    ASSERT_TRUE(keyring_->EnsureTenant("acme"));
    ASSERT_TRUE(keyring_->SetMinDecryptVersion("acme", Classification::kInternal, 1));
    ASSERT_TRUE(keyring_->ShredTenant("acme"));
    EXPECT_EQ(WriterSecureDelete(), 2);
}

TEST_F(SqliteWrappedKeyStoreTest, InvalidRecordsAreRefusedBeforeTheDatabase) {
    const WrappedKeyRecord good{"acme", Classification::kInternal, 1, {1}, {}};
    auto bad = good;
    bad.tenant.clear();
    EXPECT_EQ(keys_->Insert(bad).error().code, ErrorCode::kInvalidArgument);
    bad = good;
    bad.classification = Classification::kPublic;
    EXPECT_EQ(keys_->Insert(bad).error().code, ErrorCode::kInvalidArgument);
    bad = good;
    bad.version = 0;
    EXPECT_EQ(keys_->Insert(bad).error().code, ErrorCode::kInvalidArgument);
    bad = good;
    bad.wrapped.clear();
    EXPECT_EQ(keys_->Insert(bad).error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(
        keys_->SetPolicy({"acme", Classification::kPublic, 1}).error().code, ErrorCode::kInvalidArgument
    );
    EXPECT_EQ(keys_->DeleteTenant("").error().code, ErrorCode::kInvalidArgument);
    EXPECT_TRUE(keys_->LoadAll().value().keys.empty());
}

TEST_F(SqliteWrappedKeyStoreTest, ShreddedTenantIsUnreadableAfterReopenAndItsKeysAreGoneFromDbAndWal) {
    const EnvelopeContext acme{"acme", "messages", "m-1"};
    const EnvelopeContext globex{"globex", "messages", "m-1"};
    std::vector<std::vector<std::uint8_t>> acme_blobs;
    for (auto c : kEncrypted) {
        acme_blobs.push_back(Encrypt(acme, c, "acme secret"));
    }
    ASSERT_TRUE(keyring_->Rotate("acme", Classification::kConfidential));
    ASSERT_TRUE(keyring_->SetMinDecryptVersion("acme", Classification::kConfidential, 1));
    const auto globex_blob = Encrypt(globex, Classification::kConfidential, "globex secret");
    // Tenants sorting before and after "acme", created after it: the key table spans several B-tree pages
    // and acme's cells move when pages split, so no copy may survive anywhere.
    for (int i = 0; i < 25; ++i) {
        ASSERT_TRUE(keyring_->EnsureTenant("a-" + std::to_string(100 + i)));
        ASSERT_TRUE(keyring_->EnsureTenant("z-" + std::to_string(100 + i)));
    }
    const auto acme_keys = WrappedKeysOf("acme");
    const auto globex_keys = WrappedKeysOf("globex");
    ASSERT_EQ(acme_keys.size(), 4U);
    ASSERT_EQ(globex_keys.size(), 1U);
    EXPECT_EQ(CountOnDisk(acme_keys), acme_keys.size()) << "the scan must find the keys before shredding";
    SetWriterSecureDelete("OFF");  // the shred must not rely on the build's default

    ASSERT_TRUE(keyring_->ShredTenant("acme"));

    EXPECT_EQ(CountOnDisk(acme_keys), 0U) << "shredded wrapped keys still in gateway.db or its WAL";
    EXPECT_EQ(CountOnDisk(globex_keys), 1U);
    EXPECT_EQ(std::filesystem::file_size(DbPath() + "-wal"), 0U);  // checkpoint(TRUNCATE)
    EXPECT_EQ(WriterSecureDelete(), 0) << "the writer's own secure_delete setting must be restored";
    EXPECT_EQ(keyring_->Decrypt(acme, acme_blobs[0]).error().code, ErrorCode::kNotFound);

    Reopen();
    for (const auto& blob : acme_blobs) {
        auto text = keyring_->Decrypt(acme, blob);
        ASSERT_FALSE(text);
        EXPECT_EQ(text.error().code, ErrorCode::kNotFound) << text.error().message;
    }
    EXPECT_EQ(keyring_->Decrypt(globex, globex_blob).value(), "globex secret");
    EXPECT_TRUE(WrappedKeysOf("acme").empty());
    EXPECT_EQ(WrappedKeysOf("a-110").size(), 3U);
    auto set = keys_->LoadAll();
    ASSERT_TRUE(set) << set.error().message;
    EXPECT_EQ(set->keys.size(), 1U + 50U * 3U);
    EXPECT_TRUE(set->policies.empty());  // acme's policy went with its keys
    Close();
    EXPECT_EQ(CountOnDisk(acme_keys), 0U);
}

TEST_F(SqliteWrappedKeyStoreTest, DeletingATenantWithoutKeysSucceedsAndTouchesNoOne) {
    ASSERT_TRUE(keyring_->EnsureTenant("acme"));
    ASSERT_TRUE(keys_->DeleteTenant("nobody"));
    EXPECT_EQ(WrappedKeysOf("acme").size(), 3U);
}

TEST_F(SqliteWrappedKeyStoreTest, ShredReportsUnavailableWhileAReaderPinsTheWalAndARetryFinishesIt) {
    Close();
    key_store_options_.checkpoint_timeout = std::chrono::milliseconds(50);
    Open();
    ASSERT_TRUE(keyring_->EnsureTenant("acme"));
    ASSERT_TRUE(keyring_->EnsureTenant("globex"));
    const auto acme_keys = WrappedKeysOf("acme");

    // A read transaction that started before the delete keeps the old snapshot (and WAL frames) alive.
    auto reader = sqlite::Connection::Open(DbPath(), {.read_only = true, .create = false});
    ASSERT_TRUE(reader) << reader.error().message;
    ASSERT_TRUE(reader->Exec("BEGIN"));
    ASSERT_EQ(QueryInt(*reader, "SELECT count(*) FROM crypto_data_keys"), 6);

    auto first = keyring_->ShredTenant("acme");
    ASSERT_FALSE(first);
    EXPECT_EQ(first.error().code, ErrorCode::kUnavailable) << first.error().message;
    EXPECT_TRUE(WrappedKeysOf("acme").empty());  // the delete itself committed
    EXPECT_GT(CountOnDisk(acme_keys), 0U) << "the pinned WAL still holds the old pages";

    ASSERT_TRUE(reader->Exec("COMMIT"));
    auto retry = keyring_->ShredTenant("acme");
    ASSERT_TRUE(retry) << retry.error().message;
    EXPECT_EQ(CountOnDisk(acme_keys), 0U);
    EXPECT_EQ(WrappedKeysOf("globex").size(), 3U);
}

}  // namespace
}  // namespace gw::store
