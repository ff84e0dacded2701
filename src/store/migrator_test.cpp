#include "store/internal/migrator.hpp"

#include <thread>

#include <gtest/gtest.h>

#include "store/internal/embedded_migrations.hpp"
#include "store/internal/sha256.hpp"
#include "store/internal/test_support.hpp"

namespace gw::store::internal {
namespace {

Migration Make(int version, std::string name, std::string sql) {
    auto sum = Sha256Hex(sql);
    EXPECT_TRUE(sum);
    return Migration{version, std::move(name), std::move(sql), sum ? *sum : std::string()};
}

std::vector<Migration> ThreeMigrations() {
    return {
        Make(1, "a", "CREATE TABLE a(x INTEGER);"),
        Make(2, "b", "CREATE TABLE b(x INTEGER); INSERT INTO b VALUES (1);"),
        Make(3, "c", "CREATE TABLE c(x INTEGER);"),
    };
}

class MigratorTest : public ::testing::Test {
protected:
    sqlite::Connection Connect() {
        auto conn = sqlite::Connection::Open(dir_.File("m.db"));
        EXPECT_TRUE(conn) << conn.error().message;
        return std::move(*conn);
    }

private:
    TempDirForTest dir_;
};

TEST(Sha256Test, MatchesKnownVector) {
    auto sum = Sha256Hex("abc");
    ASSERT_TRUE(sum);
    EXPECT_EQ(*sum, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(EmbeddedMigrationsTest, AreNumberedFromOneAndCarryTheirSql) {
    const auto embedded = SqliteMigrations();
    ASSERT_FALSE(embedded.empty());
    EXPECT_EQ(embedded[0].version, 1);
    EXPECT_EQ(embedded[0].name, "init");
    EXPECT_EQ(embedded[0].sql.substr(0, 13), "-- 0001_init:");
    EXPECT_TRUE(Migrator::FromEmbedded(embedded));
}

TEST(MigrationTest, LabelIsZeroPaddedFileStem) {
    EXPECT_EQ(Make(12, "add_keys", "").Label(), "0012_add_keys");
}

TEST_F(MigratorTest, CreateRejectsNonContiguousVersions) {
    auto list = ThreeMigrations();
    list.erase(list.begin() + 1);
    auto m = Migrator::Create(std::move(list));
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(MigratorTest, InspectOnFreshDatabaseReportsAllPendingAndChangesNothing) {
    auto m = Migrator::Create(ThreeMigrations());
    ASSERT_TRUE(m);
    auto conn = Connect();
    auto status = m->Inspect(conn);
    ASSERT_TRUE(status) << status.error().message;
    EXPECT_EQ(status->applied_version, 0);
    EXPECT_EQ(status->latest_version, 3);
    EXPECT_EQ(status->pending, (std::vector<std::string>{"0001_a", "0002_b", "0003_c"}));
    EXPECT_EQ(QueryInt(conn, "SELECT count(*) FROM sqlite_master"), 0);
}

TEST_F(MigratorTest, ApplyRunsEachPendingMigrationOnceInOrder) {
    auto m = Migrator::Create(ThreeMigrations());
    ASSERT_TRUE(m);
    auto conn = Connect();
    auto status = m->Apply(conn);
    ASSERT_TRUE(status) << status.error().message;
    EXPECT_TRUE(status->Current());
    EXPECT_EQ(QueryInt(conn, "SELECT group_concat(version) = '1,2,3' FROM schema_migrations"), 1);
    EXPECT_EQ(
        QueryText(conn, "SELECT checksum FROM schema_migrations WHERE version = 2"),
        ThreeMigrations()[1].checksum
    );
    auto again = m->Apply(conn);
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(QueryInt(conn, "SELECT count(*) FROM b"), 1);  // not re-run
}

TEST_F(MigratorTest, NewerBinaryAppliesOnlyTheNewMigrations) {
    auto conn = Connect();
    auto old_list = ThreeMigrations();
    old_list.pop_back();
    auto old_binary = Migrator::Create(std::move(old_list));
    ASSERT_TRUE(old_binary);
    ASSERT_TRUE(old_binary->Apply(conn));
    auto new_binary = Migrator::Create(ThreeMigrations());
    ASSERT_TRUE(new_binary);
    auto before = new_binary->Inspect(conn);
    ASSERT_TRUE(before);
    EXPECT_EQ(before->pending, (std::vector<std::string>{"0003_c"}));
    auto after = new_binary->Apply(conn);
    ASSERT_TRUE(after);
    EXPECT_TRUE(after->Current());
    // ...and the old binary now refuses the database.
    auto refused = old_binary->Inspect(conn);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
    EXPECT_NE(
        refused.error().message.find("schema version 3 is newer than this binary supports (2)"),
        std::string::npos
    );
}

TEST_F(MigratorTest, GapInRecordedVersionsIsRefused) {
    auto m = Migrator::Create(ThreeMigrations());
    ASSERT_TRUE(m);
    auto conn = Connect();
    ASSERT_TRUE(m->Apply(conn));
    ASSERT_TRUE(conn.Exec("DELETE FROM schema_migrations WHERE version = 2"));
    auto status = m->Inspect(conn);
    ASSERT_FALSE(status);
    EXPECT_EQ(status.error().code, ErrorCode::kConflict);
    EXPECT_NE(status.error().message.find("version 2 is missing"), std::string::npos)
        << status.error().message;
    EXPECT_FALSE(m->Apply(conn));
}

TEST_F(MigratorTest, FailingMigrationIsRolledBackAndNamed) {
    auto list = ThreeMigrations();
    list[1] = Make(2, "broken", "CREATE TABLE b(x INTEGER); INSERT INTO missing VALUES (1);");
    auto m = Migrator::Create(std::move(list));
    ASSERT_TRUE(m);
    auto conn = Connect();
    auto status = m->Apply(conn);
    ASSERT_FALSE(status);
    EXPECT_NE(status.error().message.find("migration 0002_broken failed"), std::string::npos)
        << status.error().message;
    EXPECT_NE(status.error().message.find("no such table: missing"), std::string::npos);
    EXPECT_FALSE(conn.InTransaction());
    EXPECT_EQ(QueryInt(conn, "SELECT count(*) FROM sqlite_master WHERE name = 'b'"), 0);
    EXPECT_EQ(QueryInt(conn, "SELECT max(version) FROM schema_migrations"), 1);
}

TEST_F(MigratorTest, ConcurrentMigratorsOnOneFileApplyEachMigrationOnce) {
    auto m = Migrator::Create(ThreeMigrations());
    ASSERT_TRUE(m);
    auto first = Connect();
    auto second = Connect();
    Result<MigrationStatus> r1 = MigrationStatus{};
    Result<MigrationStatus> r2 = MigrationStatus{};
    std::thread t1([&] { r1 = m->Apply(first); });
    std::thread t2([&] { r2 = m->Apply(second); });
    t1.join();
    t2.join();
    ASSERT_TRUE(r1) << r1.error().message;
    ASSERT_TRUE(r2) << r2.error().message;
    EXPECT_TRUE(r1->Current());
    EXPECT_TRUE(r2->Current());
    EXPECT_EQ(QueryInt(first, "SELECT count(*) FROM schema_migrations"), 3);
    EXPECT_EQ(QueryInt(first, "SELECT count(*) FROM b"), 1);
}

TEST_F(MigratorTest, MigrationEndingTheTransactionIsReported) {
    auto m = Migrator::Create({Make(1, "rogue", "CREATE TABLE r(x INTEGER); COMMIT;")});
    ASSERT_TRUE(m);
    auto conn = Connect();
    auto status = m->Apply(conn);
    ASSERT_FALSE(status);
    EXPECT_NE(status.error().message.find("0001_rogue"), std::string::npos) << status.error().message;
}

}  // namespace
}  // namespace gw::store::internal
