#include "drivers/sqlite/connection.hpp"

#include <cstdio>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "support/temp_dir.hpp"

namespace gw::sqlite {
namespace {

using gw::testing::TempDir;

std::string QueryText(Connection& conn, std::string_view sql) {
    auto stmt = conn.Prepare(sql);
    EXPECT_TRUE(stmt) << stmt.error().message;
    auto row = stmt->Step();
    EXPECT_TRUE(row && *row);
    return std::string(stmt->ColumnText(0));
}

std::int64_t QueryInt(Connection& conn, std::string_view sql) {
    auto stmt = conn.Prepare(sql);
    EXPECT_TRUE(stmt) << stmt.error().message;
    auto row = stmt->Step();
    EXPECT_TRUE(row && *row);
    return stmt->ColumnInt64(0);
}

TEST(ConnectionTest, OpenCreatesFileAndAppliesWriterPragmas) {
    TempDir dir;
    const auto path = dir.File("a.db");
    auto conn = Connection::Open(path);
    ASSERT_TRUE(conn) << conn.error().message;
    EXPECT_TRUE(std::filesystem::exists(path));
    EXPECT_EQ(QueryText(*conn, "PRAGMA journal_mode"), "wal");
    EXPECT_EQ(QueryInt(*conn, "PRAGMA synchronous"), 2);  // FULL
    EXPECT_EQ(QueryInt(*conn, "PRAGMA foreign_keys"), 1);
    EXPECT_EQ(QueryInt(*conn, "PRAGMA busy_timeout"), 5000);
    EXPECT_FALSE(conn->ReadOnly());
    EXPECT_EQ(conn->Path(), path);
}

TEST(ConnectionTest, BusyTimeoutOptionIsApplied) {
    TempDir dir;
    auto conn = Connection::Open(dir.File("a.db"), {.busy_timeout = std::chrono::milliseconds(1234)});
    ASSERT_TRUE(conn) << conn.error().message;
    EXPECT_EQ(QueryInt(*conn, "PRAGMA busy_timeout"), 1234);
}

TEST(ConnectionTest, OpenWithoutCreateFailsForMissingFileAndNamesIt) {
    TempDir dir;
    const auto path = dir.File("missing.db");
    auto conn = Connection::Open(path, {.create = false});
    ASSERT_FALSE(conn);
    EXPECT_EQ(conn.error().code, ErrorCode::kInternal);
    EXPECT_NE(conn.error().message.find(path), std::string::npos) << conn.error().message;
    EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(ConnectionTest, ReadOnlyOpenOfMissingFileFails) {
    TempDir dir;
    auto conn = Connection::Open(dir.File("missing.db"), {.read_only = true});
    ASSERT_FALSE(conn);
    EXPECT_EQ(conn.error().code, ErrorCode::kInternal);
}

TEST(ConnectionTest, OpenOfNonDatabaseFileFails) {
    TempDir dir;
    const auto path = dir.File("junk.db");
    {
        auto f = std::fopen(path.c_str(), "wb");
        ASSERT_NE(f, nullptr);
        std::fputs("this is definitely not an sqlite database file, just some text padding it out", f);
        std::fclose(f);
    }
    auto conn = Connection::Open(path);
    ASSERT_FALSE(conn);
    EXPECT_EQ(conn.error().code, ErrorCode::kInternal);
    EXPECT_NE(conn.error().message.find("not a database"), std::string::npos) << conn.error().message;
}

TEST(ConnectionTest, ReadOnlyConnectionSeesDataButCannotWrite) {
    TempDir dir;
    const auto path = dir.File("a.db");
    auto writer = Connection::Open(path);
    ASSERT_TRUE(writer);
    ASSERT_TRUE(writer->Exec("CREATE TABLE t(x INTEGER); INSERT INTO t VALUES (7);"));
    auto reader = Connection::Open(path, {.read_only = true});
    ASSERT_TRUE(reader) << reader.error().message;
    EXPECT_TRUE(reader->ReadOnly());
    EXPECT_EQ(QueryText(*reader, "PRAGMA journal_mode"), "wal");
    EXPECT_EQ(QueryInt(*reader, "SELECT x FROM t"), 7);
    auto r = reader->Exec("INSERT INTO t VALUES (8)");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kInternal);
    EXPECT_NE(r.error().message.find("readonly"), std::string::npos) << r.error().message;
}

TEST(ConnectionTest, ExecRunsEveryStatementAndIgnoresTrailingComments) {
    auto conn = Connection::Open(":memory:");
    ASSERT_TRUE(conn) << conn.error().message;
    auto r = conn->Exec(
        "CREATE TABLE t(x INTEGER);\n INSERT INTO t VALUES (1); -- one\n INSERT INTO t VALUES (2);\n -- "
        "done\n"
    );
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(QueryInt(*conn, "SELECT sum(x) FROM t"), 3);
    EXPECT_EQ(conn->LastInsertRowId(), 2);
    EXPECT_EQ(conn->Changes(), 1);
}

TEST(ConnectionTest, ExecStopsAtFirstFailingStatement) {
    auto conn = Connection::Open(":memory:");
    ASSERT_TRUE(conn);
    auto r = conn->Exec("CREATE TABLE t(x INTEGER); INSERT INTO nope VALUES (1); INSERT INTO t VALUES (1);");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kInternal);
    EXPECT_NE(r.error().message.find("no such table: nope"), std::string::npos) << r.error().message;
    EXPECT_EQ(QueryInt(*conn, "SELECT count(*) FROM t"), 0);
}

TEST(ConnectionTest, PrepareRejectsMoreThanOneStatementOrNone) {
    auto conn = Connection::Open(":memory:");
    ASSERT_TRUE(conn);
    auto two = conn->Prepare("SELECT 1; SELECT 2");
    ASSERT_FALSE(two);
    EXPECT_EQ(two.error().code, ErrorCode::kInvalidArgument);
    auto none = conn->Prepare("  -- nothing\n");
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().code, ErrorCode::kInvalidArgument);
    EXPECT_TRUE(conn->Prepare("SELECT 1; -- trailing comment\n"));
}

