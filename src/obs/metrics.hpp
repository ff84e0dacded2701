#pragma once
/// @file
/// @brief Metrics registry with Prometheus text exposition (format 0.0.4).
///
/// Threading: registration, `WithLabels` and rendering take locks (a mutex for the registry, a
/// shared_mutex per family); the metric objects they return are lock-free and stay valid for the
/// registry's lifetime, so hot paths look a child up once and cache the reference. Nothing is ever
/// unregistered. Callbacks and collectors run on the scraping thread, outside the registry lock,
/// possibly concurrently with each other; they must be thread-safe and must not block for long.

#include <algorithm>
#include <concepts>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "obs/metric_types.hpp"

namespace gw::obs {

/// Prometheus metric type as written on the `# TYPE` line. A gauge whose name ends in `_count`
/// (the brief's `openclaw_users_active_count` and friends) is written as `untyped`, because
/// `promtool check metrics` rejects the `_count` suffix on gauges; queries are unaffected.
enum class MetricType { kCounter, kGauge, kHistogram, kUntyped };

/// One label of a sample written by a collector.
struct Label {
    std::string_view name;
    std::string_view value;
};

/// Writes the sample lines of one family (the registry writes `# HELP` and `# TYPE`). Label values
/// are escaped (`\\`, `\"`, `\n`) and invalid UTF-8 is replaced by U+FFFD.
class SampleWriter {
public:
    SampleWriter(std::string& out, std::string_view family_name) noexcept : out_(out), name_(family_name) {}

    /// `family{labels} value`
    void Write(std::span<const Label> labels, double value);

    void Write(std::initializer_list<Label> labels, double value) { Write(AsSpan(labels), value); }

    /// Integers are written exactly (no rounding through double).
    template <std::integral I>
    void Write(std::initializer_list<Label> labels, I value) {
        WriteInt(AsSpan(labels), value);
    }

    template <std::integral I>
    void Write(std::span<const Label> labels, I value) {
        WriteInt(labels, value);
    }

    /// Cumulative `_bucket{...,le="…"}` lines including `+Inf`, then `_sum` and `_count`.
    void WriteHistogram(std::span<const Label> labels, const HistogramSnapshot& snapshot);

    void WriteHistogram(std::initializer_list<Label> labels, const HistogramSnapshot& snapshot) {
        WriteHistogram(AsSpan(labels), snapshot);
    }

private:
    static std::span<const Label> AsSpan(std::initializer_list<Label> l) { return {l.begin(), l.size()}; }

    void WriteInt(std::span<const Label> labels, std::int64_t value);
    void WriteInt(std::span<const Label> labels, std::uint64_t value);

    template <std::integral I>
    void WriteInt(std::span<const Label> labels, I value) {
        if constexpr (std::is_signed_v<I>) {
            WriteInt(labels, static_cast<std::int64_t>(value));
        } else {
            WriteInt(labels, static_cast<std::uint64_t>(value));
        }
    }

    void BeginSample(std::string_view suffix, std::span<const Label> labels, const Label* extra);

    std::string& out_;
    std::string_view name_;
};

/// The children of one labelled metric family, keyed by label values (rendered in that order).
template <class Metric>
class MetricFamily {
public:
    MetricFamily(std::vector<std::string> label_names, std::vector<double> bounds);

    /// The child for these label values (one per label name, GW_CHECKed), created on first use.
    /// The reference stays valid for the registry's lifetime. A hit takes only a shared lock and
    /// does not allocate; still, cache the reference on hot paths.
    Metric& WithLabels(std::span<const std::string_view> values);

    Metric& WithLabels(std::initializer_list<std::string_view> values) {
        return WithLabels(std::span<const std::string_view>(values.begin(), values.size()));
    }

    const std::vector<std::string>& LabelNames() const noexcept { return label_names_; }

    /// Calls `fn(label values, child)` for every child, in label-value order, under a shared lock.
    void ForEach(const std::function<void(std::span<const std::string>, const Metric&)>& fn) const;

private:
    struct KeyLess {
        using is_transparent = void;

        template <class A, class B>
        bool operator()(const A& a, const B& b) const noexcept {
            return std::lexicographical_compare(
                a.begin(),
                a.end(),
                b.begin(),
                b.end(),
                [](const auto& x, const auto& y) { return std::string_view(x) < std::string_view(y); }
            );
        }
    };

    std::vector<std::string> label_names_;
    std::vector<double> bounds_;  // histograms only
    mutable std::shared_mutex mutex_;
    std::map<std::vector<std::string>, std::unique_ptr<Metric>, KeyLess> children_;
};

using CounterFamily = MetricFamily<Counter>;
using GaugeFamily = MetricFamily<Gauge>;
using HistogramFamily = MetricFamily<Histogram>;
extern template class MetricFamily<Counter>;
extern template class MetricFamily<Gauge>;
extern template class MetricFamily<Histogram>;

/// Owns all metric families and renders them. Names must match `[a-z_][a-z0-9_]*`, counters must
/// end in `_total` and nothing else may; label names match `[a-z_][a-z0-9_]*`, do not start with
/// `__`, and histograms may not use `le`. Registering a name again with the same definition returns
/// the existing family; with a different type, help, labels or buckets it is a programming error
/// (GW_CHECK aborts). Collector-style registrations (callbacks) cannot be repeated.
class Registry {
public:
    using CollectFn = std::function<void(SampleWriter&)>;

    static constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

    Registry();
    ~Registry();
    Registry(const Registry&) = delete;
    Registry& operator=(const Registry&) = delete;

    CounterFamily& Counters(
        std::string_view name, std::string_view help, std::vector<std::string> label_names
    );
    GaugeFamily& Gauges(std::string_view name, std::string_view help, std::vector<std::string> label_names);
    HistogramFamily& Histograms(
        std::string_view name,
        std::string_view help,
        std::vector<std::string> label_names,
        std::vector<double> bounds
    );

    /// Label-less metrics; always rendered, also at zero.
    Counter& AddCounter(std::string_view name, std::string_view help);
    Gauge& AddGauge(std::string_view name, std::string_view help);
    Histogram& AddHistogram(std::string_view name, std::string_view help, std::vector<double> bounds);

    /// Label-less metrics whose value `fn` computes at scrape time.
    void AddCallbackCounter(std::string_view name, std::string_view help, std::function<double()> fn);
    void AddCallbackGauge(std::string_view name, std::string_view help, std::function<double()> fn);

    /// A custom family: `collect` writes all its samples at scrape time (see SampleWriter).
    void AddCollector(std::string_view name, std::string_view help, MetricType type, CollectFn collect);

    /// All families sorted by name, each with `# HELP` and `# TYPE` (also when it has no samples).
    std::string RenderPrometheus() const;

private:
    struct Entry;

    Entry& Register(
        std::string_view name,
        std::string_view help,
        MetricType type,
        std::vector<std::string> label_names,
        std::vector<double> bounds,
        CollectFn collect
    );

    mutable std::mutex mutex_;
    std::map<std::string, std::unique_ptr<Entry>, std::less<>> entries_;  // guarded by mutex_
};

}  // namespace gw::obs
