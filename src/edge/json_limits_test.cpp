#include "edge/json_limits.hpp"

#include <string>

#include <gtest/gtest.h>

namespace gw::edge {
namespace {

std::string Nested(std::size_t depth) {
    std::string s;
    for (std::size_t i = 0; i < depth; ++i) {
        s += (i % 2 == 0) ? "{\"a\":" : "[";
    }
    s += "1";
    for (std::size_t i = depth; i > 0; --i) {
        s += ((i - 1) % 2 == 0) ? "}" : "]";
    }
    return s;
}

TEST(JsonLimitsTest, AcceptsNestingUpToTheLimitAndRejectsOneMore) {
    const JsonLimits limits{0, 8};
    EXPECT_TRUE(CheckJsonLimits(Nested(8), limits));
    const auto deep = CheckJsonLimits(Nested(9), limits);
    ASSERT_FALSE(deep);
    EXPECT_EQ(deep.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(deep.error().message, "JSON nesting is deeper than 8");
}

TEST(JsonLimitsTest, SiblingContainersDoNotAddUp) {
    std::string wide = "[";
    for (int i = 0; i < 1000; ++i) {
        wide += i == 0 ? "{}" : ",{}";
    }
    wide += "]";
    EXPECT_TRUE(CheckJsonLimits(wide, JsonLimits{0, 2}));
}

TEST(JsonLimitsTest, BracketsInsideStringsAndEscapedQuotesAreNotNesting) {
    const std::string s = R"({"a":"[[[[{{{{\"[[[[","b":"\\","c":[1]})";
    EXPECT_TRUE(CheckJsonLimits(s, JsonLimits{0, 2}));
    // After an escaped backslash the quote does close the string, so the brackets count again.
    EXPECT_FALSE(CheckJsonLimits(R"({"a":"\\",[[[1]]]})", JsonLimits{0, 3}));
}

TEST(JsonLimitsTest, RejectsBodiesOverTheSizeLimit) {
    EXPECT_TRUE(CheckJsonLimits(std::string(100, ' '), JsonLimits{100, 1}));
    const auto big = CheckJsonLimits(std::string(101, ' '), JsonLimits{100, 1});
    ASSERT_FALSE(big);
    EXPECT_EQ(big.error().message, "JSON body is larger than 100 bytes");
}

TEST(JsonLimitsTest, DeepRandomishInputIsBoundedByTheLimit) {
    // 100 000 opening brackets: rejected at depth 33 (default limit 32), without recursion.
    EXPECT_FALSE(CheckJsonLimits(std::string(100000, '[')));
    EXPECT_TRUE(CheckJsonLimits(std::string(32, '[') + std::string(32, ']')));
}

}  // namespace
}  // namespace gw::edge
