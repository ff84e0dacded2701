#include "edge/gcra_limiter.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "base/check.hpp"

namespace gw::edge {
namespace {

using Clock = std::chrono::steady_clock;

/// Durations saturate here so that now + duration never overflows int64 nanoseconds.
constexpr std::int64_t kMaxSpanNs = std::numeric_limits<std::int64_t>::max() / 4;

std::int64_t SatMul(std::int64_t a, std::int64_t b) noexcept {
    std::int64_t r = 0;
    if (__builtin_mul_overflow(a, b, &r) || r > kMaxSpanNs) {
        return kMaxSpanNs;
    }
    return r;
}

struct Params {
    bool valid = false;
    std::int64_t interval_ns = 0;  // T
    std::int64_t capacity_ns = 0;  // B·T
    std::int64_t burst = 0;        // B
};

Params ToParams(const RateLimitPolicy& policy) noexcept {
    Params p;
    if (!(policy.rate_per_second > 0.0) || !std::isfinite(policy.rate_per_second) || policy.burst < 1) {
        return p;
    }
    const double interval = std::max(1.0, std::round(1e9 / policy.rate_per_second));
    p.interval_ns =
        interval >= static_cast<double>(kMaxSpanNs) ? kMaxSpanNs : static_cast<std::int64_t>(interval);
    p.capacity_ns = SatMul(policy.burst, p.interval_ns);
    p.burst = policy.burst;
    p.valid = true;
    return p;
}

std::int64_t ToNs(Clock::time_point t) noexcept {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

struct Evaluation {
    Decision decision;
    std::int64_t new_tat = 0;  // valid when allowed
};

/// The GCRA step for a key whose stored TAT is `tat` (or `now` for an unknown key).
Evaluation Evaluate(std::int64_t tat, std::int64_t now, const Params& p, std::int64_t cost) noexcept {
    Evaluation e;
    Decision& d = e.decision;
    if (!p.valid) {  // misconfigured policy: fail closed
        d.allowed = false;
        d.retry_after = std::chrono::seconds(1);
        d.reset_after = d.retry_after;
        return e;
    }
    const std::int64_t base = std::max(tat, now);
    d.limit = p.burst;
    d.reset_after = std::chrono::nanoseconds(base - now);
    const std::int64_t headroom = now + p.capacity_ns - base;  // ≥ 0 unless the policy shrank
    d.remaining = headroom > 0 ? headroom / p.interval_ns : 0;
    if (cost > p.burst) {
        d.allowed = false;
        d.retry_after = d.reset_after;
        return e;
    }
    const std::int64_t new_tat = base + SatMul(cost, p.interval_ns);
    const std::int64_t allow_at = new_tat - p.capacity_ns;
    if (allow_at > now) {
        d.allowed = false;
        d.retry_after = std::chrono::nanoseconds(allow_at - now);
        return e;
    }
    d.allowed = true;
    d.remaining = (now + p.capacity_ns - new_tat) / p.interval_ns;
    d.reset_after = std::chrono::nanoseconds(new_tat - now);
    e.new_tat = new_tat;
    return e;
}

struct StringHash {
    using is_transparent = void;

    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

constexpr int kShardBits = 6;
static_assert((std::size_t{1} << kShardBits) == GcraLimiter::kShardCount);

std::size_t ShardIndex(std::string_view key) noexcept {
    // The top bits: the maps inside a shard use the hash modulo their (prime) bucket count.
    return StringHash{}(key) >> (std::numeric_limits<std::size_t>::digits - kShardBits);
}

/// Expired keys dropped from the LRU tail per check (amortised cleanup).
constexpr int kExpireBudget = 2;

}  // namespace

struct GcraLimiter::Shard {
    struct Slot {
        std::int64_t tat = 0;
        Slot* prev = nullptr;  // towards head (more recent)
        Slot* next = nullptr;  // towards tail (less recent)
        const std::string* key = nullptr;
    };

    alignas(64) std::mutex mu;
    std::unordered_map<std::string, Slot, StringHash, std::equal_to<>> map;
    Slot* head = nullptr;
    Slot* tail = nullptr;

    void Unlink(Slot* s) noexcept {
        (s->prev != nullptr ? s->prev->next : head) = s->next;
        (s->next != nullptr ? s->next->prev : tail) = s->prev;
        s->prev = s->next = nullptr;
    }

    void PushFront(Slot* s) noexcept {
        s->prev = nullptr;
        s->next = head;
        (head != nullptr ? head->prev : tail) = s;
        head = s;
    }

    void Touch(Slot* s) noexcept {
        if (head != s) {
            Unlink(s);
            PushFront(s);
        }
    }

    Slot* Find(std::string_view key) noexcept {
        auto it = map.find(key);
        return it == map.end() ? nullptr : &it->second;
    }

    void Erase(Slot* s) {
        Unlink(s);
        map.erase(map.find(std::string_view(*s->key)));
    }

    void ExpireTail(std::int64_t now, int budget) {
        while (budget-- > 0 && tail != nullptr && tail->tat <= now) {
            Erase(tail);
        }
    }

    /// Stores `tat` for `key`, inserting (and evicting the LRU key when full) if needed.
    void Upsert(
        std::string_view key,
        std::int64_t tat,
        std::int64_t now,
        std::size_t capacity,
        std::atomic<std::uint64_t>& evictions
    ) {
        if (Slot* s = Find(key)) {
            s->tat = tat;
            Touch(s);
            return;
        }
        if (map.size() >= capacity) {
            ExpireTail(now, std::numeric_limits<int>::max());
            if (map.size() >= capacity && tail != nullptr) {
                Erase(tail);
                evictions.fetch_add(1, std::memory_order_relaxed);
            }
        }
        auto [it, inserted] = map.try_emplace(std::string(key));
        it->second.tat = tat;
        it->second.key = &it->first;
        PushFront(&it->second);
    }
};

GcraLimiter::GcraLimiter(std::size_t max_keys)
    : per_shard_capacity_(std::max<std::size_t>(1, (max_keys + kShardCount - 1) / kShardCount)),
      shards_(std::make_unique<std::array<Shard, kShardCount>>()) {}

GcraLimiter::~GcraLimiter() = default;

Decision GcraLimiter::Check(
    std::string_view key, const RateLimitPolicy& policy, Clock::time_point now, int cost
) {
    const Params params = ToParams(policy);
    const std::int64_t now_ns = ToNs(now);
    const std::int64_t units = std::max(cost, 0);
    Shard& shard = (*shards_)[ShardIndex(key)];
    std::lock_guard lock(shard.mu);
    shard.ExpireTail(now_ns, kExpireBudget);
    Shard::Slot* slot = shard.Find(key);
    const Evaluation e = Evaluate(slot != nullptr ? slot->tat : now_ns, now_ns, params, units);
    if (e.decision.allowed && units > 0) {
        if (slot != nullptr) {
            slot->tat = e.new_tat;
            shard.Touch(slot);
        } else {
            shard.Upsert(key, e.new_tat, now_ns, per_shard_capacity_, evictions_);
        }
    } else if (slot != nullptr) {
        shard.Touch(slot);
    }
    return e.decision;
}

Decision GcraLimiter::CheckAll(std::span<const LimitKey> keys, Clock::time_point now, int cost) {
    GW_CHECK(keys.size() <= kMaxKeysPerCheck, "GcraLimiter::CheckAll: too many keys");
    if (keys.empty()) {
        return Decision{};
    }
    const std::int64_t now_ns = ToNs(now);
    const std::int64_t units = std::max(cost, 0);
    std::array<std::size_t, kMaxKeysPerCheck> shard_of{};
    std::array<std::size_t, kMaxKeysPerCheck> order{};
    for (std::size_t i = 0; i < keys.size(); ++i) {
        shard_of[i] = ShardIndex(keys[i].key);
        order[i] = shard_of[i];
    }
    // Lock the distinct shards in ascending order (deadlock-free against other CheckAll calls).
    std::sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(keys.size()));
    const auto distinct = static_cast<std::size_t>(
        std::unique(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(keys.size())) - order.begin()
    );
    std::array<std::unique_lock<std::mutex>, kMaxKeysPerCheck> locks;
    for (std::size_t i = 0; i < distinct; ++i) {
        locks[i] = std::unique_lock((*shards_)[order[i]].mu);
        (*shards_)[order[i]].ExpireTail(now_ns, kExpireBudget);
    }

    std::array<std::int64_t, kMaxKeysPerCheck> new_tat{};
    std::optional<Decision> worst_denial;
    std::optional<Decision> tightest;
    for (std::size_t i = 0; i < keys.size(); ++i) {
        GW_CHECK(keys[i].policy != nullptr, "GcraLimiter::CheckAll: null policy");
        std::int64_t tat = now_ns;
        bool pending = false;
        for (std::size_t j = i; j-- > 0;) {  // an earlier occurrence of the same key in this call
            if (keys[j].key == keys[i].key) {
                tat = new_tat[j];
                pending = true;
                break;
            }
        }
        if (!pending) {
            if (const Shard::Slot* slot = (*shards_)[shard_of[i]].Find(keys[i].key)) {
                tat = slot->tat;
            }
        }
        const Evaluation e = Evaluate(tat, now_ns, ToParams(*keys[i].policy), units);
        if (!e.decision.allowed) {
            if (!worst_denial || e.decision.retry_after > worst_denial->retry_after) {
                worst_denial = e.decision;
            }
            continue;
        }
        new_tat[i] = units > 0 ? e.new_tat : std::max(tat, now_ns);
        if (!tightest || e.decision.remaining < tightest->remaining ||
            (e.decision.remaining == tightest->remaining && e.decision.limit < tightest->limit)) {
            tightest = e.decision;
        }
    }
    if (worst_denial) {
        return *worst_denial;
    }
    if (units > 0) {
        for (std::size_t i = 0; i < keys.size(); ++i) {
            (*shards_)[shard_of[i]].Upsert(keys[i].key, new_tat[i], now_ns, per_shard_capacity_, evictions_);
        }
    }
    return *tightest;
}

std::size_t GcraLimiter::Sweep(Clock::time_point now) {
    const std::int64_t now_ns = ToNs(now);
    std::size_t removed = 0;
    for (Shard& shard : *shards_) {
        std::lock_guard lock(shard.mu);
        for (Shard::Slot* s = shard.tail; s != nullptr;) {
            Shard::Slot* prev = s->prev;
            if (s->tat <= now_ns) {
                shard.Erase(s);
                ++removed;
            }
            s = prev;
        }
    }
    return removed;
}

std::size_t GcraLimiter::Size() const {
    std::size_t n = 0;
    for (Shard& shard : *shards_) {
        std::lock_guard lock(shard.mu);
        n += shard.map.size();
    }
    return n;
}

}  // namespace gw::edge
