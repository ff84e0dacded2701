#pragma once
/// @file
/// @brief Port suite: IdempotencyRepository (first ack/result wins, TTL on the injected clock).

#include <atomic>
#include <thread>
#include <vector>

#include "store/session_port_suite_fixture.hpp"

namespace gw::store::port_suite {

using namespace std::chrono_literals;

TEST_P(IdempotencyPortTest, FirstClaimWinsAndDuplicatesGetTheFirstAckThenResult) {
    auto first = Run(Idempotency().Claim("default", "agent:ik-1", R"({"status":"started"})", 5min));
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_TRUE(first->claimed);
    EXPECT_EQ(first->record.created_at_ms, kStartMs);
    EXPECT_EQ(first->record.expires_at_ms, kStartMs + 300'000);
    auto dup = Run(Idempotency().Claim("default", "agent:ik-1", R"({"status":"other"})", 5min));
    ASSERT_TRUE(dup);
    EXPECT_FALSE(dup->claimed);
    EXPECT_EQ(dup->record.ack, R"({"status":"started"})");
    EXPECT_FALSE(dup->record.Completed());  // in flight

    Advance(1s);
    auto done = Run(Idempotency().Complete("default", "agent:ik-1", R"({"status":"ok"})"));
    ASSERT_TRUE(done) << done.error().message;
    EXPECT_EQ(done->result, R"({"status":"ok"})");
    auto second_result = Run(Idempotency().Complete("default", "agent:ik-1", R"({"status":"error"})"));
    ASSERT_TRUE(second_result);
    EXPECT_EQ(second_result->result, R"({"status":"ok"})");
    auto replay = Run(Idempotency().Claim("default", "agent:ik-1", "{}", 5min));
    ASSERT_TRUE(replay);
    EXPECT_FALSE(replay->claimed);
    EXPECT_EQ(replay->record.ack, R"({"status":"started"})");
    EXPECT_EQ(replay->record.result, R"({"status":"ok"})");
}

TEST_P(IdempotencyPortTest, RecordsExpireAfterTheirTtlCountedFromTheResult) {
    ASSERT_TRUE(Run(Idempotency().Claim("default", "k", "ack-1", 5min)));
    Advance(5min - 1ms);
    auto live = Run(Idempotency().Claim("default", "k", "ack-2", 5min));
    ASSERT_TRUE(live);
    EXPECT_FALSE(live->claimed);
    Advance(1ms);
    auto expired = Run(Idempotency().Claim("default", "k", "ack-3", 5min));
    ASSERT_TRUE(expired);
    EXPECT_TRUE(expired->claimed);
    EXPECT_EQ(expired->record.ack, "ack-3");

    Advance(4min);
    ASSERT_TRUE(Run(Idempotency().Complete("default", "k", "result")));
    Advance(4min);  // 8 minutes after the claim, 4 after the result
    auto kept = Run(Idempotency().Claim("default", "k", "ack-4", 5min));
    ASSERT_TRUE(kept);
    EXPECT_FALSE(kept->claimed);
    EXPECT_EQ(kept->record.result, "result");
    Advance(1min);
    auto gone = Run(Idempotency().Claim("default", "k", "ack-5", 5min));
    ASSERT_TRUE(gone);
    EXPECT_TRUE(gone->claimed);
    auto late = Run(Idempotency().Complete("default", "never-claimed", "x"));
    ASSERT_FALSE(late);
    EXPECT_EQ(late.error().code, ErrorCode::kNotFound);
}

TEST_P(IdempotencyPortTest, ClaimRefusesShortTtlsEmptyKeysAndUnknownTenants) {
    auto short_ttl = Run(Idempotency().Claim("default", "k", "a", domain::kMinIdempotencyTtl - 1ms));
    ASSERT_FALSE(short_ttl);
    EXPECT_EQ(short_ttl.error().code, ErrorCode::kInvalidArgument);
    auto empty = Run(Idempotency().Claim("default", "", "a", 5min));
    ASSERT_FALSE(empty);
    EXPECT_EQ(empty.error().code, ErrorCode::kInvalidArgument);
    auto tenant = Run(Idempotency().Claim("no-such-tenant", "k", "a", 5min));
    ASSERT_FALSE(tenant);
    EXPECT_EQ(tenant.error().code, ErrorCode::kNotFound);
}

TEST_P(IdempotencyPortTest, KeysAreScopedPerTenant) {
    CreateTenant("acme");
    auto mine = Run(Idempotency().Claim("default", "k", "mine", 5min));
    auto theirs = Run(Idempotency().Claim("acme", "k", "theirs", 5min));
    ASSERT_TRUE(mine);
    ASSERT_TRUE(theirs);
    EXPECT_TRUE(mine->claimed);
    EXPECT_TRUE(theirs->claimed);
    ASSERT_TRUE(Run(Idempotency().Complete("acme", "k", "done")));
    auto still_pending = Run(Idempotency().Claim("default", "k", "x", 5min));
    ASSERT_TRUE(still_pending);
    EXPECT_FALSE(still_pending->record.Completed());
}

TEST_P(IdempotencyPortTest, ReleaseFreesAPendingClaimButNeverAResult) {
    ASSERT_TRUE(Run(Idempotency().Claim("default", "k", "a", 5min)));
    ASSERT_TRUE(Run(Idempotency().Release("default", "k")));
    auto again = Run(Idempotency().Claim("default", "k", "b", 5min));
    ASSERT_TRUE(again);
    EXPECT_TRUE(again->claimed);
    ASSERT_TRUE(Run(Idempotency().Complete("default", "k", "r")));
    auto refused = Run(Idempotency().Release("default", "k"));
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
    EXPECT_TRUE(Run(Idempotency().Release("default", "missing")));
}

TEST_P(IdempotencyPortTest, PurgeDeletesOnlyExpiredRecords) {
    ASSERT_TRUE(Run(Idempotency().Claim("default", "old", "a", 5min)));
    Advance(3min);
    ASSERT_TRUE(Run(Idempotency().Claim("default", "new", "b", 5min)));
    Advance(2min);
    auto purged = Run(Idempotency().PurgeExpired());
    ASSERT_TRUE(purged);
    EXPECT_EQ(*purged, 1);
    auto kept = Run(Idempotency().Claim("default", "new", "c", 5min));
    ASSERT_TRUE(kept);
    EXPECT_FALSE(kept->claimed);
}

TEST_P(IdempotencyPortTest, DropPendingClaimsKeepsResults) {
    ASSERT_TRUE(Run(Idempotency().Claim("default", "pending", "a", 5min)));
    ASSERT_TRUE(Run(Idempotency().Claim("default", "done", "b", 5min)));
    ASSERT_TRUE(Run(Idempotency().Complete("default", "done", "r")));
    auto dropped = Run(Idempotency().DropPendingClaims());
    ASSERT_TRUE(dropped);
    EXPECT_EQ(*dropped, 1);
    auto retry = Run(Idempotency().Claim("default", "pending", "a2", 5min));
    ASSERT_TRUE(retry);
    EXPECT_TRUE(retry->claimed);
    auto replay = Run(Idempotency().Claim("default", "done", "b2", 5min));
    ASSERT_TRUE(replay);
    EXPECT_FALSE(replay->claimed);
    EXPECT_EQ(replay->record.result, "r");
}

TEST_P(IdempotencyPortTest, ConcurrentClaimsHaveExactlyOneWinner) {
    constexpr int kCallers = 24;
    boost::asio::io_context ioc;
    std::atomic<int> winners{0};
    std::atomic<int> losers{0};
    std::atomic<int> failures{0};
    for (int i = 0; i < kCallers; ++i) {
        auto on_done = [&](std::exception_ptr e, Result<domain::ClaimResult> r) {
            if (e || !r) {
                failures.fetch_add(1);
            } else {
                (r->claimed ? winners : losers).fetch_add(1);
            }
        };
        boost::asio::co_spawn(
            ioc, Idempotency().Claim("default", "race", "ack-" + std::to_string(i), 5min), on_done
        );
    }
    std::thread second([&ioc] { ioc.run_for(30s); });
    ioc.run_for(30s);
    second.join();
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(winners.load(), 1);
    EXPECT_EQ(losers.load(), kCallers - 1);
}

}  // namespace gw::store::port_suite
