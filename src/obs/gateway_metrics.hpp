#pragma once
/// @file
/// @brief The gateway's fixed metric families (ARCHITECTURE.md §5), with allocation-free and
/// lock-free recording methods for the hot paths. Construct one per Registry (at startup).

#include <array>
#include <cstdint>
#include <memory>
#include <string_view>

#include "base/error.hpp"
#include "obs/metrics.hpp"

namespace gw::obs {

namespace internal {
struct RequestStats;
}  // namespace internal

/// Methods counted individually; anything else is counted as "other".
inline constexpr std::array<std::string_view, 8> kRequestMethods = {
    "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "other"};

/// The allowed `reason` values of `openclaw_errors_total`; anything else is counted as "other".
/// All of them are exported from startup at 0 so `rate()` and alerts work before the first error.
inline constexpr std::array<std::string_view, 15> kErrorReasons = {
    "bad_request",        // malformed request, invalid argument (ErrorCode::kInvalidArgument)
    "unauthenticated",    // missing/invalid credentials (kUnauthenticated)
    "forbidden",          // authenticated but not allowed (kPermissionDenied)
    "not_found",          // unknown route or resource (kNotFound)
    "conflict",           // state conflict (kConflict)
    "rate_limited",       // per-client quota exceeded (kRateLimited)
    "payload_too_large",  // body or frame over the configured limit
    "header_too_large",   // request line / headers over the limit
    "timeout",            // a deadline expired (kDeadlineExceeded)
    "tls_handshake",      // TLS handshake failed
    "upstream",           // LLM provider or other upstream failed (kUpstreamError)
    "unavailable",        // a dependency is down (kUnavailable)
    "overload",           // shed by connection/queue limits (503)
    "internal",           // bug or unexpected failure (kInternal)
    "other",              // anything not listed above
};

/// Families registered (names are fixed; dashboards and alerts query them):
/// - `openclaw_requests_total{method,status}` counter; method from kRequestMethods, status
///   "100".."599" or "other". A fixed array of atomics indexed [method][status], exported by a
///   collector that writes only non-zero cells (bounded: at most 8 × 501 series).
/// - `openclaw_request_duration_seconds{method}` histogram, DefaultLatencyBuckets(); a method
///   appears after its first request.
/// - `openclaw_errors_total{reason}` counter, reasons from kErrorReasons (all pre-created).
/// - `openclaw_unhandled_exceptions_total`, `openclaw_messages_processed_total` counters.
/// - `openclaw_connections_open` gauge; `openclaw_users_active_count`,
///   `openclaw_channel_connections_count`, `openclaw_sessions_active_count` gauges (TYPE
///   `untyped`, see MetricType); `openclaw_build_info{version}` gauge, always 1.
class GatewayMetrics {
public:
    /// Registers the families in `registry`, which must outlive this object. `version` is the
    /// build version for `openclaw_build_info` (pass the real one; "unknown" is a fallback).
    /// Registering twice in one registry aborts.
    explicit GatewayMetrics(Registry& registry, std::string_view version = "unknown");
    ~GatewayMetrics();
    GatewayMetrics(const GatewayMetrics&) = delete;
    GatewayMetrics& operator=(const GatewayMetrics&) = delete;

    /// One finished HTTP request. Lock-free and allocation-free; any thread.
    void RecordRequest(std::string_view method, int status, double seconds) noexcept;

    /// One error, by reason (see kErrorReasons; unknown reasons count as "other").
    void RecordError(std::string_view reason) noexcept;

    /// One error, by the reason that corresponds to `code`.
    void RecordError(ErrorCode code) noexcept;

    void ConnectionOpened() noexcept;
    void ConnectionClosed() noexcept;
    void MessageProcessed(std::uint64_t n = 1) noexcept;
    void UnhandledException() noexcept;
    void SetUsersActive(std::int64_t n) noexcept;
    void SetChannelConnections(std::int64_t n) noexcept;
    void SetSessionsActive(std::int64_t n) noexcept;

    /// Index into kRequestMethods (exact, case-sensitive match as HTTP methods are; else "other").
    static std::size_t MethodIndex(std::string_view method) noexcept;

    /// Index into kErrorReasons (unknown → "other").
    static std::size_t ErrorReasonIndex(std::string_view reason) noexcept;

    /// The kErrorReasons entry used for an ErrorCode.
    static std::string_view ErrorReasonFor(ErrorCode code) noexcept;

private:
    std::shared_ptr<internal::RequestStats> requests_;  // shared with the registry's collectors
    std::array<Counter*, kErrorReasons.size()> errors_{};
    Counter& unhandled_exceptions_;
    Counter& messages_processed_;
    Gauge& connections_open_;
    Gauge& users_active_;
    Gauge& channel_connections_;
    Gauge& sessions_active_;
};

}  // namespace gw::obs
