#include "obs/metric_types.hpp"

#include <algorithm>
#include <cmath>

#include "base/check.hpp"

namespace gw::obs {

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      buckets_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1)) {
    for (std::size_t i = 0; i < bounds_.size(); ++i) {
        GW_CHECK(std::isfinite(bounds_[i]), "histogram bucket bounds must be finite (+Inf is implicit)");
        GW_CHECK(
            i == 0 || bounds_[i - 1] < bounds_[i], "histogram bucket bounds must be strictly increasing"
        );
    }
}

void Histogram::Observe(double v) noexcept {
    // lower_bound finds the first bound >= v, so a value equal to a bound counts in that bucket.
    // NaN compares false with everything; send it to +Inf explicitly (as the Go client does).
    std::size_t index =
        std::isnan(v)
            ? bounds_.size()
            : static_cast<std::size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin());
    buckets_[index].fetch_add(1, std::memory_order_relaxed);
    sum_.fetch_add(v, std::memory_order_relaxed);
}

std::uint64_t Histogram::Count() const noexcept {
    std::uint64_t total = 0;
    for (std::size_t i = 0; i <= bounds_.size(); ++i) {
        total += buckets_[i].load(std::memory_order_relaxed);
    }
    return total;
}

HistogramSnapshot Histogram::Snapshot() const {
    HistogramSnapshot snap;
    snap.bounds = bounds_;
    snap.cumulative.resize(bounds_.size() + 1);
    std::uint64_t running = 0;
    for (std::size_t i = 0; i <= bounds_.size(); ++i) {
        running += buckets_[i].load(std::memory_order_relaxed);
        snap.cumulative[i] = running;
    }
    snap.count = running;
    snap.sum = Sum();
    return snap;
}

std::vector<double> DefaultLatencyBuckets() {
    return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

}  // namespace gw::obs
