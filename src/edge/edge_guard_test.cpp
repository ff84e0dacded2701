#include "edge/edge_guard.hpp"

#include <gtest/gtest.h>

#include "edge/gcra_limiter.hpp"
#include "edge/internal/test_support.hpp"

namespace gw::edge {
namespace {

using namespace std::chrono_literals;
using testing::InstallGeoDatabase;
using testing::MakeRequest;
using testing::TempDir;
using testing::WriteFileAtomically;

const auto kT0 = std::chrono::steady_clock::time_point{} + 500h;

IpAddress Ip(std::string_view s) {
    return IpAddress::Parse(s).value();
}

std::string Header(const net::HttpResponse& r, std::string_view name) {
    for (const auto& [k, v] : r.headers) {
        if (k == name) {
            return v;
        }
    }
    return "<absent>";
}

EdgeOptions BaseOptions() {
    EdgeOptions o;
    o.client_address.trusted_proxies = {"10.0.0.0/8"};
    o.ip_filter.deny = {"192.0.2.0/24"};
    o.rate_limit.per_ip = RateLimitPolicy{1.0, 3};
    return o;
}

std::unique_ptr<EdgeGuard> MustCreate(const EdgeOptions& o, RateLimiter& limiter) {
    auto g = EdgeGuard::Create(o, limiter);
    EXPECT_TRUE(g) << (g ? "" : g.error().message);
    return g ? std::move(*g) : nullptr;
}

TEST(EdgeGuardTest, AdmitsAnOrdinaryRequestAndReportsItsRateLimit) {
    GcraLimiter limiter;
    auto guard = MustCreate(BaseOptions(), limiter);
    ASSERT_TRUE(guard);
    const auto v = guard->Evaluate(MakeRequest("198.51.100.1"), kT0);
    EXPECT_TRUE(v.allowed);
    EXPECT_EQ(v.reason, EdgeReason::kNone);
    EXPECT_EQ(v.client_ip, Ip("198.51.100.1"));
    ASSERT_TRUE(v.rate_limit);
    EXPECT_EQ(v.rate_limit->limit, 3);
    EXPECT_EQ(v.rate_limit->remaining, 2);
}

TEST(EdgeGuardTest, SpoofedForwardedForFromAnUntrustedPeerIsIgnored) {
    GcraLimiter limiter;
    auto guard = MustCreate(BaseOptions(), limiter);
    ASSERT_TRUE(guard);
    // A denied client pretends to be an allowed one: still denied.
    auto v = guard->Evaluate(MakeRequest("192.0.2.66", {{"X-Forwarded-For", "198.51.100.1"}}), kT0);
    EXPECT_FALSE(v.allowed);
    EXPECT_EQ(v.reason, EdgeReason::kIpDenied);
    EXPECT_EQ(v.client_ip, Ip("192.0.2.66"));
    // A client rotating fake X-Forwarded-For values is still limited as itself.
    for (int i = 0; i < 3; ++i) {
        const std::string fake = "203.0.113." + std::to_string(i);
        ASSERT_TRUE(guard->Evaluate(MakeRequest("198.51.100.9", {{"X-Forwarded-For", fake}}), kT0).allowed);
    }
    v = guard->Evaluate(MakeRequest("198.51.100.9", {{"X-Forwarded-For", "203.0.113.99"}}), kT0);
    EXPECT_FALSE(v.allowed);
    EXPECT_EQ(v.reason, EdgeReason::kRateLimited);
    EXPECT_EQ(v.client_ip, Ip("198.51.100.9"));
}

TEST(EdgeGuardTest, ForwardedForFromATrustedProxyDecides) {
    GcraLimiter limiter;
    auto guard = MustCreate(BaseOptions(), limiter);
    ASSERT_TRUE(guard);
    auto v = guard->Evaluate(MakeRequest("10.0.0.2", {{"X-Forwarded-For", "192.0.2.66"}}), kT0);
    EXPECT_FALSE(v.allowed);
    EXPECT_EQ(v.reason, EdgeReason::kIpDenied);
    EXPECT_EQ(v.detail, "deny_list");
    v = guard->Evaluate(MakeRequest("10.0.0.2", {{"X-Forwarded-For", "198.51.100.5"}}), kT0);
    EXPECT_TRUE(v.allowed);
    EXPECT_EQ(v.client_ip, Ip("198.51.100.5"));
    EXPECT_EQ(
        *guard->ClientAddress(MakeRequest("10.0.0.2", {{"X-Forwarded-For", "198.51.100.5"}})),
        Ip("198.51.100.5")
    );
}

TEST(EdgeGuardTest, RateLimitedRequestGets429WithRetryAfterAndRateLimitHeaders) {
    GcraLimiter limiter;
    auto guard = MustCreate(BaseOptions(), limiter);
    ASSERT_TRUE(guard);
    for (int i = 0; i < 3; ++i) {
        ASSERT_TRUE(guard->Evaluate(MakeRequest("198.51.100.1"), kT0).allowed);
    }
    const auto v = guard->Evaluate(MakeRequest("198.51.100.1"), kT0 + 100ms);
    ASSERT_FALSE(v.allowed);
    EXPECT_EQ(EdgeReasonName(v.reason), "rate_limited");
    const auto resp = RejectionResponse(v, "req-42");
    EXPECT_EQ(resp.status, 429);
    EXPECT_EQ(resp.content_type, "application/json");
    EXPECT_EQ(
        resp.body,
        R"({"error":{"code":"rate_limited","message":"rate limit exceeded","request_id":"req-42"}})"
    );
    EXPECT_EQ(Header(resp, "Retry-After"), "1");  // 900 ms, rounded up
    EXPECT_EQ(Header(resp, "RateLimit-Limit"), "3");
    EXPECT_EQ(Header(resp, "RateLimit-Remaining"), "0");
    EXPECT_EQ(Header(resp, "RateLimit-Reset"), "3");
    EXPECT_TRUE(guard->Evaluate(MakeRequest("198.51.100.1"), kT0 + 1s).allowed);
}

TEST(EdgeGuardTest, Ipv6ClientsShareTheirSlash64Bucket) {
    GcraLimiter limiter;
    auto guard = MustCreate(BaseOptions(), limiter);
    ASSERT_TRUE(guard);
    for (int i = 1; i <= 3; ++i) {
        ASSERT_TRUE(guard->Evaluate(MakeRequest("2001:db8:1:2::" + std::to_string(i)), kT0).allowed);
    }
    EXPECT_FALSE(guard->Evaluate(MakeRequest("2001:db8:1:2::ff"), kT0).allowed);
    EXPECT_TRUE(guard->Evaluate(MakeRequest("2001:db8:1:3::1"), kT0).allowed);
}

TEST(EdgeGuardTest, RouteLimitIsCheckedTogetherWithTheIpLimit) {
    GcraLimiter limiter;
    EdgeOptions o = BaseOptions();
    o.rate_limit.per_ip = RateLimitPolicy{100.0, 200};
    o.rate_limit.routes = {{"/v1/", RateLimitPolicy{100.0, 50}}, {"/v1/chat/", RateLimitPolicy{1.0, 2}}};
    auto guard = MustCreate(o, limiter);
    ASSERT_TRUE(guard);
    EXPECT_TRUE(guard->Evaluate(MakeRequest("198.51.100.1", {}, "/v1/chat/completions"), kT0).allowed);
    EXPECT_TRUE(guard->Evaluate(MakeRequest("198.51.100.1", {}, "/v1/chat/completions"), kT0).allowed);
    const auto v = guard->Evaluate(MakeRequest("198.51.100.1", {}, "/v1/chat/completions"), kT0);
    EXPECT_FALSE(v.allowed);
    EXPECT_EQ(v.rate_limit->limit, 2);
    // The denial charged nothing to the per-IP bucket (2 of 200 used).
    EXPECT_EQ(limiter.Check("ip:198.51.100.1", *o.rate_limit.per_ip, kT0, 0).remaining, 198);
    const auto other = guard->Evaluate(MakeRequest("198.51.100.1", {}, "/v1/models"), kT0);
    EXPECT_TRUE(other.allowed);
    EXPECT_EQ(other.rate_limit->limit, 50);  // the tighter of per-IP (197 left) and /v1/ (49 left)
}

TEST(EdgeGuardTest, SubjectLimitsApplyPerUserKeyAndTenant) {
    GcraLimiter limiter;
    EdgeOptions o = BaseOptions();
    o.rate_limit.per_user = RateLimitPolicy{1.0, 2};
    o.rate_limit.per_tenant = RateLimitPolicy{1.0, 3};
    o.rate_limit.per_api_key.reset();
    auto guard = MustCreate(o, limiter);
    ASSERT_TRUE(guard);
    EXPECT_TRUE(guard->CheckSubject({.api_key_id = "k1", .user = "alice", .tenant = "acme"}, kT0).allowed);
    EXPECT_TRUE(guard->CheckSubject({.api_key_id = "k1", .user = "alice", .tenant = "acme"}, kT0).allowed);
    auto v = guard->CheckSubject({.api_key_id = "k1", .user = "alice", .tenant = "acme"}, kT0);
    EXPECT_FALSE(v.allowed);
    EXPECT_EQ(v.detail, "principal");
    EXPECT_TRUE(guard->CheckSubject({.api_key_id = "", .user = "bob", .tenant = "acme"}, kT0).allowed);
    v = guard->CheckSubject({.api_key_id = "", .user = "carol", .tenant = "acme"}, kT0);
    EXPECT_FALSE(v.allowed);  // the tenant's burst of 3 is used up
    EXPECT_TRUE(guard->CheckSubject({}, kT0).allowed);
}

TEST(EdgeGuardTest, DisabledRateLimitingSkipsTheLimiter) {
    GcraLimiter limiter;
    EdgeOptions o = BaseOptions();
    o.rate_limit.enabled = false;
    auto guard = MustCreate(o, limiter);
    ASSERT_TRUE(guard);
    for (int i = 0; i < 10; ++i) {
        const auto v = guard->Evaluate(MakeRequest("198.51.100.1"), kT0);
        ASSERT_TRUE(v.allowed);
        EXPECT_FALSE(v.rate_limit);
    }
    EXPECT_EQ(limiter.Size(), 0U);
}

TEST(EdgeGuardTest, GeoBlockAndReputationBlockGive403WithoutChargingTheLimiter) {
    TempDir dir;
    ASSERT_TRUE(dir.ok());
    const std::string mmdb = dir.File("geo.mmdb");
    ASSERT_TRUE(InstallGeoDatabase(testing::kGeoBase, mmdb));
    const std::string rep = dir.File("rep.txt");
    ASSERT_TRUE(WriteFileAtomically(rep, "198.51.100.66 80 botnet\n"));
    GcraLimiter limiter;
    EdgeOptions o = BaseOptions();
    o.geo.database_file = mmdb;
    o.geo.block_countries = {"FR"};
    o.reputation.file = rep;
    auto guard = MustCreate(o, limiter);
    ASSERT_TRUE(guard);

    auto v = guard->Evaluate(MakeRequest("2001:db8::5"), kT0);
    EXPECT_FALSE(v.allowed);
    EXPECT_EQ(EdgeReasonName(v.reason), "geo_blocked");
    EXPECT_EQ(v.country, "FR");
    auto resp = RejectionResponse(v, "r1");
    EXPECT_EQ(resp.status, 403);
    EXPECT_EQ(
        resp.body, R"({"error":{"code":"permission_denied","message":"access denied","request_id":"r1"}})"
    );
    EXPECT_EQ(Header(resp, "Retry-After"), "<absent>");

    v = guard->Evaluate(MakeRequest("198.51.100.66"), kT0);
    EXPECT_FALSE(v.allowed);
    EXPECT_EQ(EdgeReasonName(v.reason), "reputation");
    EXPECT_EQ(v.reputation_score, 80);
    EXPECT_EQ(RejectionResponse(v, "r2").status, 403);

    v = guard->Evaluate(MakeRequest("1.2.3.4"), kT0);
    EXPECT_TRUE(v.allowed);
    EXPECT_EQ(v.country, "DE");
    EXPECT_EQ(limiter.Size(), 1U);  // only the admitted request reached the limiter
}

TEST(EdgeGuardTest, PollReloadsPicksUpANewReputationFile) {
    TempDir dir;
    const std::string rep = dir.File("rep.txt");
    ASSERT_TRUE(WriteFileAtomically(rep, "# empty\n"));
    GcraLimiter limiter;
    EdgeOptions o = BaseOptions();
    o.reputation.file = rep;
    o.reputation.reload_check_interval = 5s;
    auto guard = MustCreate(o, limiter);
    ASSERT_TRUE(guard);
    EXPECT_TRUE(guard->Evaluate(MakeRequest("198.51.100.7"), kT0).allowed);
    ASSERT_TRUE(WriteFileAtomically(rep, "198.51.100.0/24 99\n"));
    guard->PollReloads(kT0);
    EXPECT_EQ(guard->Evaluate(MakeRequest("198.51.100.7"), kT0).reason, EdgeReason::kReputation);
}

TEST(EdgeGuardTest, ConnectionCapsExemptTrustedProxies) {
    GcraLimiter limiter;
    EdgeOptions o = BaseOptions();
    o.connections.max_per_ip = 1;
    auto guard = MustCreate(o, limiter);
    ASSERT_TRUE(guard);
    auto a = guard->AcquireConnection(Ip("198.51.100.1"));
    ASSERT_TRUE(a);
    EXPECT_TRUE(a->holds_slot());
    EXPECT_FALSE(guard->AcquireConnection(Ip("198.51.100.1")));
    std::vector<ConnectionGuard> proxies;
    for (int i = 0; i < 10; ++i) {
        auto p = guard->AcquireConnection(Ip("10.0.0.2"));
        ASSERT_TRUE(p);
        proxies.push_back(std::move(*p));
    }
}

TEST(EdgeGuardTest, InvalidPeerAddressIsDenied) {
    GcraLimiter limiter;
    auto guard = MustCreate(BaseOptions(), limiter);
    ASSERT_TRUE(guard);
    const auto v = guard->Evaluate(MakeRequest("not-an-ip"), kT0);
    EXPECT_FALSE(v.allowed);
    EXPECT_EQ(v.detail, "bad_peer_address");
}

TEST(EdgeGuardTest, CreateReportsBadOptionsWithTheirYamlPath) {
    GcraLimiter limiter;
    auto expect_error = [&](const EdgeOptions& o, std::string_view path) {
        auto g = EdgeGuard::Create(o, limiter);
        ASSERT_FALSE(g) << path;
        EXPECT_NE(g.error().message.find(path), std::string::npos) << g.error().message;
    };
    EdgeOptions o = BaseOptions();
    o.client_address.trusted_proxies = {"10.0.0.1/8"};
    expect_error(o, "edge.client_address.trusted_proxies");
    o = BaseOptions();
    o.ip_filter.allow = {"nope"};
    expect_error(o, "edge.ip_filter.allow");
    o = BaseOptions();
    o.rate_limit.per_ip = RateLimitPolicy{100.0, 0};
    expect_error(o, "edge.rate_limit.per_ip.burst");
    o = BaseOptions();
    o.rate_limit.routes = {{"v1", RateLimitPolicy{}}};
    expect_error(o, "edge.rate_limit.routes[0].path_prefix");
    o = BaseOptions();
    o.geo.block_countries = {"DE"};
    expect_error(o, "edge.geo.database_file");
    o = BaseOptions();
    o.geo.database_file = "/nonexistent/geo.mmdb";
    expect_error(o, "edge.geo");
    o = BaseOptions();
    o.reputation.block_threshold = 0;
    expect_error(o, "edge.reputation.block_threshold");
    o = BaseOptions();
    o.client_address.max_hops = 65;
    expect_error(o, "edge.client_address.max_hops");
    EXPECT_TRUE(ValidateEdgeOptions(EdgeOptions{}));
}

}  // namespace
}  // namespace gw::edge
