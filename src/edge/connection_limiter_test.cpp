#include "edge/connection_limiter.hpp"

#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace gw::edge {
namespace {

IpAddress Ip(std::string_view s) {
    return IpAddress::Parse(s).value();
}

TEST(ConnectionLimiterTest, CapsConcurrentConnectionsPerClient) {
    ConnectionLimiter limiter(2);
    auto a = limiter.TryAcquire(Ip("1.2.3.4"));
    auto b = limiter.TryAcquire(Ip("1.2.3.4"));
    ASSERT_TRUE(a && b);
    EXPECT_FALSE(limiter.TryAcquire(Ip("1.2.3.4")));
    EXPECT_TRUE(limiter.TryAcquire(Ip("5.6.7.8")));
    EXPECT_EQ(limiter.Count(Ip("1.2.3.4")), 2U);
}

TEST(ConnectionLimiterTest, GuardReleasesItsSlotOnDestructionAndMove) {
    ConnectionLimiter limiter(1);
    {
        auto g = limiter.TryAcquire(Ip("1.2.3.4"));
        ASSERT_TRUE(g);
        EXPECT_TRUE(g->holds_slot());
        ConnectionGuard moved = std::move(*g);
        EXPECT_FALSE(g->holds_slot());
        EXPECT_FALSE(limiter.TryAcquire(Ip("1.2.3.4")));
        moved.Release();
        moved.Release();  // idempotent
        EXPECT_EQ(limiter.Count(Ip("1.2.3.4")), 0U);
        auto again = limiter.TryAcquire(Ip("1.2.3.4"));
        ASSERT_TRUE(again);
        ConnectionGuard target;
        target = std::move(*again);
        EXPECT_EQ(limiter.Count(Ip("1.2.3.4")), 1U);
    }
    EXPECT_EQ(limiter.Count(Ip("1.2.3.4")), 0U);
    EXPECT_EQ(limiter.TrackedClients(), 0U);
}

TEST(ConnectionLimiterTest, Ipv6ClientsAreCountedPerPrefix) {
    ConnectionLimiter limiter(1, 64);
    auto a = limiter.TryAcquire(Ip("2001:db8:1:2::1"));
    ASSERT_TRUE(a);
    EXPECT_FALSE(limiter.TryAcquire(Ip("2001:db8:1:2:ffff::9")));
    EXPECT_TRUE(limiter.TryAcquire(Ip("2001:db8:1:3::1")));
    ConnectionLimiter exact(1, 128);
    auto b = exact.TryAcquire(Ip("2001:db8:1:2::1"));
    EXPECT_TRUE(exact.TryAcquire(Ip("2001:db8:1:2::2")));
}

TEST(ConnectionLimiterTest, ZeroMeansUnlimited) {
    ConnectionLimiter limiter(0);
    std::vector<ConnectionGuard> guards;
    for (int i = 0; i < 1000; ++i) {
        auto g = limiter.TryAcquire(Ip("1.2.3.4"));
        ASSERT_TRUE(g);
        guards.push_back(std::move(*g));
    }
    EXPECT_EQ(limiter.Count(Ip("1.2.3.4")), 1000U);
}

TEST(ConnectionLimiterTest, ConcurrentAcquireAndReleaseKeepExactCounts) {
    ConnectionLimiter limiter(3);
    std::atomic<int> over_cap{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 5000; ++i) {
                auto g = limiter.TryAcquire(Ip(i % 2 == 0 ? "1.1.1.1" : "2001:db8::1"));
                if (g && limiter.Count(Ip("1.1.1.1")) > 3) {
                    ++over_cap;
                }
            }
        });
    }
    for (auto& th : threads) {
        th.join();
    }
    EXPECT_EQ(over_cap.load(), 0);
    EXPECT_EQ(limiter.TrackedClients(), 0U);
}

}  // namespace
}  // namespace gw::edge
