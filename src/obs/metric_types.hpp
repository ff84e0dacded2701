#pragma once
/// @file
/// @brief The three lock-free metric value types: Counter, Gauge and Histogram. Every operation on
/// them is a relaxed atomic (no locks, no allocation), so hot paths may call them from any thread.
/// Create them through `gw::obs::Registry` (metrics.hpp), which owns them and renders them.

#include <atomic>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace gw::obs {

/// Monotonic integer counter. Exposed as a Prometheus `counter` (its name must end in `_total`).
class Counter {
public:
    void Inc(std::uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }

    std::uint64_t Value() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::uint64_t> value_{0};
};

/// A value that goes up and down. Stored as a double; integers are exact up to 2^53.
/// The integer overloads exist so that `Set(5)` is not ambiguous between int64 and double.
class Gauge {
public:
    void Set(double v) noexcept { value_.store(v, std::memory_order_relaxed); }

    void Add(double v) noexcept { value_.fetch_add(v, std::memory_order_relaxed); }

    void Sub(double v) noexcept { value_.fetch_sub(v, std::memory_order_relaxed); }

    template <std::integral I>
    void Set(I v) noexcept {
        Set(static_cast<double>(v));
    }

    template <std::integral I>
    void Add(I v) noexcept {
        Add(static_cast<double>(v));
    }

    template <std::integral I>
    void Sub(I v) noexcept {
        Sub(static_cast<double>(v));
    }

    double Value() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<double> value_{0.0};
};

/// A consistent-enough copy of a histogram for rendering. `cumulative[i]` counts observations
/// `<= bounds[i]`; the last element is the `+Inf` bucket and equals `count`.
struct HistogramSnapshot {
    std::span<const double> bounds;
    std::vector<std::uint64_t> cumulative;  ///< bounds.size() + 1 entries
    std::uint64_t count = 0;
    double sum = 0.0;
};

/// Fixed-bucket histogram. Bucket upper bounds are given at construction (finite, strictly
/// increasing; checked with GW_CHECK); an implicit `+Inf` bucket follows. `Observe` is lock-free:
/// one binary search, one atomic bucket increment and one atomic add to the sum. A value equal to a
/// bound lands in that bound's bucket (Prometheus `le` semantics); NaN lands in `+Inf`.
class Histogram {
public:
    explicit Histogram(std::vector<double> bounds);

    Histogram(const Histogram&) = delete;
    Histogram& operator=(const Histogram&) = delete;

    void Observe(double v) noexcept;

    std::span<const double> Bounds() const noexcept { return bounds_; }

    /// Total number of observations (sum of all buckets).
    std::uint64_t Count() const noexcept;

    double Sum() const noexcept { return sum_.load(std::memory_order_relaxed); }

    /// Reads the buckets once; `count` is derived from them so `_count` always equals `+Inf`.
    HistogramSnapshot Snapshot() const;

private:
    std::vector<double> bounds_;
    std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // bounds_.size() + 1, non-cumulative
    std::atomic<double> sum_{0.0};
};

/// The request-latency buckets used by the gateway (seconds): 0.5 ms … 10 s.
std::vector<double> DefaultLatencyBuckets();

}  // namespace gw::obs
