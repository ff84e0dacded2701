#include <set>
#include <string>

#include <gtest/gtest.h>

#include "base/error.hpp"
#include "base/ids.hpp"

namespace gw {
namespace {

Result<int> ParsePositive(int v) {
    if (v <= 0) {
        return MakeError(ErrorCode::kInvalidArgument, "not positive");
    }
    return v;
}

TEST(ResultTest, CarriesValueOrError) {
    auto ok = ParsePositive(3);
    ASSERT_TRUE(ok.has_value());
    EXPECT_EQ(*ok, 3);
    auto bad = ParsePositive(-1);
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(ErrorCodeName(bad.error().code), "invalid_argument");
}

TEST(ResultTest, ValueOnErrorThrowsErrorException) {
    auto bad = ParsePositive(0);
    try {
        (void)bad.value();
        FAIL() << "value() should throw";
    } catch (const ErrorException& e) {
        EXPECT_EQ(e.error().code, ErrorCode::kInvalidArgument);
        EXPECT_STREQ(e.what(), "not positive");
    }
}

TEST(IdsTest, UuidHasVersion4LayoutAndIsUnique) {
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i) {
        auto u = NewUuid();
        ASSERT_EQ(u.size(), 36U);
        EXPECT_EQ(u[8], '-');
        EXPECT_EQ(u[14], '4');
        EXPECT_TRUE(u[19] == '8' || u[19] == '9' || u[19] == 'a' || u[19] == 'b') << u;
        seen.insert(u);
    }
    EXPECT_EQ(seen.size(), 1000U);
}

TEST(IdsTest, RequestIdIs16HexDigits) {
    auto id = NewRequestId();
    ASSERT_EQ(id.size(), 16U);
    EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos);
}

}  // namespace
}  // namespace gw
