// The `edge:` section: client address, IP filter, geo, reputation, rate limits, token budgets,
// connection limits (config/edge_options.hpp). CIDR syntax is checked by edge::EdgeGuard::Create.

#include <chrono>
#include <cstdint>
#include <limits>

#include "config/internal/compound.hpp"
#include "config/internal/fields.hpp"
#include "config/internal/schema.hpp"
#include "config/internal/values.hpp"

namespace gw::config::internal {
namespace {

#define GW_CONFIG_REF(member) \
    [](auto& c) -> auto& {    \
        return c.member;      \
    }

constexpr std::int64_t kMaxInt64 = std::numeric_limits<std::int64_t>::max();

/// The edge module accepts at most this many forwarding hops (edge::kMaxForwardedHops).
constexpr std::int64_t kMaxForwardedHops = 64;

Codec<ForwardedHeader> ForwardedHeaderCodec() {
    Codec<ForwardedHeader> c;
    c.expected = "one of x-forwarded-for, forwarded, none";
    c.parse = [](std::string_view text) -> std::optional<ForwardedHeader> {
        if (text == "x-forwarded-for") {
            return ForwardedHeader::kXForwardedFor;
        }
        if (text == "forwarded") {
            return ForwardedHeader::kForwarded;
        }
        if (text == "none") {
            return ForwardedHeader::kNone;
        }
        return std::nullopt;
    };
    c.emit = [](YAML::Emitter& out, const ForwardedHeader& h) {
        switch (h) {
            case ForwardedHeader::kXForwardedFor:
                out << "x-forwarded-for";
                return;
            case ForwardedHeader::kForwarded:
                out << "forwarded";
                return;
            case ForwardedHeader::kNone:
                break;
        }
        out << "none";
    };
    return c;
}

Codec<std::string> CountryCodec() {
    Codec<std::string> c;
    c.expected = "an ISO 3166-1 alpha-2 country code (e.g. DE)";
    c.parse = [](std::string_view text) -> std::optional<std::string> {
        const auto letter = [](char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'); };
        if (text.size() != 2 || !letter(text[0]) || !letter(text[1])) {
            return std::nullopt;
        }
        return std::string(text);
    };
    c.emit = StringCodec().emit;
    return c;
}

Codec<std::string> PathPrefixCodec() {
    Codec<std::string> c;
    c.expected = "a URL path prefix starting with '/'";
    c.parse = [](std::string_view text) -> std::optional<std::string> {
        if (text.empty() || text.front() != '/') {
            return std::nullopt;
        }
        return std::string(text);
    };
    c.emit = StringCodec().emit;
    return c;
}

std::vector<FieldT<RateLimitPolicy>> PolicyFields() {
    return {
        Leaf<RateLimitPolicy>("rate_per_second", GW_CONFIG_REF(rate_per_second), PositiveNumberCodec()),
        Leaf<RateLimitPolicy>("burst", GW_CONFIG_REF(burst), IntCodec<std::int64_t>(1, kMaxInt64)),
    };
}

std::vector<FieldT<RouteRateLimit>> RouteFields() {
    return {
        Leaf<RouteRateLimit>("path_prefix", GW_CONFIG_REF(path_prefix), PathPrefixCodec()),
        Leaf<RouteRateLimit>("rate_per_second", GW_CONFIG_REF(policy.rate_per_second), PositiveNumberCodec()),
        Leaf<RouteRateLimit>("burst", GW_CONFIG_REF(policy.burst), IntCodec<std::int64_t>(1, kMaxInt64)),
    };
}

}  // namespace

Field EdgeSection() {
    const auto prefix_length = IntCodec<int>(0, 128);
    const auto reload = DurationCodec<std::chrono::seconds>(true);
    const auto strings = ListOf(StringCodec());
    const auto countries = ListOf(CountryCodec());
    const auto max_keys = IntCodec<std::size_t>(1, 1'000'000'000);
    return Section(
        "edge",
        {
            Section(
                "rate_limit",
                {
                    Leaf("enabled", GW_CONFIG_REF(edge.rate_limit.enabled), BoolCodec()),
                    OptionalSection<GatewayConfig>("per_ip", GW_CONFIG_REF(edge.rate_limit.per_ip), PolicyFields()),
                    OptionalSection<GatewayConfig>(
                        "per_api_key", GW_CONFIG_REF(edge.rate_limit.per_api_key), PolicyFields()
                    ),
                    OptionalSection<GatewayConfig>("per_user", GW_CONFIG_REF(edge.rate_limit.per_user), PolicyFields()),
                    OptionalSection<GatewayConfig>(
                        "per_tenant", GW_CONFIG_REF(edge.rate_limit.per_tenant), PolicyFields()
                    ),
                    SectionList<GatewayConfig>("routes", GW_CONFIG_REF(edge.rate_limit.routes), RouteFields()),
                    Leaf("max_keys", GW_CONFIG_REF(edge.rate_limit.max_keys), max_keys),
                    Leaf("ipv6_prefix_length", GW_CONFIG_REF(edge.rate_limit.ipv6_prefix_length), prefix_length),
                }
            ),
            Section(
                "client_address",
                {
                    ValueLeaf("trusted_proxies", GW_CONFIG_REF(edge.client_address.trusted_proxies), strings),
                    Leaf("header", GW_CONFIG_REF(edge.client_address.header), ForwardedHeaderCodec()),
                    Leaf(
                        "max_hops",
                        GW_CONFIG_REF(edge.client_address.max_hops),
                        IntCodec<std::size_t>(0, kMaxForwardedHops)
                    ),
                }
            ),
            Section(
                "ip_filter",
                {
                    ValueLeaf("allow", GW_CONFIG_REF(edge.ip_filter.allow), strings),
                    ValueLeaf("deny", GW_CONFIG_REF(edge.ip_filter.deny), strings),
                }
            ),
            Section(
                "geo",
                {
                    Leaf("database_file", GW_CONFIG_REF(edge.geo.database_file), StringCodec()),
                    ValueLeaf("block_countries", GW_CONFIG_REF(edge.geo.block_countries), countries),
                    ValueLeaf("allow_countries", GW_CONFIG_REF(edge.geo.allow_countries), countries),
                    Leaf("block_unknown", GW_CONFIG_REF(edge.geo.block_unknown), BoolCodec()),
                    Leaf("reload_check_interval", GW_CONFIG_REF(edge.geo.reload_check_interval), reload),
                }
            ),
            Section(
                "reputation",
                {
                    Leaf("file", GW_CONFIG_REF(edge.reputation.file), StringCodec()),
                    Leaf("block_threshold", GW_CONFIG_REF(edge.reputation.block_threshold), IntCodec<int>(1, 100)),
                    Leaf("reload_check_interval", GW_CONFIG_REF(edge.reputation.reload_check_interval), reload),
                }
            ),
            Section(
                "token_budget",
                {
                    Leaf(
                        "user_daily_tokens",
                        GW_CONFIG_REF(edge.token_budget.user_daily_tokens),
                        IntCodec<std::int64_t>(0, kMaxInt64)
                    ),
                    Leaf(
                        "tenant_daily_tokens",
                        GW_CONFIG_REF(edge.token_budget.tenant_daily_tokens),
                        IntCodec<std::int64_t>(0, kMaxInt64)
                    ),
                    Leaf("max_keys", GW_CONFIG_REF(edge.token_budget.max_keys), max_keys),
                }
            ),
            Section(
                "connections",
                {
                    Leaf(
                        "max_per_ip",
                        GW_CONFIG_REF(edge.connections.max_per_ip),
                        IntCodec<std::size_t>(0, 10'000'000)
                    ),
                    Leaf("ipv6_prefix_length", GW_CONFIG_REF(edge.connections.ipv6_prefix_length), prefix_length),
                }
            ),
        }
    );
}

#undef GW_CONFIG_REF

}  // namespace gw::config::internal
