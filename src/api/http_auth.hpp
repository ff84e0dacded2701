#pragma once
/// @file
/// @brief Shared-secret bearer authentication of the HTTP API (`/v1/*`, `/tools/invoke`):
/// `Authorization: Bearer <auth.token or auth.password>`, compared in constant time, with per-IP
/// failed-auth limiting. With neither secret configured (loopback-only deployments) every request passes.

#include <chrono>
#include <optional>
#include <string_view>

#include "api/http_auth_limiter.hpp"
#include "config/options.hpp"
#include "net/http_types.hpp"

namespace gw::api {

/// The exact 401 body of the OpenClaw HTTP API.
inline constexpr std::string_view kUnauthorizedBody =
    R"({"error":{"message":"Unauthorized","type":"unauthorized"}})";

/// The client address limits and logs use: `client_ip` (set by the edge admission hook, e.g. from a
/// trusted proxy), else the TCP peer `remote_ip`.
std::string_view ClientIp(const net::HttpRequest& request) noexcept;

/// The credential of `Authorization: Bearer <x>` (scheme case-insensitive, surrounding spaces trimmed);
/// nullopt when the header is missing, uses another scheme or is empty.
std::optional<std::string_view> BearerToken(const net::HttpRequest& request);

/// Checks the gateway bearer. Thread-safe; `auth` and `limiter` must outlive it.
class GatewayBearerAuth {
public:
    GatewayBearerAuth(const config::AuthOptions& auth, HttpAuthLimiter& limiter)
        : auth_(auth), limiter_(limiter) {}

    /// nullopt: authorised. Otherwise the response to send: 429 + Retry-After while the client IP is
    /// locked out (checked before the credential), 401 kUnauthorizedBody for a missing or wrong one.
    std::optional<net::HttpResponse> Check(const net::HttpRequest& request) const;

    /// True when `token` equals the configured token or password (constant time).
    bool Matches(std::string_view token) const;

private:
    const config::AuthOptions& auth_;
    HttpAuthLimiter& limiter_;
};

/// 429 `{"error":{"message":"Too many failed authentication attempts","type":"rate_limited"}}` with
/// `Retry-After: <seconds>`.
net::HttpResponse TooManyAuthFailures(std::chrono::seconds retry_after);

}  // namespace gw::api
