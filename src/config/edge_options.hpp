#pragma once
/// @file
/// @brief Options of the edge guard (`edge:` section): client address resolution, IP allow/deny lists,
/// geo blocking, IP reputation, GCRA rate limits, daily token budgets and per-IP connection limits.
/// Plain structs with defaults; bound to YAML in internal/schema_edge.cpp. Structural checks
/// (ranges, enums) happen in config::Load; CIDR syntax and country codes are checked by
/// edge::ValidateEdgeOptions (called from edge::EdgeGuard::Create). The edge module re-exports these
/// names as gw::edge::* (src/edge/options.hpp).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gw::config {

/// GCRA parameters: a sustained `rate_per_second` and a `burst` (requests admitted at once from idle).
struct RateLimitPolicy {
    double rate_per_second = 100.0;
    std::int64_t burst = 200;
};

/// Which header trusted proxies use to report the client address.
enum class ForwardedHeader {
    kNone,           ///< ignore forwarding headers; the TCP peer is the client
    kXForwardedFor,  ///< `X-Forwarded-For` (HAProxy, nginx, most cloud LBs)
    kForwarded,      ///< RFC 7239 `Forwarded: for=...`
};

/// How the client address is derived from the TCP peer and proxy headers.
struct ClientAddressOptions {
    std::vector<std::string> trusted_proxies;  ///< CIDRs or IPs whose forwarding headers are believed
    ForwardedHeader header = ForwardedHeader::kXForwardedFor;
    std::size_t max_hops = 16;  ///< at most this many header entries are examined (right to left)
};

/// Static CIDR allow/deny lists.
struct IpFilterOptions {
    std::vector<std::string> allow;  ///< if non-empty, only these CIDRs may connect
    std::vector<std::string> deny;   ///< always refused (checked before `allow`)
};

/// Country blocking from a MaxMind database (reloaded when the file changes).
struct GeoOptions {
    std::string database_file;                 ///< MaxMind DB (.mmdb); empty = geo filtering off
    std::vector<std::string> block_countries;  ///< ISO 3166-1 alpha-2, e.g. "KP"
    std::vector<std::string> allow_countries;  ///< if non-empty, every other country is blocked
    bool block_unknown = false;                ///< block addresses the database has no country for
    std::chrono::seconds reload_check_interval{60};
};

/// IP reputation list; addresses scoring at least `block_threshold` are refused.
struct ReputationOptions {
    std::string file;  ///< `CIDR-or-IP score [comment]` lines; empty = reputation off
    int block_threshold = 50;
    std::chrono::seconds reload_check_interval{30};
};

/// A per-client limit for requests whose path starts with `path_prefix` (longest prefix wins).
struct RouteRateLimit {
    std::string path_prefix;
    RateLimitPolicy policy;
};

/// Request rate limits; a disengaged policy (`null`/`off` in YAML) switches that key kind off.
struct RateLimitOptions {
    bool enabled = true;
    std::optional<RateLimitPolicy> per_ip = RateLimitPolicy{};       ///< pre-auth, key "ip:<addr>"
    std::optional<RateLimitPolicy> per_api_key = RateLimitPolicy{};  ///< key "key:<id>"
    std::optional<RateLimitPolicy> per_user = RateLimitPolicy{};     ///< key "user:<id>"
    std::optional<RateLimitPolicy> per_tenant = RateLimitPolicy{};   ///< key "tenant:<id>"
    std::vector<RouteRateLimit> routes;                              ///< key "route:<prefix>|ip:<addr>"
    std::size_t max_keys =
        100'000;                  ///< in-process limiter capacity (~100 B per key; per-shard LRU beyond it)
    int ipv6_prefix_length = 64;  ///< IPv6 clients are keyed by this prefix (one /64 = one client)
};

/// Daily LLM token budgets per user and tenant.
struct TokenBudgetOptions {
    std::int64_t user_daily_tokens = 0;    ///< 0 = no per-user budget
    std::int64_t tenant_daily_tokens = 0;  ///< 0 = no per-tenant budget
    std::size_t max_keys = 100'000;        ///< in-process table capacity (fails closed beyond it)
};

/// Concurrent connection cap per client address.
struct ConnectionLimitOptions {
    std::size_t max_per_ip = 256;  ///< concurrent connections per client; 0 = unlimited
    int ipv6_prefix_length = 64;   ///< IPv6 peers are counted per this prefix
};

/// The whole `edge:` section.
struct EdgeOptions {
    ClientAddressOptions client_address;
    IpFilterOptions ip_filter;
    GeoOptions geo;
    ReputationOptions reputation;
    RateLimitOptions rate_limit;
    TokenBudgetOptions token_budget;
    ConnectionLimitOptions connections;
};

}  // namespace gw::config
