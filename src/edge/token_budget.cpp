#include "edge/token_budget.hpp"

#include <algorithm>
#include <limits>
#include <mutex>
#include <unordered_map>
#include <utility>

namespace gw::edge {
namespace {

constexpr std::int64_t kSecondsPerDay = 86'400;

struct StringHash {
    using is_transparent = void;

    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

}  // namespace

std::int64_t UtcDay(std::chrono::system_clock::time_point t) noexcept {
    const auto secs = std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count();
    return secs >= 0 ? secs / kSecondsPerDay : (secs - kSecondsPerDay + 1) / kSecondsPerDay;
}

std::chrono::seconds UntilUtcMidnight(std::chrono::system_clock::time_point t) noexcept {
    const auto next =
        std::chrono::system_clock::time_point(std::chrono::seconds((UtcDay(t) + 1) * kSecondsPerDay));
    return std::chrono::ceil<std::chrono::seconds>(next - t);
}

Result<std::vector<Reservation>> ReserveAll(
    TokenBudget& budget, std::span<const BudgetScope> scopes, std::int64_t estimated_tokens
) {
    std::vector<Reservation> held;
    held.reserve(scopes.size());
    for (const auto& scope : scopes) {
        auto r = budget.Reserve(scope.key, estimated_tokens, scope.daily_limit);
        if (!r) {
            for (const auto& h : held) {
                (void)budget.Release(h);  // cannot fail: we hold it and nobody else has it
            }
            return r.error();
        }
        held.push_back(std::move(*r));
    }
    return held;
}

struct InProcessTokenBudget::State {
    struct Entry {
        std::int64_t day = 0;
        std::int64_t used = 0;
        std::int64_t reserved = 0;
        std::vector<std::pair<std::uint64_t, std::int64_t>> holds;  // outstanding id → tokens
    };

    mutable std::mutex mu;
    std::unordered_map<std::string, Entry, StringHash, std::equal_to<>> entries;
    std::int64_t current_day = 0;
    std::uint64_t next_id = 1;

    /// Called with `mu` held: on a new day, drop every key (their counters belong to old days). The
    /// day only moves forward, so a wall clock stepping back over midnight never resets a day twice.
    void Roll(std::int64_t today) {
        if (today > current_day) {
            entries.clear();
            current_day = today;
        }
    }
};

InProcessTokenBudget::InProcessTokenBudget(SystemClockFn clock, std::size_t max_keys)
    : clock_(std::move(clock)), max_keys_(max_keys), state_(std::make_unique<State>()) {}

InProcessTokenBudget::~InProcessTokenBudget() = default;

Result<Reservation> InProcessTokenBudget::Reserve(
    std::string_view key, std::int64_t estimated_tokens, std::int64_t daily_limit
) {
    if (estimated_tokens < 0 || daily_limit <= 0) {
        return MakeError(
            ErrorCode::kInvalidArgument, "token budget: negative estimate or non-positive limit"
        );
    }
    const std::int64_t today = UtcDay(clock_());
    std::lock_guard lock(state_->mu);
    state_->Roll(today);
    auto it = state_->entries.find(key);
    if (it == state_->entries.end()) {
        if (state_->entries.size() >= max_keys_) {
            return MakeError(ErrorCode::kUnavailable, "token budget table full");
        }
        it = state_->entries.try_emplace(std::string(key)).first;
        it->second.day = state_->current_day;
    }
    State::Entry& e = it->second;
    // Overflow-safe form of used + reserved + estimate > limit (all terms are ≥ 0).
    const std::int64_t committed = e.used + e.reserved;
    if (committed > daily_limit || estimated_tokens > daily_limit - committed) {
        return MakeError(ErrorCode::kRateLimited, "daily token budget exhausted for " + std::string(key));
    }
    e.reserved += estimated_tokens;
    const std::uint64_t id = state_->next_id++;
    e.holds.emplace_back(id, estimated_tokens);
    return Reservation{std::string(key), e.day, estimated_tokens, id};
}

Result<void> InProcessTokenBudget::Finish(const Reservation& reservation, std::int64_t charge, bool settle) {
    if (settle && charge < 0) {
        return MakeError(ErrorCode::kInvalidArgument, "token budget: negative actual tokens");
    }
    const std::int64_t today = UtcDay(clock_());
    std::lock_guard lock(state_->mu);
    state_->Roll(today);
    auto it = state_->entries.find(std::string_view(reservation.key));
    if (it == state_->entries.end() || it->second.day != reservation.day) {
        // The reservation's day is over (counters reset) — or it was never made here.
        if (reservation.id != 0 && reservation.day < state_->current_day) {
            return Ok();
        }
        return MakeError(ErrorCode::kNotFound, "token budget: unknown reservation");
    }
    State::Entry& e = it->second;
    auto hold = std::find_if(e.holds.begin(), e.holds.end(), [&](const auto& h) {
        return h.first == reservation.id;
    });
    if (hold == e.holds.end()) {
        return MakeError(ErrorCode::kNotFound, "token budget: reservation already settled or released");
    }
    e.reserved -= hold->second;
    e.holds.erase(hold);
    if (settle) {
        e.used = charge > std::numeric_limits<std::int64_t>::max() - e.used
                     ? std::numeric_limits<std::int64_t>::max()
                     : e.used + charge;
    }
    return Ok();
}

Result<void> InProcessTokenBudget::Settle(const Reservation& reservation, std::int64_t actual_tokens) {
    return Finish(reservation, actual_tokens, true);
}

Result<void> InProcessTokenBudget::Release(const Reservation& reservation) {
    return Finish(reservation, 0, false);
}

BudgetUsage InProcessTokenBudget::Usage(std::string_view key) {
    const std::int64_t today = UtcDay(clock_());
    std::lock_guard lock(state_->mu);
    state_->Roll(today);
    BudgetUsage u;
    u.day = state_->current_day;
    if (auto it = state_->entries.find(key); it != state_->entries.end()) {
        u.used = it->second.used;
        u.reserved = it->second.reserved;
    }
    return u;
}

std::size_t InProcessTokenBudget::Size() const {
    std::lock_guard lock(state_->mu);
    return state_->entries.size();
}

}  // namespace gw::edge
