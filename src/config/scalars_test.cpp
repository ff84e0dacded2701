#include "config/internal/scalars.hpp"

#include <chrono>
#include <cstdint>
#include <limits>

#include <gtest/gtest.h>

namespace gw::config::internal {
namespace {

using std::chrono::microseconds;

TEST(ScalarsTest, ParseIntegerAcceptsDecimalOnlyAndDetectsOverflow) {
    EXPECT_EQ(ParseInteger("42"), 42);
    EXPECT_EQ(ParseInteger("-7"), -7);
    EXPECT_EQ(ParseInteger("+7"), 7);
    EXPECT_EQ(ParseInteger("9223372036854775807"), std::numeric_limits<std::int64_t>::max());
    EXPECT_EQ(ParseInteger("-9223372036854775808"), std::numeric_limits<std::int64_t>::min());
    for (const char* bad : {"", "-", "0x10", "1e3", "12 ", " 12", "9223372036854775808", "1_000"}) {
        EXPECT_FALSE(ParseInteger(bad).has_value()) << bad;
    }
}

TEST(ScalarsTest, ParseBoolIsStrict) {
    EXPECT_EQ(ParseBool("true"), true);
    EXPECT_EQ(ParseBool("FALSE"), false);
    for (const char* bad : {"yes", "no", "on", "1", "0", "tRUE", ""}) {
        EXPECT_FALSE(ParseBool(bad).has_value()) << bad;
    }
}

TEST(ScalarsTest, ParseDurationUnits) {
    EXPECT_EQ(ParseDuration("500us"), microseconds(500));
    EXPECT_EQ(ParseDuration("250ms"), microseconds(250'000));
    EXPECT_EQ(ParseDuration("5s"), microseconds(5'000'000));
    EXPECT_EQ(ParseDuration("2m"), microseconds(120'000'000));
    EXPECT_EQ(ParseDuration("1h"), microseconds(3'600'000'000));
    EXPECT_EQ(ParseDuration("1500"), microseconds(1'500'000));  // plain integer = ms
    EXPECT_EQ(ParseDuration("10 s"), microseconds(10'000'000));
    for (const char* bad : {"", "ms", "5S", "5 ", "-5s", "1.5s", "5sec", "99999999999999999h", "5  s"}) {
        EXPECT_FALSE(ParseDuration(bad).has_value()) << bad;
    }
}

TEST(ScalarsTest, ParseSizeUnits) {
    EXPECT_EQ(ParseSize("123"), 123U);
    EXPECT_EQ(ParseSize("7B"), 7U);
    EXPECT_EQ(ParseSize("10KB"), 10'000U);
    EXPECT_EQ(ParseSize("1MB"), 1'000'000U);
    EXPECT_EQ(ParseSize("2GB"), 2'000'000'000U);
    EXPECT_EQ(ParseSize("16KiB"), 16U * 1024);
    EXPECT_EQ(ParseSize("1 MiB"), 1024U * 1024);
    EXPECT_EQ(ParseSize("1GiB"), 1024U * 1024 * 1024);
    for (const char* bad :
         {"", "KiB", "1kb", "1XB", "-1", "1.5KiB", "18446744073709551616", "17179869184GiB"}) {
        EXPECT_FALSE(ParseSize(bad).has_value()) << bad;
    }
}

TEST(ScalarsTest, FormatRoundTripsThroughParse) {
    for (std::int64_t us : {0LL, 1LL, 999LL, 1000LL, 250'000LL, 5'000'000LL, 90'000'000LL, 7'200'000'000LL}) {
        const auto text = FormatDuration(microseconds(us));
        EXPECT_EQ(ParseDuration(text), microseconds(us)) << text;
    }
    EXPECT_EQ(FormatDuration(microseconds(90'000'000)), "90s");
    EXPECT_EQ(FormatDuration(microseconds(120'000'000)), "2m");
    for (std::uint64_t bytes :
         {0ULL, 1ULL, 1000ULL, 1024ULL, 16384ULL, 1048576ULL, 1073741824ULL, 12345ULL}) {
        const auto text = FormatSize(bytes);
        EXPECT_EQ(ParseSize(text), bytes) << text;
    }
    EXPECT_EQ(FormatSize(25ULL * 1024 * 1024), "25MiB");
}

}  // namespace
}  // namespace gw::config::internal
