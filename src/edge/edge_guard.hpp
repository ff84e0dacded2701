#pragma once
/// @file
/// @brief `EdgeGuard`: the edge-defence façade. One call per request decides allow / 403 / 429 from
/// the client address (trusted proxies), the IP allow/deny lists, IP reputation, country and the rate
/// limits; another call applies the post-auth (API key, user, tenant) limits; connection caps guard
/// accepted sockets. `RejectionResponse` renders the JSON error.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "edge/cidr.hpp"
#include "edge/connection_limiter.hpp"
#include "edge/geo_filter.hpp"
#include "edge/ip_address.hpp"
#include "edge/ip_filter.hpp"
#include "edge/options.hpp"
#include "edge/rate_limiter.hpp"
#include "edge/reputation_list.hpp"
#include "net/http_types.hpp"

namespace gw::edge {

enum class EdgeReason { kNone, kIpDenied, kGeoBlocked, kReputation, kRateLimited, kConnectionLimit };

/// "" (allowed), "ip_denied", "geo_blocked", "reputation", "rate_limited", "connection_limit" — for
/// logs and metrics.
std::string_view EdgeReasonName(EdgeReason reason) noexcept;

struct EdgeVerdict {
    bool allowed = true;
    EdgeReason reason = EdgeReason::kNone;
    /// Static detail for logs: "deny_list", "not_in_allow_list", "bad_peer_address" (kIpDenied);
    /// "pre_auth" / "principal" (kRateLimited); otherwise "".
    std::string_view detail;
    IpAddress client_ip;                 ///< after trusted-proxy resolution
    std::string country;                 ///< set when geo filtering ran and the database knew it
    int reputation_score = 0;            ///< set when the reputation list ran
    std::optional<Decision> rate_limit;  ///< set when a limiter ran (for RateLimit-* headers on 2xx too)
};

/// Post-auth identities; empty fields are skipped.
struct RateLimitSubject {
    std::string_view api_key_id;
    std::string_view user;
    std::string_view tenant;
};

/// Checks `options` (what `EdgeGuard::Create` checks without opening files); errors carry the YAML
/// path, e.g. "edge.rate_limit.per_ip.burst: must be >= 1".
Result<void> ValidateEdgeOptions(const EdgeOptions& options);

/// Thread-safe; `Evaluate` and `CheckSubject` do no I/O and take only the limiter's shard locks.
/// The limiter is injected (in-process GCRA or, in cluster mode, a shared one) and must outlive the
/// guard.
class EdgeGuard {
public:
    /// Validates the options, parses the CIDR lists and opens the geo database and reputation file
    /// when configured. Errors are prefixed with the YAML path ("edge.geo: ...").
    static Result<std::unique_ptr<EdgeGuard>> Create(const EdgeOptions& options, RateLimiter& limiter);

    ~EdgeGuard();
    EdgeGuard(const EdgeGuard&) = delete;
    EdgeGuard& operator=(const EdgeGuard&) = delete;

    /// Pre-auth verdict, in this order: peer address valid → IP allow/deny → reputation → country →
    /// rate limits (per-IP and the longest matching route limit, checked together: a denial by one
    /// charges neither). Only the rate limits consume anything.
    EdgeVerdict Evaluate(const net::HttpRequest& request, std::chrono::steady_clock::time_point now) const;

    EdgeVerdict Evaluate(const net::HttpRequest& request) const {
        return Evaluate(request, std::chrono::steady_clock::now());
    }

    /// `Evaluate` without the rate limits (for exempt routes such as health probes): only the address
    /// checks run and nothing is consumed.
    EdgeVerdict EvaluateFilters(const net::HttpRequest& request) const;

    /// Accept-time check of a TCP peer: the allow/deny lists, reputation and country. A trusted proxy
    /// is always allowed here (its clients are checked per request, from the forwarded address).
    EdgeVerdict CheckConnection(const IpAddress& peer) const;

    /// Post-auth limits for the authenticated identity ("key:", "user:", "tenant:" keys, checked
    /// together). The verdict's client_ip is left unset.
    EdgeVerdict CheckSubject(const RateLimitSubject& subject, std::chrono::steady_clock::time_point now)
        const;

    /// The resolved client address of `request` (nullopt if the peer address is invalid).
    std::optional<IpAddress> ClientAddress(const net::HttpRequest& request) const;

    /// A connection slot for `peer` (the TCP peer: at accept time no header is known). Trusted
    /// proxies are exempt (an empty guard). nullopt = over the cap: close the connection.
    std::optional<ConnectionGuard> AcquireConnection(const IpAddress& peer);

    /// Reloads the geo database / reputation file if due and changed. File I/O: call it periodically
    /// from the blocking pool (e.g. every few seconds), never from an io thread.
    void PollReloads(std::chrono::steady_clock::time_point now);

    const GeoFilter* geo() const noexcept { return geo_.get(); }

    const ReputationList* reputation() const noexcept { return reputation_.get(); }

    /// True if `peer` is one of the configured trusted proxies.
    bool IsTrustedProxy(const IpAddress& peer) const noexcept { return trusted_proxies_.Contains(peer); }

private:
    EdgeGuard(const EdgeOptions& options, RateLimiter& limiter);

    /// The address checks (allow/deny, reputation, country) on `v.client_ip`; denies `v` on a hit.
    EdgeVerdict CheckAddress(EdgeVerdict v) const;
    /// Resolves the client of `request` and runs CheckAddress.
    EdgeVerdict ResolveAndCheck(const net::HttpRequest& request) const;

    EdgeOptions options_;
    RateLimiter& limiter_;
    CidrSet trusted_proxies_;
    IpFilter ip_filter_;
    std::unique_ptr<GeoFilter> geo_;
    std::unique_ptr<ReputationList> reputation_;
    ConnectionLimiter connections_;
    std::vector<RouteRateLimit> routes_;  // longest prefix first
};

/// The response for a rejected verdict: 403 `permission_denied` "access denied" (the specific reason
/// is not disclosed) or 429 `rate_limited` with `Retry-After` and `RateLimit-*`, via net::JsonError.
/// Precondition: `!verdict.allowed`.
net::HttpResponse RejectionResponse(const EdgeVerdict& verdict, std::string_view request_id);

}  // namespace gw::edge
