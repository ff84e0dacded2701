#include "obs/gateway_metrics.hpp"

#include <atomic>
#include <charconv>
#include <iterator>
#include <vector>

namespace gw::obs {
namespace internal {

/// Request counters and per-method latency histograms. Owned jointly by GatewayMetrics and the
/// registry's collectors, so a scrape after GatewayMetrics is gone still reads valid memory.
struct RequestStats {
    static constexpr int kMinStatus = 100;
    static constexpr int kMaxStatus = 599;
    static constexpr std::size_t kOtherStatus = kMaxStatus - kMinStatus + 1;  // last slot
    static constexpr std::size_t kStatusSlots = kOtherStatus + 1;

    static std::size_t StatusSlot(int status) noexcept {
        return status >= kMinStatus && status <= kMaxStatus ? static_cast<std::size_t>(status - kMinStatus)
                                                            : kOtherStatus;
    }

    RequestStats() {
        durations.reserve(kRequestMethods.size());
        for (std::size_t i = 0; i < kRequestMethods.size(); ++i) {
            durations.push_back(std::make_unique<Histogram>(DefaultLatencyBuckets()));
        }
    }

    std::array<std::array<std::atomic<std::uint64_t>, kStatusSlots>, kRequestMethods.size()> counts{};
    std::vector<std::unique_ptr<Histogram>> durations;  // one per kRequestMethods entry
};

}  // namespace internal

namespace {

using internal::RequestStats;

void CollectRequests(const RequestStats& stats, SampleWriter& w) {
    for (std::size_t m = 0; m < kRequestMethods.size(); ++m) {
        for (std::size_t s = 0; s < RequestStats::kStatusSlots; ++s) {
            std::uint64_t n = stats.counts[m][s].load(std::memory_order_relaxed);
            if (n == 0)
                continue;
            char buf[8];
            std::string_view status = "other";
            if (s != RequestStats::kOtherStatus) {
                auto res = std::to_chars(
                    std::begin(buf), std::end(buf), static_cast<int>(s) + RequestStats::kMinStatus
                );
                status = std::string_view(buf, static_cast<std::size_t>(res.ptr - buf));
            }
            w.Write({{"method", kRequestMethods[m]}, {"status", status}}, n);
        }
    }
}

void CollectDurations(const RequestStats& stats, SampleWriter& w) {
    for (std::size_t m = 0; m < kRequestMethods.size(); ++m) {
        HistogramSnapshot snap = stats.durations[m]->Snapshot();
        if (snap.count == 0)
            continue;
        w.WriteHistogram({{"method", kRequestMethods[m]}}, snap);
    }
}

}  // namespace

GatewayMetrics::GatewayMetrics(Registry& registry, std::string_view version)
    : requests_(std::make_shared<RequestStats>()),
      unhandled_exceptions_(registry.AddCounter(
          "openclaw_unhandled_exceptions_total", "Exceptions caught by a top-level request or task handler."
      )),
      messages_processed_(
          registry.AddCounter("openclaw_messages_processed_total", "Chat messages processed by the gateway.")
      ),
      connections_open_(
          registry.AddGauge("openclaw_connections_open", "Open client connections (HTTP and WS).")
      ),
      users_active_(
          registry.AddGauge("openclaw_users_active_count", "Users with an active session or connection.")
      ),
      channel_connections_(registry.AddGauge(
          "openclaw_channel_connections_count", "Connected channel adapters (Slack, Telegram, webchat, ...)."
      )),
      sessions_active_(registry.AddGauge("openclaw_sessions_active_count", "Active chat sessions.")) {
    registry.AddCollector(
        "openclaw_requests_total",
        "HTTP requests served, by method and status code.",
        MetricType::kCounter,
        [stats = requests_](SampleWriter& w) { CollectRequests(*stats, w); }
    );
    registry.AddCollector(
        "openclaw_request_duration_seconds",
        "HTTP request duration in seconds, by method.",
        MetricType::kHistogram,
        [stats = requests_](SampleWriter& w) { CollectDurations(*stats, w); }
    );
    auto& errors = registry.Counters("openclaw_errors_total", "Errors, by reason.", {"reason"});
    for (std::size_t i = 0; i < kErrorReasons.size(); ++i) {
        errors_[i] = &errors.WithLabels({kErrorReasons[i]});
    }
    registry.Gauges("openclaw_build_info", "Build information; the value is always 1.", {"version"})
        .WithLabels({version})
        .Set(1);
}

GatewayMetrics::~GatewayMetrics() = default;

std::size_t GatewayMetrics::MethodIndex(std::string_view method) noexcept {
    for (std::size_t i = 0; i + 1 < kRequestMethods.size(); ++i) {
        if (kRequestMethods[i] == method)
            return i;
    }
    return kRequestMethods.size() - 1;
}

std::size_t GatewayMetrics::ErrorReasonIndex(std::string_view reason) noexcept {
    for (std::size_t i = 0; i + 1 < kErrorReasons.size(); ++i) {
        if (kErrorReasons[i] == reason)
            return i;
    }
    return kErrorReasons.size() - 1;
}

std::string_view GatewayMetrics::ErrorReasonFor(ErrorCode code) noexcept {
    switch (code) {
        case ErrorCode::kInvalidArgument:
            return "bad_request";
        case ErrorCode::kUnauthenticated:
            return "unauthenticated";
        case ErrorCode::kPermissionDenied:
            return "forbidden";
        case ErrorCode::kNotFound:
            return "not_found";
        case ErrorCode::kConflict:
            return "conflict";
        case ErrorCode::kRateLimited:
            return "rate_limited";
        case ErrorCode::kUnavailable:
            return "unavailable";
        case ErrorCode::kDeadlineExceeded:
            return "timeout";
        case ErrorCode::kUpstreamError:
            return "upstream";
        case ErrorCode::kInternal:
            return "internal";
    }
    return "other";
}

void GatewayMetrics::RecordRequest(std::string_view method, int status, double seconds) noexcept {
    std::size_t m = MethodIndex(method);
    requests_->counts[m][RequestStats::StatusSlot(status)].fetch_add(1, std::memory_order_relaxed);
    requests_->durations[m]->Observe(seconds);
}

void GatewayMetrics::RecordError(std::string_view reason) noexcept {
    errors_[ErrorReasonIndex(reason)]->Inc();
}

void GatewayMetrics::RecordError(ErrorCode code) noexcept {
    RecordError(ErrorReasonFor(code));
}

void GatewayMetrics::ConnectionOpened() noexcept {
    connections_open_.Add(1);
}

void GatewayMetrics::ConnectionClosed() noexcept {
    connections_open_.Sub(1);
}

void GatewayMetrics::MessageProcessed(std::uint64_t n) noexcept {
    messages_processed_.Inc(n);
}

void GatewayMetrics::UnhandledException() noexcept {
    unhandled_exceptions_.Inc();
}

void GatewayMetrics::SetUsersActive(std::int64_t n) noexcept {
    users_active_.Set(n);
}

void GatewayMetrics::SetChannelConnections(std::int64_t n) noexcept {
    channel_connections_.Set(n);
}

void GatewayMetrics::SetSessionsActive(std::int64_t n) noexcept {
    sessions_active_.Set(n);
}

}  // namespace gw::obs
