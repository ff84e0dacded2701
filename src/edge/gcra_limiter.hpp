#pragma once
/// @file
/// @brief `GcraLimiter`: the in-process `RateLimiter` (Generic Cell Rate Algorithm), sharded, with
/// bounded memory.

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "edge/rate_limiter.hpp"

namespace gw::edge {

/// GCRA keeps one number per key, the theoretical arrival time (TAT). With emission interval
/// T = 1/rate and capacity B = burst, a request of cost n at t is admitted iff
/// max(TAT, t) + n·T − B·T ≤ t, and then TAT := max(TAT, t) + n·T. A key whose TAT ≤ now holds no
/// information (a fresh key behaves the same), so forgetting it is lossless.
///
/// Storage: 64 shards, each a mutex-protected hash map of key → TAT plus an intrusive LRU list.
/// Memory is bounded by `max_keys` (split evenly over the shards; measured ~95 bytes per key with
/// short keys, ~130 with IPv6 keys). When a shard is full, its least
/// recently used key is evicted (per-shard LRU; we do not fail closed, because an attacker spraying
/// keys could then lock out every new client). An evicted key starts again with a full burst;
/// since the victim is the least recently *seen* key, its TAT has usually passed already. Each check
/// also drops up to two expired keys from the LRU tail, so idle keys vanish without a sweeper.
/// Time comes only from the `now` arguments (tests inject it).
class GcraLimiter final : public RateLimiter {
public:
    static constexpr std::size_t kShardCount = 64;

    explicit GcraLimiter(std::size_t max_keys = 100'000);
    ~GcraLimiter() override;

    GcraLimiter(const GcraLimiter&) = delete;
    GcraLimiter& operator=(const GcraLimiter&) = delete;

    Decision Check(
        std::string_view key,
        const RateLimitPolicy& policy,
        std::chrono::steady_clock::time_point now,
        int cost = 1
    ) override;

    Decision CheckAll(std::span<const LimitKey> keys, std::chrono::steady_clock::time_point now, int cost = 1)
        override;

    /// Drops every key whose TAT ≤ now; returns how many (O(keys); optional, e.g. from a timer).
    std::size_t Sweep(std::chrono::steady_clock::time_point now);

    /// Keys currently stored.
    std::size_t Size() const;

    /// Keys evicted by the LRU because a shard was full (not counting expired keys).
    std::uint64_t Evictions() const noexcept { return evictions_.load(std::memory_order_relaxed); }

private:
    struct Shard;

    std::size_t per_shard_capacity_;
    std::unique_ptr<std::array<Shard, kShardCount>> shards_;
    std::atomic<std::uint64_t> evictions_{0};
};

}  // namespace gw::edge
