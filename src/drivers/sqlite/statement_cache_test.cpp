#include <optional>
#include <string>

#include <gtest/gtest.h>

#include <sqlite3.h>

#include "drivers/sqlite/connection.hpp"
#include "support/temp_dir.hpp"

namespace gw::sqlite {
namespace {

using gw::testing::TempDir;

Connection OpenMemory() {
    auto conn = Connection::Open(":memory:");
    EXPECT_TRUE(conn) << conn.error().message;
    EXPECT_TRUE(conn->Exec("CREATE TABLE t(x INTEGER, y TEXT)"));
    return std::move(*conn);
}

/// How many of the connection's compiled statements are mid-execution (stepped, not reset).
int BusyStatements(const Connection& conn) {
    int busy = 0;
    for (sqlite3_stmt* s = sqlite3_next_stmt(conn.Handle(), nullptr); s != nullptr;
         s = sqlite3_next_stmt(conn.Handle(), s)) {
        busy += sqlite3_stmt_busy(s) != 0 ? 1 : 0;
    }
    return busy;
}

TEST(StatementCacheTest, SameSqlReusesOneCompiledStatement) {
    Connection conn = OpenMemory();
    const std::size_t before = conn.CachedStatementCount();
    for (int i = 0; i < 3; ++i) {
        auto stmt = conn.Prepare("INSERT INTO t(x) VALUES (?1)");
        ASSERT_TRUE(stmt) << stmt.error().message;
        ASSERT_TRUE(stmt->Bind(1, i));
        ASSERT_TRUE(stmt->Run());
    }
    EXPECT_EQ(conn.CachedStatementCount(), before + 1);
    auto count = conn.Prepare("SELECT count(*), sum(x) FROM t");
    ASSERT_TRUE(count);
    ASSERT_TRUE(count->Step());
    EXPECT_EQ(count->ColumnInt64(0), 3);
    EXPECT_EQ(count->ColumnInt64(1), 3);
}

TEST(StatementCacheTest, ReusedStatementHasNoBindingsLeft) {
    Connection conn = OpenMemory();
    {
        auto stmt = conn.Prepare("INSERT INTO t(x, y) VALUES (?1, ?2)");
        ASSERT_TRUE(stmt);
        ASSERT_TRUE(stmt->Bind(1, 7));
        ASSERT_TRUE(stmt->Bind(2, "kept?"));
        ASSERT_TRUE(stmt->Run());
    }
    auto again = conn.Prepare("INSERT INTO t(x, y) VALUES (?1, ?2)");
    ASSERT_TRUE(again);
    ASSERT_TRUE(again->Bind(1, 8));
    ASSERT_TRUE(again->Run());
    auto y = conn.Prepare("SELECT y IS NULL FROM t WHERE x = 8");
    ASSERT_TRUE(y);
    auto row = y->Step();
    ASSERT_TRUE(row && *row);
    EXPECT_EQ(y->ColumnInt64(0), 1);
}

TEST(StatementCacheTest, StatementInUseIsNotSharedWithASecondPrepare) {
    Connection conn = OpenMemory();
    ASSERT_TRUE(conn.Exec("INSERT INTO t(x) VALUES (1); INSERT INTO t(x) VALUES (2)"));
    auto outer = conn.Prepare("SELECT x FROM t ORDER BY x");
    ASSERT_TRUE(outer);
    auto first = outer->Step();
    ASSERT_TRUE(first && *first);
    EXPECT_EQ(outer->ColumnInt64(0), 1);
    {
        auto inner = conn.Prepare("SELECT x FROM t ORDER BY x");
        ASSERT_TRUE(inner);
        auto row = inner->Step();
        ASSERT_TRUE(row && *row);
        EXPECT_EQ(inner->ColumnInt64(0), 1);
    }
    auto second = outer->Step();  // the outer cursor was not rewound by the inner one
    ASSERT_TRUE(second && *second);
    EXPECT_EQ(outer->ColumnInt64(0), 2);
}

TEST(StatementCacheTest, ReturnedStatementIsResetSoItHoldsNoSnapshot) {
    Connection conn = OpenMemory();
    ASSERT_TRUE(conn.Exec("INSERT INTO t(x) VALUES (1); INSERT INTO t(x) VALUES (2)"));
    {
        auto stmt = conn.Prepare("SELECT x FROM t");
        ASSERT_TRUE(stmt);
        auto row = stmt->Step();
        ASSERT_TRUE(row && *row);
        EXPECT_EQ(BusyStatements(conn), 1);
    }
    EXPECT_EQ(BusyStatements(conn), 0);
}

TEST(StatementCacheTest, SingleStatementExecIsCachedButMultiStatementExecIsNot) {
    Connection conn = OpenMemory();
    const std::size_t before = conn.CachedStatementCount();
    ASSERT_TRUE(conn.Exec("BEGIN IMMEDIATE"));
    ASSERT_TRUE(conn.Exec("COMMIT"));
    ASSERT_TRUE(conn.Exec("BEGIN IMMEDIATE"));
    ASSERT_TRUE(conn.Exec("COMMIT"));
    EXPECT_EQ(conn.CachedStatementCount(), before + 2);
    ASSERT_TRUE(conn.Exec("BEGIN; COMMIT"));
    EXPECT_EQ(conn.CachedStatementCount(), before + 2);
    EXPECT_FALSE(conn.InTransaction());
}

TEST(StatementCacheTest, CachedStatementsFollowSchemaChanges) {
    Connection conn = OpenMemory();
    ASSERT_TRUE(conn.Exec("INSERT INTO t(x) VALUES (5)"));
    {
        auto stmt = conn.Prepare("SELECT * FROM t");
        ASSERT_TRUE(stmt);
        ASSERT_TRUE(stmt->Step());
        EXPECT_EQ(stmt->ColumnCount(), 2);
    }
    ASSERT_TRUE(conn.Exec("ALTER TABLE t ADD COLUMN z TEXT"));
    auto stmt = conn.Prepare("SELECT * FROM t");
    ASSERT_TRUE(stmt);
    ASSERT_TRUE(stmt->Step());
    EXPECT_EQ(stmt->ColumnCount(), 3);
}

TEST(StatementCacheTest, BorrowedStatementSurvivesConnectionMoveAndClose) {
    std::optional<Connection> conn(OpenMemory());
    auto stmt = conn->Prepare("SELECT 41 + 1");
    ASSERT_TRUE(stmt);
    std::optional<Connection> moved(std::move(*conn));
    conn.reset();
    auto row = stmt->Step();
    ASSERT_TRUE(row && *row);
    EXPECT_EQ(stmt->ColumnInt64(0), 42);
    moved.reset();  // closed while the statement is still borrowed: it finalizes itself (ASan checks)
    stmt = MakeError(ErrorCode::kUnavailable, "dropped");
    EXPECT_FALSE(stmt);
}

TEST(StatementCacheTest, ConnectionPragmasKeepTempDataInMemory) {
    TempDir dir;
    auto conn = Connection::Open(dir.File("a.db"));
    ASSERT_TRUE(conn) << conn.error().message;
    auto stmt = conn->Prepare("PRAGMA temp_store");
    ASSERT_TRUE(stmt);
    auto row = stmt->Step();
    ASSERT_TRUE(row && *row);
    EXPECT_EQ(stmt->ColumnInt64(0), 2);  // MEMORY
}

TEST(StatementCacheTest, MmapAndSynchronousOptionsAreApplied) {
    TempDir dir;
    auto conn = Connection::Open(
        dir.File("a.db"), {.mmap_size = std::int64_t{1} << 20, .synchronous = Synchronous::kNormal}
    );
    ASSERT_TRUE(conn) << conn.error().message;
    auto mmap = conn->Prepare("PRAGMA mmap_size");
    ASSERT_TRUE(mmap);
    auto row = mmap->Step();
    ASSERT_TRUE(row && *row);
    EXPECT_EQ(mmap->ColumnInt64(0), std::int64_t{1} << 20);
    auto sync = conn->Prepare("PRAGMA synchronous");
    ASSERT_TRUE(sync);
    row = sync->Step();
    ASSERT_TRUE(row && *row);
    EXPECT_EQ(sync->ColumnInt64(0), 1);  // NORMAL
}

}  // namespace
}  // namespace gw::sqlite
