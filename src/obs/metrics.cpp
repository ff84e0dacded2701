#include "obs/metrics.hpp"

#include <utility>

#include "base/check.hpp"
#include "obs/internal/prometheus_text.hpp"
#include "obs/log.hpp"

namespace gw::obs {

// ---------------------------------------------------------------------------------------------
// SampleWriter

void SampleWriter::BeginSample(std::string_view suffix, std::span<const Label> labels, const Label* extra) {
    out_ += name_;
    out_ += suffix;
    if (labels.empty() && extra == nullptr) {
        out_ += ' ';
        return;
    }
    out_ += '{';
    bool first = true;
    auto append = [&](const Label& l) {
        if (!first)
            out_ += ',';
        first = false;
        out_ += l.name;
        out_ += "=\"";
        internal::AppendLabelValue(out_, l.value);
        out_ += '"';
    };
    for (const auto& l : labels)
        append(l);
    if (extra != nullptr)
        append(*extra);
    out_ += "} ";
}

void SampleWriter::Write(std::span<const Label> labels, double value) {
    BeginSample({}, labels, nullptr);
    internal::AppendDouble(out_, value);
    out_ += '\n';
}

void SampleWriter::WriteInt(std::span<const Label> labels, std::int64_t value) {
    BeginSample({}, labels, nullptr);
    internal::AppendInt(out_, value);
    out_ += '\n';
}

void SampleWriter::WriteInt(std::span<const Label> labels, std::uint64_t value) {
    BeginSample({}, labels, nullptr);
    internal::AppendUint(out_, value);
    out_ += '\n';
}

void SampleWriter::WriteHistogram(std::span<const Label> labels, const HistogramSnapshot& snapshot) {
    std::string le;
    for (std::size_t i = 0; i < snapshot.cumulative.size(); ++i) {
        le.clear();
        if (i < snapshot.bounds.size()) {
            internal::AppendDouble(le, snapshot.bounds[i]);
        } else {
            le = "+Inf";
        }
        Label le_label{"le", le};
        BeginSample("_bucket", labels, &le_label);
        internal::AppendUint(out_, snapshot.cumulative[i]);
        out_ += '\n';
    }
    BeginSample("_sum", labels, nullptr);
    internal::AppendDouble(out_, snapshot.sum);
    out_ += '\n';
    BeginSample("_count", labels, nullptr);
    internal::AppendUint(out_, snapshot.count);
    out_ += '\n';
}

// ---------------------------------------------------------------------------------------------
// MetricFamily

template <class Metric>
MetricFamily<Metric>::MetricFamily(std::vector<std::string> label_names, std::vector<double> bounds)
    : label_names_(std::move(label_names)), bounds_(std::move(bounds)) {}

template <class Metric>
Metric& MetricFamily<Metric>::WithLabels(std::span<const std::string_view> values) {
    GW_CHECK(values.size() == label_names_.size(), "WithLabels: one value per label name is required");
    {
        std::shared_lock lock(mutex_);
        if (auto it = children_.find(values); it != children_.end()) {
            return *it->second;
        }
    }
    std::unique_lock lock(mutex_);
    auto it = children_.find(values);
    if (it == children_.end()) {
        std::unique_ptr<Metric> child;
        if constexpr (std::is_same_v<Metric, Histogram>) {
            child = std::make_unique<Histogram>(bounds_);
        } else {
            child = std::make_unique<Metric>();
        }
        it =
            children_.emplace(std::vector<std::string>(values.begin(), values.end()), std::move(child)).first;
    }
    return *it->second;
}

template <class Metric>
void MetricFamily<Metric>::ForEach(const std::function<void(std::span<const std::string>, const Metric&)>& fn
) const {
    std::shared_lock lock(mutex_);
    for (const auto& [values, child] : children_) {
        fn(values, *child);
    }
}

template class MetricFamily<Counter>;
template class MetricFamily<Gauge>;
template class MetricFamily<Histogram>;

// ---------------------------------------------------------------------------------------------
// Registry

struct Registry::Entry {
    std::string name;
    std::string help;
    MetricType type = MetricType::kUntyped;
    std::vector<std::string> label_names;
    std::vector<double> bounds;
    // Exactly one of these is set.
    std::unique_ptr<CounterFamily> counters;
    std::unique_ptr<GaugeFamily> gauges;
    std::unique_ptr<HistogramFamily> histograms;
    CollectFn collect;
};

namespace {

constexpr std::string_view kHistogramSuffixes[] = {"_bucket", "_sum", "_count"};

bool IsDerivedHistogramName(std::string_view name, std::string_view base) {
    for (auto suffix : kHistogramSuffixes) {
        if (name.size() == base.size() + suffix.size() && name.starts_with(base) && name.ends_with(suffix)) {
            return true;
        }
    }
    return false;
}

[[noreturn]] void RegistrationFailed(std::string_view name, const char* why) {
    Log(LogLevel::kCritical, "gw.obs", "invalid metric registration", {{"metric", name}, {"problem", why}});
    ::gw::detail::CheckFailed("valid metric registration", __FILE__, __LINE__, why);
}

template <class Metric>
std::vector<Label> MakeLabels(const MetricFamily<Metric>& family, std::span<const std::string> values) {
    std::vector<Label> labels;
    labels.reserve(values.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
        labels.push_back(Label{family.LabelNames()[i], values[i]});
    }
    return labels;
}

}  // namespace

Registry::Registry() = default;

Registry::~Registry() = default;

Registry::Entry& Registry::Register(
    std::string_view name,
    std::string_view help,
    MetricType type,
    std::vector<std::string> label_names,
    std::vector<double> bounds,
    CollectFn collect
) {
    std::lock_guard lock(mutex_);
    if (auto it = entries_.find(name); it != entries_.end()) {
        const Entry& e = *it->second;
        bool same = !collect && !e.collect && e.type == type && e.help == help &&
                    e.label_names == label_names && e.bounds == bounds;
        if (!same)
            RegistrationFailed(name, "metric registered twice with a different definition");
        return *it->second;
    }
    // These are programming errors: names and labels are compile-time constants of the caller.
    if (!internal::IsValidMetricName(name))
        RegistrationFailed(name, "metric name must match [a-z_][a-z0-9_]*");
    if ((type == MetricType::kCounter) != name.ends_with("_total") && type != MetricType::kUntyped) {
        RegistrationFailed(name, "counter names, and only they, end in _total");
    }
    for (const auto& l : label_names) {
        if (!internal::IsValidLabelName(l))
            RegistrationFailed(name, "label name must match [a-z_][a-z0-9_]*");
        if (type == MetricType::kHistogram && l == "le")
            RegistrationFailed(name, "histograms may not use label le");
    }
    for (const auto& [other, entry] : entries_) {
        bool clash = (entry->type == MetricType::kHistogram && IsDerivedHistogramName(name, other)) ||
                     (type == MetricType::kHistogram && IsDerivedHistogramName(other, name));
        if (clash)
            RegistrationFailed(name, "metric name clashes with a histogram's _bucket/_sum/_count series");
    }

    auto entry = std::make_unique<Entry>();
    entry->name = std::string(name);
    entry->help = std::string(help);
    entry->type = type;
    entry->label_names = label_names;
    entry->bounds = bounds;
    if (collect) {
        entry->collect = std::move(collect);
    } else if (type == MetricType::kCounter) {
        entry->counters = std::make_unique<CounterFamily>(std::move(label_names), std::vector<double>{});
    } else if (type == MetricType::kGauge) {
        entry->gauges = std::make_unique<GaugeFamily>(std::move(label_names), std::vector<double>{});
    } else {
        GW_CHECK(type == MetricType::kHistogram, "untyped metrics need a collector");
        Histogram validate(bounds);  // GW_CHECKs the bounds now, not on the first WithLabels
        entry->histograms = std::make_unique<HistogramFamily>(std::move(label_names), std::move(bounds));
    }
    auto [it, inserted] = entries_.emplace(std::string(name), std::move(entry));
    return *it->second;
}

CounterFamily& Registry::Counters(
    std::string_view name, std::string_view help, std::vector<std::string> label_names
) {
    return *Register(name, help, MetricType::kCounter, std::move(label_names), {}, nullptr).counters;
}

GaugeFamily& Registry::Gauges(
    std::string_view name, std::string_view help, std::vector<std::string> label_names
) {
    return *Register(name, help, MetricType::kGauge, std::move(label_names), {}, nullptr).gauges;
}

HistogramFamily& Registry::Histograms(
    std::string_view name,
    std::string_view help,
    std::vector<std::string> label_names,
    std::vector<double> bounds
) {
    return *Register(name, help, MetricType::kHistogram, std::move(label_names), std::move(bounds), nullptr)
                .histograms;
}

Counter& Registry::AddCounter(std::string_view name, std::string_view help) {
    return Counters(name, help, {}).WithLabels({});
}

Gauge& Registry::AddGauge(std::string_view name, std::string_view help) {
    return Gauges(name, help, {}).WithLabels({});
}

Histogram& Registry::AddHistogram(std::string_view name, std::string_view help, std::vector<double> bounds) {
    return Histograms(name, help, {}, std::move(bounds)).WithLabels({});
}

void Registry::AddCallbackCounter(std::string_view name, std::string_view help, std::function<double()> fn) {
    GW_CHECK(fn != nullptr, "callback counter needs a function");
    AddCollector(name, help, MetricType::kCounter, [fn = std::move(fn)](SampleWriter& w) {
        w.Write({}, fn());
    });
}

void Registry::AddCallbackGauge(std::string_view name, std::string_view help, std::function<double()> fn) {
    GW_CHECK(fn != nullptr, "callback gauge needs a function");
    AddCollector(name, help, MetricType::kGauge, [fn = std::move(fn)](SampleWriter& w) {
        w.Write({}, fn());
    });
}

void Registry::AddCollector(
    std::string_view name, std::string_view help, MetricType type, CollectFn collect
) {
    GW_CHECK(collect != nullptr, "collector needs a function");
    Register(name, help, type, {}, {}, std::move(collect));
}

std::string Registry::RenderPrometheus() const {
    std::vector<const Entry*> entries;
    {
        // Entries are never removed, so the pointers stay valid after the lock is released and
        // callbacks run without it (they may even register metrics).
        std::lock_guard lock(mutex_);
        entries.reserve(entries_.size());
        for (const auto& [name, entry] : entries_)
            entries.push_back(entry.get());
    }
    std::string out;
    out.reserve(entries.size() * 160);
    for (const Entry* e : entries) {
        out += "# HELP ";
        out += e->name;
        out += ' ';
        internal::AppendHelp(out, e->help);
        out += "\n# TYPE ";
        out += e->name;
        out += ' ';
        out += internal::TypeWord(e->type, e->name);
        out += '\n';
        SampleWriter w(out, e->name);
        if (e->collect) {
            e->collect(w);
        } else if (e->counters) {
            e->counters->ForEach([&](std::span<const std::string> values, const Counter& c) {
                w.Write(MakeLabels(*e->counters, values), c.Value());
            });
        } else if (e->gauges) {
            e->gauges->ForEach([&](std::span<const std::string> values, const Gauge& g) {
                w.Write(MakeLabels(*e->gauges, values), g.Value());
            });
        } else if (e->histograms) {
            e->histograms->ForEach([&](std::span<const std::string> values, const Histogram& h) {
                w.WriteHistogram(MakeLabels(*e->histograms, values), h.Snapshot());
            });
        }
    }
    return out;
}

}  // namespace gw::obs