TEST(ConnectionTest, SyntaxErrorCarriesSqliteMessage) {
    auto conn = Connection::Open(":memory:");
    ASSERT_TRUE(conn);
    auto stmt = conn->Prepare("SELEC 1");
    ASSERT_FALSE(stmt);
    EXPECT_EQ(stmt.error().code, ErrorCode::kInternal);
    EXPECT_NE(stmt.error().message.find("syntax error"), std::string::npos) << stmt.error().message;
}

TEST(ConnectionTest, UniqueViolationMapsToConflict) {
    auto conn = Connection::Open(":memory:");
    ASSERT_TRUE(conn);
    ASSERT_TRUE(conn->Exec("CREATE TABLE t(id TEXT PRIMARY KEY); INSERT INTO t VALUES ('a');"));
    auto r = conn->Exec("INSERT INTO t VALUES ('a')");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kConflict);
    EXPECT_NE(r.error().message.find("UNIQUE constraint failed: t.id"), std::string::npos)
        << r.error().message;
}

TEST(ConnectionTest, ForeignKeysAreEnforced) {
    auto conn = Connection::Open(":memory:");
    ASSERT_TRUE(conn);
    ASSERT_TRUE(conn->Exec("CREATE TABLE p(id TEXT PRIMARY KEY); CREATE TABLE c(p TEXT REFERENCES p(id));"));
    auto r = conn->Exec("INSERT INTO c VALUES ('missing')");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kConflict);
    EXPECT_NE(r.error().message.find("FOREIGN KEY"), std::string::npos) << r.error().message;
}

TEST(ConnectionTest, LockedDatabaseMapsToUnavailable) {
    TempDir dir;
    const auto path = dir.File("a.db");
    auto first = Connection::Open(path);
    ASSERT_TRUE(first);
    auto second = Connection::Open(path, {.busy_timeout = std::chrono::milliseconds(0)});
    ASSERT_TRUE(second);
    ASSERT_TRUE(first->Exec("BEGIN IMMEDIATE"));
    auto r = second->Exec("BEGIN IMMEDIATE");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
    EXPECT_NE(r.error().message.find("locked"), std::string::npos) << r.error().message;
    ASSERT_TRUE(first->Exec("COMMIT"));
    EXPECT_TRUE(second->Exec("BEGIN IMMEDIATE; COMMIT"));
}

TEST(ConnectionTest, InTransactionFollowsBeginCommitAndRollback) {
    auto conn = Connection::Open(":memory:");
    ASSERT_TRUE(conn);
    EXPECT_FALSE(conn->InTransaction());
    ASSERT_TRUE(conn->Exec("BEGIN"));
    EXPECT_TRUE(conn->InTransaction());
    ASSERT_TRUE(conn->Exec("COMMIT"));
    EXPECT_FALSE(conn->InTransaction());
    ASSERT_TRUE(conn->Exec("BEGIN; ROLLBACK"));
    EXPECT_FALSE(conn->InTransaction());
}

TEST(ConnectionTest, MoveTransfersTheHandle) {
    auto conn = Connection::Open(":memory:");
    ASSERT_TRUE(conn);
    ASSERT_TRUE(conn->Exec("CREATE TABLE t(x INTEGER)"));
    Connection moved = std::move(*conn);
    EXPECT_EQ(conn->Handle(), nullptr);  // NOLINT(bugprone-use-after-move): checking the moved-from state
    EXPECT_TRUE(moved.Exec("INSERT INTO t VALUES (1)"));
    auto other = Connection::Open(":memory:");
    ASSERT_TRUE(other);
    *other = std::move(moved);
    EXPECT_EQ(QueryInt(*other, "SELECT count(*) FROM t"), 1);
}

}  // namespace
}  // namespace gw::sqlite
