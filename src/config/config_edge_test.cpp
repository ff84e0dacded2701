#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "config/config_test_support.hpp"
#include "config/loader.hpp"

namespace gw::config {
namespace {

using namespace std::chrono_literals;
using testing::EnvOf;
using testing::LoadErrorOf;
using testing::LoadOkOf;

constexpr std::string_view kFullEdge = R"(edge:
  rate_limit:
    enabled: false
    per_ip: {rate_per_second: 2.5, burst: 10}
    per_api_key: off
    per_user: ~
    per_tenant: {burst: 7}
    routes:
      - {path_prefix: /v1/chat, rate_per_second: 0.5, burst: 3}
      - path_prefix: /hooks
        rate_per_second: 1
        burst: 1
    max_keys: 5000
    ipv6_prefix_length: 56
  client_address:
    trusted_proxies: [10.0.0.0/8, "192.168.1.1"]
    header: forwarded
    max_hops: 4
  ip_filter:
    allow: [0.0.0.0/0]
    deny:
      - 203.0.113.0/24
  geo:
    database_file: /var/lib/geo.mmdb
    block_countries: [KP, ir]
    allow_countries: []
    block_unknown: true
    reload_check_interval: 2m
  reputation:
    file: /etc/rep.txt
    block_threshold: 80
    reload_check_interval: 0s
  token_budget:
    user_daily_tokens: 100000
    tenant_daily_tokens: 0
    max_keys: 10
  connections:
    max_per_ip: 0
    ipv6_prefix_length: 48
)";

TEST(ConfigEdgeTest, DefaultsMatchTheEdgeModuleDefaults) {
    const auto cfg = LoadOkOf("");
    const EdgeOptions defaults;
    EXPECT_TRUE(cfg.edge.rate_limit.enabled);
    ASSERT_TRUE(cfg.edge.rate_limit.per_ip.has_value());
    EXPECT_EQ(cfg.edge.rate_limit.per_ip->burst, defaults.rate_limit.per_ip->burst);
    EXPECT_EQ(cfg.edge.client_address.header, ForwardedHeader::kXForwardedFor);
    EXPECT_EQ(cfg.edge.connections.max_per_ip, defaults.connections.max_per_ip);
    EXPECT_TRUE(cfg.edge.geo.database_file.empty());
}

TEST(ConfigEdgeTest, EveryEdgeKeyIsBound) {
    const auto cfg = LoadOkOf(std::string(kFullEdge));
    const auto& rl = cfg.edge.rate_limit;
    EXPECT_FALSE(rl.enabled);
    ASSERT_TRUE(rl.per_ip.has_value());
    EXPECT_DOUBLE_EQ(rl.per_ip->rate_per_second, 2.5);
    EXPECT_EQ(rl.per_ip->burst, 10);
    EXPECT_FALSE(rl.per_api_key.has_value());
    EXPECT_FALSE(rl.per_user.has_value());
    ASSERT_TRUE(rl.per_tenant.has_value());
    EXPECT_EQ(rl.per_tenant->burst, 7);
    EXPECT_DOUBLE_EQ(rl.per_tenant->rate_per_second, RateLimitPolicy{}.rate_per_second);  // kept default
    ASSERT_EQ(rl.routes.size(), 2U);
    EXPECT_EQ(rl.routes[0].path_prefix, "/v1/chat");
    EXPECT_DOUBLE_EQ(rl.routes[0].policy.rate_per_second, 0.5);
    EXPECT_EQ(rl.routes[0].policy.burst, 3);
    EXPECT_EQ(rl.routes[1].path_prefix, "/hooks");
    EXPECT_EQ(rl.max_keys, 5000U);
    EXPECT_EQ(rl.ipv6_prefix_length, 56);

    const auto& ca = cfg.edge.client_address;
    EXPECT_EQ(ca.trusted_proxies, (std::vector<std::string>{"10.0.0.0/8", "192.168.1.1"}));
    EXPECT_EQ(ca.header, ForwardedHeader::kForwarded);
    EXPECT_EQ(ca.max_hops, 4U);
    EXPECT_EQ(cfg.edge.ip_filter.allow, std::vector<std::string>{"0.0.0.0/0"});
    EXPECT_EQ(cfg.edge.ip_filter.deny, std::vector<std::string>{"203.0.113.0/24"});

    const auto& geo = cfg.edge.geo;
    EXPECT_EQ(geo.database_file, "/var/lib/geo.mmdb");
    EXPECT_EQ(geo.block_countries, (std::vector<std::string>{"KP", "ir"}));
    EXPECT_TRUE(geo.allow_countries.empty());
    EXPECT_TRUE(geo.block_unknown);
    EXPECT_EQ(geo.reload_check_interval, 120s);
    EXPECT_EQ(cfg.edge.reputation.file, "/etc/rep.txt");
    EXPECT_EQ(cfg.edge.reputation.block_threshold, 80);
    EXPECT_EQ(cfg.edge.reputation.reload_check_interval, 0s);
    EXPECT_EQ(cfg.edge.token_budget.user_daily_tokens, 100000);
    EXPECT_EQ(cfg.edge.token_budget.tenant_daily_tokens, 0);
    EXPECT_EQ(cfg.edge.token_budget.max_keys, 10U);
    EXPECT_EQ(cfg.edge.connections.max_per_ip, 0U);
    EXPECT_EQ(cfg.edge.connections.ipv6_prefix_length, 48);
}

TEST(ConfigEdgeTest, RenderedEdgeSectionLoadsBackUnchanged) {
    const auto first = LoadOkOf(std::string(kFullEdge));
    const auto text = RenderEffective(first);
    EXPECT_NE(text.find("per_api_key: off"), std::string::npos) << text;
    EXPECT_NE(text.find("header: forwarded"), std::string::npos) << text;
    auto second = LoadFromString(text, "rendered.yaml", EnvOf());
    ASSERT_TRUE(second) << second.error().message << "\n" << text;
    EXPECT_EQ(RenderEffective(*second), text);
    EXPECT_FALSE(second->edge.rate_limit.per_user.has_value());
    EXPECT_DOUBLE_EQ(second->edge.rate_limit.routes[0].policy.rate_per_second, 0.5);
}

TEST(ConfigEdgeTest, BadEdgeValuesNameTheirPathAndPosition) {
    EXPECT_EQ(
        LoadErrorOf("edge:\n  rate_limit:\n    per_ip: {rate_per_second: 0}\n"),
        "gw.yaml:3:31: edge.rate_limit.per_ip.rate_per_second: expected a number > 0, got '0'"
    );
    EXPECT_EQ(
        LoadErrorOf("edge:\n  rate_limit:\n    per_ip: sometimes\n"),
        "gw.yaml:3:13: edge.rate_limit.per_ip: expected a mapping, null or off, got 'sometimes'"
    );
    EXPECT_EQ(
        LoadErrorOf("edge:\n  rate_limit:\n    routes:\n      - {path_prefix: /a, brust: 2}\n"),
        "gw.yaml:4:27: edge.rate_limit.routes[0].brust: unknown key (expected one of: path_prefix, "
        "rate_per_second, burst); did you mean 'burst'?"
    );
    EXPECT_EQ(
        LoadErrorOf("edge:\n  rate_limit:\n    routes:\n      - {path_prefix: v1}\n"),
        "gw.yaml:4:23: edge.rate_limit.routes[0].path_prefix: expected a URL path prefix starting with "
        "'/', got 'v1'"
    );
    EXPECT_EQ(
        LoadErrorOf("edge:\n  client_address:\n    header: x-real-ip\n"),
        "gw.yaml:3:13: edge.client_address.header: expected one of x-forwarded-for, forwarded, none, got "
        "'x-real-ip'"
    );
    EXPECT_EQ(
        LoadErrorOf("edge:\n  geo:\n    database_file: g.mmdb\n    block_countries: [DE, GER]\n"),
        "gw.yaml:4:27: edge.geo.block_countries[1]: expected an ISO 3166-1 alpha-2 country code (e.g. DE), "
        "got 'GER'"
    );
    EXPECT_EQ(
        LoadErrorOf("edge:\n  connections:\n    ipv6_prefix_length: 129\n"),
        "gw.yaml:3:25: edge.connections.ipv6_prefix_length: expected an integer 0..128, got '129'"
    );
    EXPECT_EQ(
        LoadErrorOf("edge:\n  ip_filter:\n    allow: 10.0.0.0/8\n"),
        "gw.yaml:3:12: edge.ip_filter.allow: expected a sequence (each item a string), got '10.0.0.0/8'"
    );
    EXPECT_EQ(
        LoadErrorOf("edge:\n  reputation:\n    block_threshold: 0\n"),
        "gw.yaml:3:22: edge.reputation.block_threshold: expected an integer 1..100, got '0'"
    );
    EXPECT_EQ(
        LoadErrorOf("edge:\n  geo:\n    reload_check_interval: 1500ms\n"),
        "gw.yaml:3:28: edge.geo.reload_check_interval: expected a duration >= 0 in whole seconds (e.g. "
        "250ms, 5s, 2m, 1h; a plain integer means ms), got '1500ms'"
    );
}

TEST(ConfigEdgeTest, CrossFieldChecksPointAtTheOffendingEntry) {
    EXPECT_EQ(
        LoadErrorOf("edge:\n  geo:\n    block_countries: [KP]\n"),
        "gw.yaml:3:22: edge.geo.database_file: required when edge.geo.block_countries is set"
    );
    EXPECT_EQ(
        LoadErrorOf("edge:\n  rate_limit:\n    routes:\n      - {burst: 2}\n"),
        "gw.yaml:4:9: edge.rate_limit.routes[0].path_prefix: required"
    );
    EXPECT_EQ(
        LoadErrorOf("edge:\n  rate_limit:\n    routes:\n      - {path_prefix: /a}\n      - {path_prefix: /a}\n"),
        "gw.yaml:5:9: edge.rate_limit.routes[1].path_prefix: '/a' is already limited by routes[0]"
    );
}

}  // namespace
}  // namespace gw::config
