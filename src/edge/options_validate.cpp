#include <cmath>
#include <string>

#include "edge/cidr.hpp"
#include "edge/client_address.hpp"
#include "edge/edge_guard.hpp"

namespace gw::edge {
namespace {

Error At(const std::string& path, const std::string& what) {
    return MakeError(ErrorCode::kInvalidArgument, path + ": " + what);
}

Result<void> CheckPolicy(const RateLimitPolicy& p, const std::string& path) {
    if (!(p.rate_per_second > 0.0) || !std::isfinite(p.rate_per_second)) {
        return At(path + ".rate_per_second", "must be a positive number");
    }
    if (p.burst < 1) {
        return At(path + ".burst", "must be >= 1");
    }
    return Ok();
}

Result<void> CheckOptionalPolicy(const std::optional<RateLimitPolicy>& p, const std::string& path) {
    return p ? CheckPolicy(*p, path) : Ok();
}

Result<void> CheckCidrs(const std::vector<std::string>& list, const std::string& path) {
    auto parsed = CidrSet::Parse(list);
    if (!parsed) {
        return At(path, parsed.error().message);
    }
    return Ok();
}

Result<void> CheckPrefix(int prefix, const std::string& path) {
    if (prefix < 0 || prefix > 128) {
        return At(path, "must be 0..128");
    }
    return Ok();
}

Result<void> CheckCountries(const std::vector<std::string>& codes, const std::string& path) {
    for (std::size_t i = 0; i < codes.size(); ++i) {
        const auto& c = codes[i];
        const auto letter = [](char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'); };
        if (c.size() != 2 || !letter(c[0]) || !letter(c[1])) {
            return At(path + "[" + std::to_string(i) + "]", "'" + c + "' is not an ISO 3166-1 alpha-2 code");
        }
    }
    return Ok();
}

Result<void> CheckRateLimits(const RateLimitOptions& rl) {
    const std::string base = "edge.rate_limit";
    for (auto r :
         {CheckOptionalPolicy(rl.per_ip, base + ".per_ip"),
          CheckOptionalPolicy(rl.per_api_key, base + ".per_api_key"),
          CheckOptionalPolicy(rl.per_user, base + ".per_user"),
          CheckOptionalPolicy(rl.per_tenant, base + ".per_tenant"),
          CheckPrefix(rl.ipv6_prefix_length, base + ".ipv6_prefix_length")}) {
        if (!r) {
            return r;
        }
    }
    for (std::size_t i = 0; i < rl.routes.size(); ++i) {
        const std::string path = base + ".routes[" + std::to_string(i) + "]";
        if (rl.routes[i].path_prefix.empty() || rl.routes[i].path_prefix.front() != '/') {
            return At(path + ".path_prefix", "must start with '/'");
        }
        if (auto r = CheckPolicy(rl.routes[i].policy, path); !r) {
            return r;
        }
    }
    if (rl.max_keys < 1) {
        return At(base + ".max_keys", "must be >= 1");
    }
    return Ok();
}

}  // namespace

Result<void> ValidateEdgeOptions(const EdgeOptions& o) {
    if (auto r = CheckCidrs(o.client_address.trusted_proxies, "edge.client_address.trusted_proxies"); !r) {
        return r;
    }
    if (o.client_address.max_hops > kMaxForwardedHops) {
        return At("edge.client_address.max_hops", "must be <= " + std::to_string(kMaxForwardedHops));
    }
    if (auto r = CheckCidrs(o.ip_filter.allow, "edge.ip_filter.allow"); !r) {
        return r;
    }
    if (auto r = CheckCidrs(o.ip_filter.deny, "edge.ip_filter.deny"); !r) {
        return r;
    }
    if (auto r = CheckCountries(o.geo.block_countries, "edge.geo.block_countries"); !r) {
        return r;
    }
    if (auto r = CheckCountries(o.geo.allow_countries, "edge.geo.allow_countries"); !r) {
        return r;
    }
    const bool geo_rules =
        !o.geo.block_countries.empty() || !o.geo.allow_countries.empty() || o.geo.block_unknown;
    if (o.geo.database_file.empty() && geo_rules) {
        return At("edge.geo.database_file", "required when country rules are set");
    }
    if (o.reputation.block_threshold < 1 || o.reputation.block_threshold > 100) {
        return At("edge.reputation.block_threshold", "must be 1..100");
    }
    if (o.geo.reload_check_interval.count() < 0 || o.reputation.reload_check_interval.count() < 0) {
        return At("edge", "reload_check_interval must not be negative");
    }
    if (auto r = CheckRateLimits(o.rate_limit); !r) {
        return r;
    }
    if (o.token_budget.user_daily_tokens < 0 || o.token_budget.tenant_daily_tokens < 0) {
        return At("edge.token_budget", "daily token limits must be >= 0 (0 = no budget)");
    }
    if (o.token_budget.max_keys < 1) {
        return At("edge.token_budget.max_keys", "must be >= 1");
    }
    return CheckPrefix(o.connections.ipv6_prefix_length, "edge.connections.ipv6_prefix_length");
}

}  // namespace gw::edge
