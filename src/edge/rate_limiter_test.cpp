#include "edge/rate_limiter.hpp"

#include <algorithm>
#include <atomic>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "edge/gcra_limiter.hpp"

namespace gw::edge {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const Clock::time_point kT0 = Clock::time_point{} + 1000h;

std::string HeaderValue(const std::vector<std::pair<std::string, std::string>>& h, std::string_view name) {
    for (const auto& [k, v] : h) {
        if (k == name) {
            return v;
        }
    }
    return "<absent>";
}

TEST(GcraLimiterTest, AdmitsTheBurstThenDeniesWithRetryAfterOneInterval) {
    GcraLimiter limiter;
    const RateLimitPolicy policy{100.0, 200};  // the brief's defaults
    for (int i = 0; i < 200; ++i) {
        const Decision d = limiter.Check("ip:1.2.3.4", policy, kT0);
        ASSERT_TRUE(d.allowed) << i;
        EXPECT_EQ(d.limit, 200);
        EXPECT_EQ(d.remaining, 199 - i);
    }
    const Decision denied = limiter.Check("ip:1.2.3.4", policy, kT0);
    EXPECT_FALSE(denied.allowed);
    EXPECT_EQ(denied.remaining, 0);
    EXPECT_EQ(denied.retry_after, 10ms);
    EXPECT_EQ(denied.reset_after, 2s);
}

TEST(GcraLimiterTest, RefillsAtTheSustainedRate) {
    GcraLimiter limiter;
    const RateLimitPolicy policy{100.0, 200};
    for (int i = 0; i < 200; ++i) {
        ASSERT_TRUE(limiter.Check("k", policy, kT0).allowed);
    }
    EXPECT_FALSE(limiter.Check("k", policy, kT0 + 9ms).allowed);
    EXPECT_TRUE(limiter.Check("k", policy, kT0 + 10ms).allowed);
    EXPECT_FALSE(limiter.Check("k", policy, kT0 + 10ms).allowed);
    // One second of arrivals every 1 ms after exhaustion admits ~100 (the sustained rate).
    int admitted = 0;
    for (int ms = 11; ms <= 1010; ++ms) {
        admitted += limiter.Check("k", policy, kT0 + std::chrono::milliseconds(ms)).allowed ? 1 : 0;
    }
    EXPECT_EQ(admitted, 100);
    // After being idle for the full window the whole burst is back.
    EXPECT_EQ(limiter.Check("k", policy, kT0 + 10s, 0).remaining, 200);
}

TEST(GcraLimiterTest, DeniedRequestsConsumeNothing) {
    GcraLimiter limiter;
    const RateLimitPolicy policy{1.0, 2};
    ASSERT_TRUE(limiter.Check("k", policy, kT0).allowed);
    ASSERT_TRUE(limiter.Check("k", policy, kT0).allowed);
    for (int i = 0; i < 100; ++i) {
        ASSERT_FALSE(limiter.Check("k", policy, kT0).allowed);
    }
    EXPECT_TRUE(limiter.Check("k", policy, kT0 + 1s).allowed);
}

TEST(GcraLimiterTest, CostWeightsRequestsAndZeroCostOnlyReports) {
    GcraLimiter limiter;
    const RateLimitPolicy policy{10.0, 10};
    EXPECT_TRUE(limiter.Check("k", policy, kT0, 7).allowed);
    const Decision peek = limiter.Check("k", policy, kT0, 0);
    EXPECT_TRUE(peek.allowed);
    EXPECT_EQ(peek.remaining, 3);
    EXPECT_EQ(limiter.Check("k", policy, kT0, 0).remaining, 3);  // peeking consumed nothing
    const Decision too_much = limiter.Check("k", policy, kT0, 4);
    EXPECT_FALSE(too_much.allowed);
    EXPECT_EQ(too_much.remaining, 3);
    EXPECT_EQ(too_much.retry_after, 100ms);
    EXPECT_TRUE(limiter.Check("k", policy, kT0, 3).allowed);
}

TEST(GcraLimiterTest, CostAboveBurstIsNeverAdmitted) {
    GcraLimiter limiter;
    const RateLimitPolicy policy{10.0, 5};
    EXPECT_FALSE(limiter.Check("k", policy, kT0, 6).allowed);
    EXPECT_FALSE(limiter.Check("k", policy, kT0 + 1h, 6).allowed);
    EXPECT_TRUE(limiter.Check("k", policy, kT0 + 1h, 5).allowed);
}

TEST(GcraLimiterTest, KeysAreIndependent) {
    GcraLimiter limiter;
    const RateLimitPolicy policy{1.0, 1};
    EXPECT_TRUE(limiter.Check("ip:1.1.1.1", policy, kT0).allowed);
    EXPECT_FALSE(limiter.Check("ip:1.1.1.1", policy, kT0).allowed);
    EXPECT_TRUE(limiter.Check("ip:2.2.2.2", policy, kT0).allowed);
    EXPECT_TRUE(limiter.Check("user:1.1.1.1", policy, kT0).allowed);
}

TEST(GcraLimiterTest, InvalidPolicyFailsClosed) {
    GcraLimiter limiter;
    EXPECT_FALSE(limiter.Check("k", RateLimitPolicy{0.0, 10}, kT0).allowed);
    EXPECT_FALSE(limiter.Check("k", RateLimitPolicy{-5.0, 10}, kT0).allowed);
    EXPECT_FALSE(limiter.Check("k", RateLimitPolicy{10.0, 0}, kT0).allowed);
    EXPECT_GT(limiter.Check("k", RateLimitPolicy{10.0, 0}, kT0).retry_after.count(), 0);
}

TEST(GcraLimiterTest, ExtremePoliciesDoNotOverflow) {
    GcraLimiter limiter;
    const RateLimitPolicy slow{1e-12, 1'000'000'000};
    EXPECT_TRUE(limiter.Check("slow", slow, kT0, 1'000'000).allowed);
    const RateLimitPolicy fast{1e12, 1};
    EXPECT_TRUE(limiter.Check("fast", fast, kT0).allowed);
    EXPECT_TRUE(limiter.Check("fast", fast, kT0 + 1ns).allowed);
}

TEST(RateLimitHeadersTest, FollowTheIetfDraftAndRoundUp) {
    Decision allowed{true, 200, 150, 500ms, 0ns};
    auto h = RateLimitHeaders(allowed);
    EXPECT_EQ(HeaderValue(h, "RateLimit-Limit"), "200");
    EXPECT_EQ(HeaderValue(h, "RateLimit-Remaining"), "150");
    EXPECT_EQ(HeaderValue(h, "RateLimit-Reset"), "1");
    EXPECT_EQ(HeaderValue(h, "Retry-After"), "<absent>");

    Decision denied{false, 200, 0, 2001ms, 10ms};
    h = RateLimitHeaders(denied);
    EXPECT_EQ(HeaderValue(h, "RateLimit-Remaining"), "0");
    EXPECT_EQ(HeaderValue(h, "RateLimit-Reset"), "3");
    EXPECT_EQ(HeaderValue(h, "Retry-After"), "1");
    denied.retry_after = 4s;
    EXPECT_EQ(HeaderValue(RateLimitHeaders(denied), "Retry-After"), "4");
    EXPECT_EQ(CeilSeconds(-1s), 0);
    EXPECT_EQ(CeilSeconds(1s + 1ns), 2);
}

TEST(GcraCheckAllTest, ADenialChargesNoOtherKey) {
    GcraLimiter limiter;
    const RateLimitPolicy tight{1.0, 1};
    const RateLimitPolicy loose{100.0, 50};
    ASSERT_TRUE(limiter.Check("route:/x|ip:1.1.1.1", tight, kT0).allowed);
    const std::vector<LimitKey> keys{{"ip:1.1.1.1", &loose}, {"route:/x|ip:1.1.1.1", &tight}};
    for (int i = 0; i < 10; ++i) {
        const Decision d = limiter.CheckAll(keys, kT0);
        ASSERT_FALSE(d.allowed);
        EXPECT_EQ(d.limit, 1);
    }
    EXPECT_EQ(limiter.Check("ip:1.1.1.1", loose, kT0, 0).remaining, 50);
}

TEST(GcraCheckAllTest, AllowedChargesEveryKeyAndReportsTheTightest) {
    GcraLimiter limiter;
    const RateLimitPolicy a{10.0, 10};
    const RateLimitPolicy b{10.0, 3};
    const std::vector<LimitKey> keys{{"a", &a}, {"b", &b}};
    const Decision d = limiter.CheckAll(keys, kT0);
    EXPECT_TRUE(d.allowed);
    EXPECT_EQ(d.limit, 3);
    EXPECT_EQ(d.remaining, 2);
    EXPECT_EQ(limiter.Check("a", a, kT0, 0).remaining, 9);
    EXPECT_EQ(limiter.Check("b", b, kT0, 0).remaining, 2);
}

TEST(GcraCheckAllTest, ReturnsTheDenialWithTheLongestRetry) {
    GcraLimiter limiter;
    const RateLimitPolicy fast{100.0, 1};
    const RateLimitPolicy slow{1.0, 1};
    ASSERT_TRUE(limiter.Check("fast", fast, kT0).allowed);
    ASSERT_TRUE(limiter.Check("slow", slow, kT0).allowed);
    const std::vector<LimitKey> keys{{"fast", &fast}, {"slow", &slow}};
    const Decision d = limiter.CheckAll(keys, kT0);
    EXPECT_FALSE(d.allowed);
    EXPECT_EQ(d.retry_after, 1s);
}

TEST(GcraCheckAllTest, RepeatedKeyIsChargedTwiceAndEmptyListIsAllowed) {
    GcraLimiter limiter;
    const RateLimitPolicy p{1.0, 3};
    const std::vector<LimitKey> twice{{"k", &p}, {"k", &p}};
    EXPECT_TRUE(limiter.CheckAll(twice, kT0).allowed);
    EXPECT_EQ(limiter.Check("k", p, kT0, 0).remaining, 1);
    EXPECT_FALSE(limiter.CheckAll(twice, kT0).allowed);
    EXPECT_EQ(limiter.Check("k", p, kT0, 0).remaining, 1);
    EXPECT_TRUE(limiter.CheckAll({}, kT0).allowed);
}

TEST(GcraLimiterTest, MemoryIsBoundedByLruEviction) {
    GcraLimiter limiter(128);  // two keys per shard
    const RateLimitPolicy p{1.0, 5};
    for (int i = 0; i < 10'000; ++i) {
        limiter.Check("spray:" + std::to_string(i), p, kT0);
    }
    EXPECT_LE(limiter.Size(), 128U);
    EXPECT_GT(limiter.Evictions(), 0U);
}

TEST(GcraLimiterTest, RecentlySeenKeySurvivesAKeySpray) {
    GcraLimiter limiter(GcraLimiter::kShardCount * 2);
    const RateLimitPolicy p{0.001, 1};
    ASSERT_TRUE(limiter.Check("hot", p, kT0).allowed);
    for (int i = 0; i < 5'000; ++i) {
        limiter.Check("spray:" + std::to_string(i), p, kT0);
        ASSERT_FALSE(limiter.Check("hot", p, kT0).allowed) << i;  // each check keeps "hot" recent
    }
}

TEST(GcraLimiterTest, ExpiredKeysAreForgotten) {
    GcraLimiter limiter;
    const RateLimitPolicy p{10.0, 10};
    for (int i = 0; i < 1000; ++i) {
        limiter.Check("k" + std::to_string(i), p, kT0);
    }
    EXPECT_EQ(limiter.Size(), 1000U);
    EXPECT_EQ(limiter.Sweep(kT0 + 50ms), 0U);  // TAT = t0 + 100 ms: still informative
    EXPECT_EQ(limiter.Sweep(kT0 + 100ms), 1000U);
    EXPECT_EQ(limiter.Size(), 0U);
    // Without a sweep, later checks drop expired keys from the LRU tails a few at a time.
    for (int i = 0; i < 1000; ++i) {
        limiter.Check("k" + std::to_string(i), p, kT0);
    }
    for (int i = 0; i < 2000; ++i) {
        limiter.Check("fresh" + std::to_string(i % 10), p, kT0 + 1s, 0);
    }
    EXPECT_LT(limiter.Size(), 1000U);
}

TEST(GcraLimiterTest, ConcurrentChecksNeverAdmitMoreThanTheBurst) {
    GcraLimiter limiter;
    const RateLimitPolicy p{1.0, 500};
    std::atomic<int> admitted{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 1000; ++i) {
                admitted += limiter.Check("shared", p, kT0).allowed ? 1 : 0;
            }
        });
    }
    for (auto& th : threads) {
        th.join();
    }
    EXPECT_EQ(admitted.load(), 500);
}

