#include "drivers/sqlite/statement.hpp"

#include <array>
#include <limits>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "drivers/sqlite/connection.hpp"

namespace gw::sqlite {
namespace {

class StatementTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto conn = Connection::Open(":memory:");
        ASSERT_TRUE(conn) << conn.error().message;
        conn_.emplace(std::move(*conn));
        ASSERT_TRUE(conn_->Exec("CREATE TABLE v(i INTEGER, d REAL, t TEXT, b BLOB, n TEXT)"));
    }

    Connection& Conn() { return *conn_; }

private:
    std::optional<Connection> conn_;
};

TEST_F(StatementTest, BindsAndReadsBackEveryType) {
    const std::string text("a\0b\xc3\xa9", 5);
    const std::array<std::byte, 3> blob{std::byte{0}, std::byte{0xff}, std::byte{7}};
    auto ins = Conn().Prepare("INSERT INTO v VALUES (?, ?, ?, ?, ?)");
    ASSERT_TRUE(ins) << ins.error().message;
    ASSERT_TRUE(ins->Bind(1, std::numeric_limits<std::int64_t>::min()));
    ASSERT_TRUE(ins->Bind(2, 2.5));
    ASSERT_TRUE(ins->Bind(3, std::string_view(text)));
    ASSERT_TRUE(ins->Bind(4, std::span<const std::byte>(blob)));
    ASSERT_TRUE(ins->Bind(5, nullptr));
    auto changed = ins->Run();
    ASSERT_TRUE(changed) << changed.error().message;
    EXPECT_EQ(*changed, 1);

    auto sel = Conn().Prepare("SELECT i, d, t, b, n FROM v");
    ASSERT_TRUE(sel);
    auto row = sel->Step();
    ASSERT_TRUE(row && *row);
    EXPECT_EQ(sel->ColumnCount(), 5);
    EXPECT_EQ(sel->ColumnName(2), "t");
    EXPECT_EQ(sel->Type(0), ColumnType::kInteger);
    EXPECT_EQ(sel->ColumnInt64(0), std::numeric_limits<std::int64_t>::min());
    EXPECT_EQ(sel->Type(1), ColumnType::kFloat);
    EXPECT_DOUBLE_EQ(sel->ColumnDouble(1), 2.5);
    EXPECT_EQ(sel->Type(2), ColumnType::kText);
    EXPECT_EQ(sel->ColumnText(2), text);
    EXPECT_EQ(sel->Type(3), ColumnType::kBlob);
    auto got = sel->ColumnBlob(3);
    ASSERT_EQ(got.size(), blob.size());
    EXPECT_TRUE(std::equal(got.begin(), got.end(), blob.begin()));
    EXPECT_TRUE(sel->IsNull(4));
    EXPECT_TRUE(sel->ColumnText(4).empty());
    auto end = sel->Step();
    ASSERT_TRUE(end);
    EXPECT_FALSE(*end);
}

TEST_F(StatementTest, EmptyBlobIsNotNull) {
    auto ins = Conn().Prepare("INSERT INTO v(b) VALUES (?)");
    ASSERT_TRUE(ins);
    ASSERT_TRUE(ins->BindBlob(1, {}));
    ASSERT_TRUE(ins->Run());
    auto sel = Conn().Prepare("SELECT b IS NULL, typeof(b) FROM v");
    ASSERT_TRUE(sel);
    ASSERT_TRUE(sel->Step());
    EXPECT_EQ(sel->ColumnInt64(0), 0);
    EXPECT_EQ(sel->ColumnText(1), "blob");
}

TEST_F(StatementTest, IntOverloadBindsInteger) {
    auto sel = Conn().Prepare("SELECT typeof(?), ?2 + 1");
    ASSERT_TRUE(sel);
    ASSERT_TRUE(sel->Bind(1, 41));
    ASSERT_TRUE(sel->Bind(2, 41));
    ASSERT_TRUE(sel->Step());
    EXPECT_EQ(sel->ColumnText(0), "integer");
    EXPECT_EQ(sel->ColumnInt64(1), 42);
}

TEST_F(StatementTest, BindOutOfRangeIsInvalidArgument) {
    auto sel = Conn().Prepare("SELECT ?");
    ASSERT_TRUE(sel);
    auto r = sel->Bind(2, std::int64_t{1});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_FALSE(sel->Bind(0, "x"));
}

TEST_F(StatementTest, NamedParametersResolveToIndexes) {
    auto sel = Conn().Prepare("SELECT :a || :b");
    ASSERT_TRUE(sel);
    auto a = sel->ParameterIndex(":a");
    auto b = sel->ParameterIndex(":b");
    ASSERT_TRUE(a && b);
    EXPECT_EQ(*a, 1);
    EXPECT_EQ(*b, 2);
    EXPECT_FALSE(sel->ParameterIndex(":c"));
    ASSERT_TRUE(sel->Bind(*b, "y"));
    ASSERT_TRUE(sel->Bind(*a, "x"));
    ASSERT_TRUE(sel->Step());
    EXPECT_EQ(sel->ColumnText(0), "xy");
}

TEST_F(StatementTest, ResetAllowsReuseWithNewBindings) {
    auto ins = Conn().Prepare("INSERT INTO v(i) VALUES (?)");
    ASSERT_TRUE(ins);
    for (int i = 1; i <= 3; ++i) {
        ASSERT_TRUE(ins->Reset());
        ASSERT_TRUE(ins->Bind(1, i));
        ASSERT_TRUE(ins->Run());
    }
    ASSERT_TRUE(ins->Reset());
    ASSERT_TRUE(ins->ClearBindings());
    ASSERT_TRUE(ins->Run());  // binds NULL
    auto sel = Conn().Prepare("SELECT sum(i), count(*), count(i) FROM v");
    ASSERT_TRUE(sel);
    ASSERT_TRUE(sel->Step());
    EXPECT_EQ(sel->ColumnInt64(0), 6);
    EXPECT_EQ(sel->ColumnInt64(1), 4);
    EXPECT_EQ(sel->ColumnInt64(2), 3);
}

TEST_F(StatementTest, FailedStepReportsConflictAndStatementStaysUsable) {
    ASSERT_TRUE(Conn().Exec("CREATE TABLE u(id INTEGER PRIMARY KEY)"));
    auto ins = Conn().Prepare("INSERT INTO u VALUES (?)");
    ASSERT_TRUE(ins);
    ASSERT_TRUE(ins->Bind(1, 1));
    ASSERT_TRUE(ins->Run());
    ASSERT_TRUE(ins->Reset());
    auto dup = ins->Run();
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().code, ErrorCode::kConflict);
    EXPECT_TRUE(ins->Reset());  // the Step error is not repeated
    ASSERT_TRUE(ins->Bind(1, 2));
    EXPECT_TRUE(ins->Run());
}

TEST_F(StatementTest, SqlReturnsSourceText) {
    auto sel = Conn().Prepare("SELECT 1");
    ASSERT_TRUE(sel);
    EXPECT_EQ(sel->Sql(), "SELECT 1");
}

}  // namespace
}  // namespace gw::sqlite
