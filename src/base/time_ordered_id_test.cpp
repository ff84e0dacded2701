#include "base/ids.hpp"

#include <chrono>
#include <set>
#include <string>

#include <gtest/gtest.h>

namespace gw {
namespace {

TEST(TimeOrderedUuidTest, IsAVersion7UuidWithTheCurrentMillisecondsFirst) {
    const auto before = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch()
    )
                            .count();
    const std::string id = NewTimeOrderedUuid();
    const auto after = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch()
    )
                           .count();
    ASSERT_EQ(id.size(), 36u);
    EXPECT_EQ(id[8], '-');
    EXPECT_EQ(id[13], '-');
    EXPECT_EQ(id[18], '-');
    EXPECT_EQ(id[23], '-');
    EXPECT_EQ(id[14], '7');
    EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos) << id;
    const long long ms = std::stoll(id.substr(0, 8) + id.substr(9, 4), nullptr, 16);
    EXPECT_GE(ms, before);
    EXPECT_LE(ms, after);
}

TEST(TimeOrderedUuidTest, LaterIdsSortAfterEarlierOnesAndNeverRepeat) {
    const std::string first = NewTimeOrderedUuid();
    std::string second = NewTimeOrderedUuid();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (second.substr(0, 13) == first.substr(0, 13) && std::chrono::steady_clock::now() < deadline) {
        second = NewTimeOrderedUuid();  // until the clock reached a later millisecond
    }
    ASSERT_NE(second.substr(0, 13), first.substr(0, 13));
    EXPECT_LT(first, second);
    std::set<std::string> seen;
    for (int i = 0; i < 10000; ++i) {
        EXPECT_TRUE(seen.insert(NewTimeOrderedUuid()).second);
    }
}

}  // namespace
}  // namespace gw