TEST(GcraCheckAllTest, ConcurrentMultiKeyChecksAreAtomicAndDeadlockFree) {
    GcraLimiter limiter;
    const RateLimitPolicy p{1.0, 300};
    std::vector<std::string> names;
    for (int i = 0; i < 6; ++i) {
        names.push_back("key-" + std::to_string(i));
    }
    std::atomic<int> admitted{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            std::vector<LimitKey> keys;
            for (int i = 0; i < 6; ++i) {  // every thread uses a different key order
                keys.push_back({names[static_cast<std::size_t>((i * (t + 1) + t) % 6)], &p});
            }
            std::sort(keys.begin(), keys.end(), [](const LimitKey& a, const LimitKey& b) {
                return a.key < b.key;
            });
            keys.erase(
                std::unique(
                    keys.begin(),
                    keys.end(),
                    [](const LimitKey& a, const LimitKey& b) { return a.key == b.key; }
                ),
                keys.end()
            );
            if (t % 2 == 1) {
                std::reverse(keys.begin(), keys.end());
            }
            for (int i = 0; i < 500; ++i) {
                admitted += limiter.CheckAll(keys, kT0).allowed ? 1 : 0;
            }
        });
    }
    for (auto& th : threads) {
        th.join();
    }
    // key-5 is in every thread's set, so it bounds the admissions exactly.
    EXPECT_EQ(admitted.load(), 300);
    EXPECT_EQ(limiter.Check("key-5", p, kT0, 0).remaining, 0);
}

}  // namespace
}  // namespace gw::edge
