#include "edge/token_budget.hpp"

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace gw::edge {
namespace {

using namespace std::chrono_literals;
using SysClock = std::chrono::system_clock;

/// A settable wall clock shared with the budget.
struct FakeClock {
    std::shared_ptr<std::atomic<SysClock::rep>> ticks = std::make_shared<std::atomic<SysClock::rep>>(0);

    explicit FakeClock(SysClock::time_point t) { Set(t); }

    void Set(SysClock::time_point t) { ticks->store(t.time_since_epoch().count()); }

    void Advance(SysClock::duration d) { ticks->fetch_add(d.count()); }

    InProcessTokenBudget::SystemClockFn Fn() const {
        return [t = ticks] { return SysClock::time_point(SysClock::duration(t->load())); };
    }
};

// 2024-05-01 12:00:00 UTC
const SysClock::time_point kNoon = SysClock::time_point(std::chrono::seconds(1'714'564'800));

TEST(TokenBudgetTest, ReservesWithinTheLimitAndSettlesTheActualUsage) {
    FakeClock clock(kNoon);
    InProcessTokenBudget budget(clock.Fn());
    auto r = budget.Reserve("user:alice", 400, 1000);
    ASSERT_TRUE(r);
    EXPECT_EQ(budget.Usage("user:alice").reserved, 400);
    ASSERT_TRUE(budget.Settle(*r, 250));
    const BudgetUsage u = budget.Usage("user:alice");
    EXPECT_EQ(u.used, 250);
    EXPECT_EQ(u.reserved, 0);
    EXPECT_EQ(u.day, UtcDay(kNoon));
}

TEST(TokenBudgetTest, ReservationBeyondTheLimitIsRateLimitedAndHoldsNothing) {
    FakeClock clock(kNoon);
    InProcessTokenBudget budget(clock.Fn());
    auto first = budget.Reserve("user:bob", 700, 1000);
    ASSERT_TRUE(first);
    auto second = budget.Reserve("user:bob", 301, 1000);
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().code, ErrorCode::kRateLimited);
    EXPECT_EQ(budget.Usage("user:bob").reserved, 700);
    EXPECT_TRUE(budget.Reserve("user:bob", 300, 1000));  // exactly up to the limit is fine
}

TEST(TokenBudgetTest, SettlingBelowTheEstimateFreesTheDifference) {
    FakeClock clock(kNoon);
    InProcessTokenBudget budget(clock.Fn());
    auto r = budget.Reserve("u", 1000, 1000);
    ASSERT_TRUE(r);
    EXPECT_FALSE(budget.Reserve("u", 1, 1000));
    ASSERT_TRUE(budget.Settle(*r, 100));
    EXPECT_TRUE(budget.Reserve("u", 900, 1000));
    EXPECT_FALSE(budget.Reserve("u", 1, 1000));
}

TEST(TokenBudgetTest, UsageAboveTheEstimateIsChargedInFull) {
    FakeClock clock(kNoon);
    InProcessTokenBudget budget(clock.Fn());
    auto r = budget.Reserve("u", 10, 100);
    ASSERT_TRUE(r);
    ASSERT_TRUE(budget.Settle(*r, 150));
    EXPECT_EQ(budget.Usage("u").used, 150);
    auto next = budget.Reserve("u", 0, 100);
    ASSERT_FALSE(next);
    EXPECT_EQ(next.error().code, ErrorCode::kRateLimited);
}

TEST(TokenBudgetTest, ReleaseGivesTheHoldBack) {
    FakeClock clock(kNoon);
    InProcessTokenBudget budget(clock.Fn());
    auto r = budget.Reserve("u", 60, 100);
    ASSERT_TRUE(r);
    ASSERT_TRUE(budget.Release(*r));
    EXPECT_EQ(budget.Usage("u").reserved, 0);
    EXPECT_EQ(budget.Usage("u").used, 0);
    EXPECT_TRUE(budget.Reserve("u", 100, 100));
}

TEST(TokenBudgetTest, DoubleSettleOrReleaseIsRejected) {
    FakeClock clock(kNoon);
    InProcessTokenBudget budget(clock.Fn());
    auto r = budget.Reserve("u", 50, 100);
    ASSERT_TRUE(r);
    ASSERT_TRUE(budget.Settle(*r, 50));
    auto again = budget.Settle(*r, 50);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, ErrorCode::kNotFound);
    EXPECT_FALSE(budget.Release(*r));
    EXPECT_EQ(budget.Usage("u").used, 50);
    EXPECT_FALSE(budget.Settle(Reservation{}, 1));
}

TEST(TokenBudgetTest, InvalidArgumentsAreRejected) {
    FakeClock clock(kNoon);
    InProcessTokenBudget budget(clock.Fn());
    EXPECT_EQ(budget.Reserve("u", -1, 100).error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(budget.Reserve("u", 1, 0).error().code, ErrorCode::kInvalidArgument);
    auto r = budget.Reserve("u", 1, 100);
    ASSERT_TRUE(r);
    EXPECT_EQ(budget.Settle(*r, -5).error().code, ErrorCode::kInvalidArgument);
}

TEST(TokenBudgetTest, ConcurrentReservationsNeverOverspend) {
    FakeClock clock(kNoon);
    InProcessTokenBudget budget(clock.Fn());
    constexpr std::int64_t kLimit = 10'000;
    constexpr std::int64_t kEstimate = 7;
    std::atomic<std::int64_t> granted{0};
    std::atomic<std::int64_t> max_seen{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 1000; ++i) {
                auto r = budget.Reserve("tenant:acme", kEstimate, kLimit);
                if (!r) {
                    continue;
                }
                granted += kEstimate;
                const BudgetUsage u = budget.Usage("tenant:acme");
                std::int64_t seen = max_seen.load();
                while (u.used + u.reserved > seen &&
                       !max_seen.compare_exchange_weak(seen, u.used + u.reserved)) {
                }
                // Half settle in full, half fail and release: neither may overspend.
                if ((i + t) % 2 == 0) {
                    ASSERT_TRUE(budget.Settle(*r, kEstimate));
                } else {
                    ASSERT_TRUE(budget.Release(*r));
                }
            }
        });
    }
    for (auto& th : threads) {
        th.join();
    }
    const BudgetUsage u = budget.Usage("tenant:acme");
    EXPECT_EQ(u.reserved, 0);
    EXPECT_LE(u.used, kLimit);
    EXPECT_LE(max_seen.load(), kLimit);
    EXPECT_GT(u.used, kLimit - kEstimate);  // 8000 attempts × 7 tokens could fill it: it did
}

