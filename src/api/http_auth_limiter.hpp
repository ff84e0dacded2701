#pragma once
/// @file
/// @brief HttpAuthLimiter: counts failed authentication attempts per client IP in a sliding window and
/// locks an IP out for a while once it reaches the cap (OpenClaw's failed-auth limiting: 10 per 60 s →
/// 5 min for the gateway bearer, 20 per 60 s → 60 s for hook tokens). Shared by HTTP and WebSocket auth.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace gw::api {

struct HttpAuthLimiterOptions {
    std::size_t max_failures = 10;               ///< failures within `window` that trigger a lockout
    std::chrono::milliseconds window{60'000};    ///< sliding window of counted failures
    std::chrono::milliseconds lockout{300'000};  ///< how long a locked-out IP is refused
    bool exempt_loopback = true;                 ///< 127.0.0.0/8, ::1 and ::ffff:127.x are never limited
    std::size_t max_tracked_ips = 100'000;       ///< memory bound; oldest entries are dropped beyond it
};

/// Thread-safe (one mutex, never held across an await). The clock is injectable for tests.
class HttpAuthLimiter {
public:
    using Clock = std::function<std::chrono::steady_clock::time_point()>;

    explicit HttpAuthLimiter(HttpAuthLimiterOptions options = {}, Clock clock = {});
    ~HttpAuthLimiter();
    HttpAuthLimiter(const HttpAuthLimiter&) = delete;
    HttpAuthLimiter& operator=(const HttpAuthLimiter&) = delete;

    /// The gateway bearer policy: 10 failures / 60 s → 5 min lockout, loopback exempt.
    static HttpAuthLimiterOptions GatewayDefaults();
    /// The hook token policy: 20 failures / 60 s → 60 s lockout (loopback not exempt).
    static HttpAuthLimiterOptions HookDefaults();

    /// When `ip` is locked out: the time left (rounded up to whole seconds, at least 1) for Retry-After.
    std::optional<std::chrono::seconds> RetryAfter(std::string_view ip) const;

    /// Counts one failure. Returns the lockout left when this failure (or an earlier one) locked `ip` out.
    std::optional<std::chrono::seconds> RecordFailure(std::string_view ip);

    /// A successful authentication clears the failures of `ip` (not an active lockout).
    void RecordSuccess(std::string_view ip);

    /// Number of IPs currently tracked (tests, metrics).
    std::size_t TrackedIps() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// True for loopback client addresses: 127.0.0.0/8, ::1, ::ffff:127.x.y.z (textual form as HttpRequest
/// carries it).
bool IsLoopbackAddress(std::string_view ip) noexcept;

}  // namespace gw::api
