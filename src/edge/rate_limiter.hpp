#pragma once
/// @file
/// @brief The `RateLimiter` seam (in-process GCRA now, an exact Redis implementation for cluster mode
/// later), its `Decision`, multi-key checks and the IETF `RateLimit-*` / `Retry-After` headers.

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "edge/options.hpp"

namespace gw::edge {

/// The outcome of one limiter check. Durations are relative to the `now` passed in.
struct Decision {
    bool allowed = true;
    std::int64_t limit = 0;                   ///< the policy's burst (capacity)
    std::int64_t remaining = 0;               ///< requests of cost 1 that would still be admitted right now
    std::chrono::nanoseconds reset_after{0};  ///< until the bucket is full again (idle state)
    std::chrono::nanoseconds retry_after{0};  ///< until this request would be admitted (0 if allowed)
};

/// One key of a multi-key check. `policy` must outlive the call.
struct LimitKey {
    std::string_view key;
    const RateLimitPolicy* policy = nullptr;
};

/// Upper bound on keys in one `CheckAll` call (the limiter locks at most this many shards at once).
inline constexpr std::size_t kMaxKeysPerCheck = 16;

/// A rate limiter keyed by caller-built strings: "ip:1.2.3.4", "key:<id>", "user:<id>",
/// "tenant:<id>", "route:<prefix>|ip:<addr>". Implementations are thread-safe; the state of a key
/// is independent of the policy, so a policy may change between calls.
class RateLimiter {
public:
    virtual ~RateLimiter() = default;

    /// Admits `cost` units for `key` under `policy` at `now` (consuming them) or denies (consuming
    /// nothing). `cost` 0 only reports the state. A cost above the policy's burst can never be
    /// admitted; it is denied with `retry_after` = `reset_after`.
    virtual Decision Check(
        std::string_view key,
        const RateLimitPolicy& policy,
        std::chrono::steady_clock::time_point now,
        int cost = 1
    ) = 0;

    /// Checks all `keys` atomically: if every key admits `cost`, all are charged and the allowed
    /// decision with the fewest `remaining` is returned (its headers describe the tightest limit);
    /// if any key denies, *nothing* is charged and the denial with the longest `retry_after` is
    /// returned. A key listed twice is charged twice. At most kMaxKeysPerCheck keys (more is a
    /// programming error: GW_CHECK). An empty list is allowed with limit 0.
    virtual Decision CheckAll(
        std::span<const LimitKey> keys, std::chrono::steady_clock::time_point now, int cost = 1
    ) = 0;
};

/// Response headers for a decision: `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset`
/// (delta seconds, rounded up; draft-ietf-httpapi-ratelimit-headers) and, when denied,
/// `Retry-After` (delta seconds, rounded up, at least 1).
std::vector<std::pair<std::string, std::string>> RateLimitHeaders(const Decision& decision);

/// Whole seconds for a header: `d` rounded up, never negative.
std::int64_t CeilSeconds(std::chrono::nanoseconds d) noexcept;

}  // namespace gw::edge