TEST(TokenBudgetTest, ANewUtcDayResetsTheBudget) {
    FakeClock clock(kNoon);
    InProcessTokenBudget budget(clock.Fn());
    auto r = budget.Reserve("u", 100, 100);
    ASSERT_TRUE(r);
    ASSERT_TRUE(budget.Settle(*r, 100));
    EXPECT_FALSE(budget.Reserve("u", 1, 100));
    clock.Advance(11h + 59min + 59s);  // 23:59:59
    EXPECT_FALSE(budget.Reserve("u", 1, 100));
    clock.Advance(1s);  // midnight UTC
    EXPECT_TRUE(budget.Reserve("u", 100, 100));
    EXPECT_EQ(budget.Usage("u").day, UtcDay(kNoon) + 1);
}

TEST(TokenBudgetTest, SettlingAReservationFromYesterdayChangesNothingToday) {
    FakeClock clock(kNoon);
    InProcessTokenBudget budget(clock.Fn());
    auto r = budget.Reserve("u", 80, 100);
    ASSERT_TRUE(r);
    clock.Advance(24h);
    auto today = budget.Reserve("u", 90, 100);
    ASSERT_TRUE(today);
    EXPECT_TRUE(budget.Settle(*r, 500));
    EXPECT_EQ(budget.Usage("u").used, 0);
    EXPECT_EQ(budget.Usage("u").reserved, 90);
}

TEST(TokenBudgetTest, OldDaysAreDroppedSoMemoryStaysBounded) {
    FakeClock clock(kNoon);
    InProcessTokenBudget budget(clock.Fn(), 3);
    ASSERT_TRUE(budget.Reserve("a", 1, 10));
    ASSERT_TRUE(budget.Reserve("b", 1, 10));
    ASSERT_TRUE(budget.Reserve("c", 1, 10));
    auto full = budget.Reserve("d", 1, 10);
    ASSERT_FALSE(full);
    EXPECT_EQ(full.error().code, ErrorCode::kUnavailable);  // fails closed
    clock.Advance(24h);
    EXPECT_TRUE(budget.Reserve("d", 1, 10));
    EXPECT_EQ(budget.Size(), 1U);
}

TEST(TokenBudgetTest, ReserveAllReleasesEarlierHoldsWhenOneScopeFails) {
    FakeClock clock(kNoon);
    InProcessTokenBudget budget(clock.Fn());
    const std::vector<BudgetScope> scopes{{"user:alice", 1000}, {"tenant:acme", 50}};
    auto r = ReserveAll(budget, scopes, 100);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kRateLimited);
    EXPECT_EQ(budget.Usage("user:alice").reserved, 0);
    auto ok = ReserveAll(budget, scopes, 40);
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->size(), 2U);
    EXPECT_EQ(budget.Usage("user:alice").reserved, 40);
    EXPECT_EQ(budget.Usage("tenant:acme").reserved, 40);
}

TEST(TokenBudgetTest, UtcDayAndTimeToMidnight) {
    EXPECT_EQ(UtcDay(SysClock::time_point{}), 0);
    EXPECT_EQ(UtcDay(SysClock::time_point{} - 1s), -1);
    EXPECT_EQ(UtcDay(kNoon), 19'844);
    EXPECT_EQ(UntilUtcMidnight(kNoon), 12h);
    EXPECT_EQ(UntilUtcMidnight(kNoon + 12h - 1ms), 1s);
}

}  // namespace
}  // namespace gw::edge
