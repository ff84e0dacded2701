#pragma once
/// @file
/// @brief Daily LLM token budgets per scope key ("user:<id>", "tenant:<id>") with reserve-then-settle,
/// so concurrent requests can never together exceed a budget.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"

namespace gw::edge {

/// Tokens held for one request until it is settled or released. Usage counts against the UTC day
/// the reservation was made on.
struct Reservation {
    std::string key;
    std::int64_t day = 0;     ///< UTC days since 1970-01-01
    std::int64_t tokens = 0;  ///< the estimate held
    std::uint64_t id = 0;     ///< 0 = empty (never reserved)
};

/// A scope's state for the current UTC day.
struct BudgetUsage {
    std::int64_t day = 0;
    std::int64_t used = 0;      ///< settled tokens
    std::int64_t reserved = 0;  ///< held by outstanding reservations
};

/// The seam for budgets (in-process now; a Redis implementation later for cluster mode).
/// All methods are thread-safe.
class TokenBudget {
public:
    virtual ~TokenBudget() = default;

    /// Holds `estimated_tokens` (≥ 0) against `key`'s budget of `daily_limit` (> 0) for today (UTC).
    /// Fails with kRateLimited when used + reserved + estimate would exceed the limit (nothing is
    /// held then), kInvalidArgument for a negative estimate or a non-positive limit.
    virtual Result<Reservation> Reserve(
        std::string_view key, std::int64_t estimated_tokens, std::int64_t daily_limit
    ) = 0;

    /// Replaces the held estimate with `actual_tokens` (≥ 0; more than the estimate is charged in full,
    /// even past the limit, and later reservations fail until the day ends). If the reservation's day is
    /// over, its counters were already reset and nothing changes. kNotFound if the reservation was
    /// already settled or released (so a double settle cannot double count).
    virtual Result<void> Settle(const Reservation& reservation, std::int64_t actual_tokens) = 0;

    /// Gives the held estimate back (the request failed before using tokens). kNotFound as for Settle.
    virtual Result<void> Release(const Reservation& reservation) = 0;

    /// Today's usage of `key` (zeros if unknown).
    virtual BudgetUsage Usage(std::string_view key) = 0;
};

/// A key and its limit, for `ReserveAll`.
struct BudgetScope {
    std::string_view key;
    std::int64_t daily_limit = 0;
};

/// Reserves `estimated_tokens` from every scope (e.g. the user's and the tenant's); if one fails, the
/// ones already made are released and that error is returned. A concurrent request may briefly see
/// the released holds (a false denial, never an overspend).
Result<std::vector<Reservation>> ReserveAll(
    TokenBudget& budget, std::span<const BudgetScope> scopes, std::int64_t estimated_tokens
);

/// UTC day number of `t` (days since 1970-01-01).
std::int64_t UtcDay(std::chrono::system_clock::time_point t) noexcept;

/// Time from `t` to the next UTC midnight (when budgets reset), for Retry-After.
std::chrono::seconds UntilUtcMidnight(std::chrono::system_clock::time_point t) noexcept;

/// In-process budgets: one mutex over a hash map of key → today's counters and outstanding holds.
/// A new UTC day (from the injected clock) resets every key lazily, and the first operation of a new
/// day drops the keys of previous days. At most `max_keys` keys per day: beyond that, Reserve fails
/// closed with kUnavailable (budget keys are authenticated users/tenants, not attacker-chosen).
class InProcessTokenBudget final : public TokenBudget {
public:
    using SystemClockFn = std::function<std::chrono::system_clock::time_point()>;

    explicit InProcessTokenBudget(
        SystemClockFn clock = &std::chrono::system_clock::now, std::size_t max_keys = 100'000
    );
    ~InProcessTokenBudget() override;

    InProcessTokenBudget(const InProcessTokenBudget&) = delete;
    InProcessTokenBudget& operator=(const InProcessTokenBudget&) = delete;

    Result<Reservation> Reserve(std::string_view key, std::int64_t estimated_tokens, std::int64_t daily_limit)
        override;
    Result<void> Settle(const Reservation& reservation, std::int64_t actual_tokens) override;
    Result<void> Release(const Reservation& reservation) override;
    BudgetUsage Usage(std::string_view key) override;

    /// Keys currently stored (tests).
    std::size_t Size() const;

private:
    struct State;

    Result<void> Finish(const Reservation& reservation, std::int64_t charge, bool settle);

    SystemClockFn clock_;
    std::size_t max_keys_;
    std::unique_ptr<State> state_;
};

}  // namespace gw::edge
