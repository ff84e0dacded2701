#include "drivers/sqlite/bind.hpp"

#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "support/temp_dir.hpp"

namespace gw::sqlite {
namespace {

TEST(BindTest, PrepareBoundBindsArgumentsInOrderAndEmptyOptionalsAsNull) {
    gw::testing::TempDir dir;
    auto conn = Connection::Open(dir.File("t.db"));
    ASSERT_TRUE(conn) << conn.error().message;
    ASSERT_TRUE(conn->Exec("CREATE TABLE t (a INTEGER, b TEXT, c TEXT, d INTEGER, e INTEGER)"));
    const std::optional<std::string> none;
    const std::optional<std::int64_t> seven = 7;
    auto insert =
        PrepareBound(*conn, "INSERT INTO t VALUES (?, ?, ?, ?, ?)", 42, std::string("x"), none, seven, true);
    ASSERT_TRUE(insert) << insert.error().message;
    ASSERT_TRUE(insert->Run());

    auto select = PrepareBound(*conn, "SELECT a, b, c IS NULL, d, e FROM t WHERE b = ?", "x");
    ASSERT_TRUE(select) << select.error().message;
    auto row = select->Step();
    ASSERT_TRUE(row && *row);
    EXPECT_EQ(select->ColumnInt64(0), 42);
    EXPECT_EQ(select->ColumnText(1), "x");
    EXPECT_EQ(select->ColumnInt64(2), 1);
    EXPECT_EQ(select->ColumnInt64(3), 7);
    EXPECT_EQ(select->ColumnInt64(4), 1);
}

TEST(BindTest, PrepareBoundReportsTooManyArguments) {
    gw::testing::TempDir dir;
    auto conn = Connection::Open(dir.File("t.db"));
    ASSERT_TRUE(conn);
    auto stmt = PrepareBound(*conn, "SELECT ?", 1, 2);
    ASSERT_FALSE(stmt);
    EXPECT_EQ(stmt.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace gw::sqlite
