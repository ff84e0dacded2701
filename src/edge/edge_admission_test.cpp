#include "edge/edge_admission.hpp"

#include <memory>
#include <string>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "edge/internal/test_support.hpp"

namespace gw::edge {
namespace {

using namespace std::chrono_literals;
using testing::MakeRequest;
using testing::TempDir;
using testing::WriteFileAtomically;

std::optional<std::string> Header(
    const std::vector<std::pair<std::string, std::string>>& headers, std::string_view name
) {
    for (const auto& [k, v] : headers) {
        if (k == name) {
            return v;
        }
    }
    return std::nullopt;
}

/// A manual clock shared with the admission.
struct FakeClock {
    std::chrono::steady_clock::time_point now = std::chrono::steady_clock::time_point{} + 1000h;
};

class EdgeAdmissionTest : public ::testing::Test {
protected:
    std::shared_ptr<EdgeAdmission> Make(const EdgeOptions& options) {
        EdgeAdmissionSettings settings;
        settings.clock = [this] { return clock_.now; };
        auto created = EdgeAdmission::Create(options, registry_, std::move(settings));
        EXPECT_TRUE(created) << (created ? "" : created.error().message);
        return created ? std::move(*created) : nullptr;
    }

    std::string Metrics() const { return registry_.RenderPrometheus(); }

    obs::Registry registry_;
    FakeClock clock_;
};

EdgeOptions TinyRate() {
    EdgeOptions o;
    o.rate_limit.per_ip = RateLimitPolicy{1.0, 2};
    return o;
}

TEST_F(EdgeAdmissionTest, RefusesADeniedPeerAtAcceptAndCountsIt) {
    EdgeOptions o;
    o.ip_filter.deny = {"192.0.2.0/24"};
    auto adm = Make(o);
    ASSERT_TRUE(adm);
    EXPECT_FALSE(adm->OnAccept("192.0.2.7").allowed);
    EXPECT_TRUE(adm->OnAccept("198.51.100.7").allowed);
    EXPECT_FALSE(adm->OnAccept("not-an-ip").allowed);
    EXPECT_EQ(adm->Rejections(EdgeReason::kIpDenied), 2U);
    EXPECT_NE(Metrics().find(R"(openclaw_edge_rejections_total{reason="ip_denied"} 2)"), std::string::npos)
        << Metrics();
    EXPECT_NE(
        Metrics().find(R"(openclaw_edge_rejections_total{reason="rate_limited"} 0)"), std::string::npos
    );
}

TEST_F(EdgeAdmissionTest, CapsConnectionsPerIpUntilATicketIsReleased) {
    EdgeOptions o;
    o.connections.max_per_ip = 2;
    auto adm = Make(o);
    ASSERT_TRUE(adm);
    auto a = adm->OnAccept("198.51.100.1");
    auto b = adm->OnAccept("198.51.100.1");
    ASSERT_TRUE(a.allowed && b.allowed);
    EXPECT_TRUE(a.ticket && b.ticket);
    EXPECT_FALSE(adm->OnAccept("198.51.100.1").allowed);
    EXPECT_TRUE(adm->OnAccept("198.51.100.2").allowed);  // another client has its own cap
    EXPECT_EQ(adm->Rejections(EdgeReason::kConnectionLimit), 1U);
    a.ticket.reset();
    EXPECT_TRUE(adm->OnAccept("198.51.100.1").allowed);
}

TEST_F(EdgeAdmissionTest, TrustedProxyIsExemptFromTheCapAndTheAcceptFilters) {
    EdgeOptions o;
    o.connections.max_per_ip = 1;
    o.client_address.trusted_proxies = {"10.0.0.0/8"};
    o.ip_filter.allow = {"198.51.100.0/24"};
    auto adm = Make(o);
    ASSERT_TRUE(adm);
    for (int i = 0; i < 5; ++i) {
        EXPECT_TRUE(adm->OnAccept("10.1.2.3").allowed);
    }
    EXPECT_FALSE(adm->OnAccept("203.0.113.1").allowed);  // not in the allow list
    // Behind the proxy, the forwarded client is filtered per request.
    auto outsider = MakeRequest("10.1.2.3", {{"X-Forwarded-For", "203.0.113.1"}});
    const auto d = adm->OnRequest(outsider);
    ASSERT_TRUE(d.reject);
    EXPECT_EQ(d.reject->status, 403);
    EXPECT_EQ(outsider.client_ip, "203.0.113.1");
    auto insider = MakeRequest("10.1.2.3", {{"X-Forwarded-For", "198.51.100.5"}});
    EXPECT_FALSE(adm->OnRequest(insider).reject);
    EXPECT_EQ(insider.client_ip, "198.51.100.5");
}

TEST_F(EdgeAdmissionTest, RequestsOverTheBurstGet429WithRetryAfterAndRateLimitHeaders) {
    auto adm = Make(TinyRate());
    ASSERT_TRUE(adm);
    for (int i = 0; i < 2; ++i) {
        auto req = MakeRequest("198.51.100.1");
        const auto d = adm->OnRequest(req);
        ASSERT_FALSE(d.reject) << i;
        EXPECT_EQ(Header(d.headers, "RateLimit-Limit"), "2");
        EXPECT_EQ(Header(d.headers, "RateLimit-Remaining"), std::to_string(1 - i));
        EXPECT_FALSE(Header(d.headers, "Retry-After"));
    }
    auto req = MakeRequest("198.51.100.1");
    const auto d = adm->OnRequest(req);
    ASSERT_TRUE(d.reject);
    EXPECT_EQ(d.reject->status, 429);
    EXPECT_EQ(Header(d.reject->headers, "Retry-After"), "1");
    EXPECT_EQ(Header(d.reject->headers, "RateLimit-Limit"), "2");
    EXPECT_EQ(Header(d.reject->headers, "RateLimit-Remaining"), "0");
    EXPECT_TRUE(Header(d.reject->headers, "RateLimit-Reset"));
    const auto body = boost::json::parse(d.reject->body).as_object().at("error").as_object();
    EXPECT_EQ(body.at("code").as_string(), "rate_limited");
    EXPECT_EQ(body.at("request_id").as_string(), "req-1");
    EXPECT_EQ(adm->Rejections(EdgeReason::kRateLimited), 1U);
    clock_.now += 1s;  // one token back
    auto later = MakeRequest("198.51.100.1");
    EXPECT_FALSE(adm->OnRequest(later).reject);
}

TEST_F(EdgeAdmissionTest, HealthAndMetricsRoutesAreNotRateLimitedButStillFiltered) {
    EdgeOptions o = TinyRate();
    o.ip_filter.deny = {"192.0.2.0/24"};
    auto adm = Make(o);
    ASSERT_TRUE(adm);
    for (int i = 0; i < 2; ++i) {
        auto req = MakeRequest("198.51.100.1");
        ASSERT_FALSE(adm->OnRequest(req).reject);
    }
    for (const char* path : {"/health", "/readyz", "/metrics", "/health", "/health"}) {
        auto probe = MakeRequest("198.51.100.1", {}, path);
        const auto d = adm->OnRequest(probe);
        EXPECT_FALSE(d.reject) << path;
        EXPECT_FALSE(Header(d.headers, "RateLimit-Limit")) << path;
    }
    auto limited = MakeRequest("198.51.100.1", {}, "/healthzz");  // exact paths only
    EXPECT_TRUE(adm->OnRequest(limited).reject);
    auto denied = MakeRequest("192.0.2.1", {}, "/health");
    const auto d = adm->OnRequest(denied);
    ASSERT_TRUE(d.reject);
    EXPECT_EQ(d.reject->status, 403);
}

TEST_F(EdgeAdmissionTest, ForwardedClientsGetTheirOwnBucketsOnlyBehindATrustedProxy) {
    EdgeOptions o = TinyRate();
    o.client_address.trusted_proxies = {"10.0.0.1"};
    auto adm = Make(o);
    ASSERT_TRUE(adm);
    auto send = [&](const std::string& peer, const std::string& xff) {
        auto req = MakeRequest(peer, {{"X-Forwarded-For", xff}});
        const bool ok = !adm->OnRequest(req).reject;
        return std::make_pair(ok, req.client_ip);
    };
    // Untrusted peer: the header is ignored, all its "clients" share the peer's bucket.
    EXPECT_EQ(send("198.51.100.9", "203.0.113.1"), std::make_pair(true, std::string("198.51.100.9")));
    EXPECT_EQ(send("198.51.100.9", "203.0.113.2"), std::make_pair(true, std::string("198.51.100.9")));
    EXPECT_FALSE(send("198.51.100.9", "203.0.113.3").first);
    // Trusted proxy: every forwarded client has its own burst.
    for (const char* client : {"203.0.113.1", "203.0.113.2", "203.0.113.3"}) {
        EXPECT_TRUE(send("10.0.0.1", client).first) << client;
        EXPECT_TRUE(send("10.0.0.1", client).first) << client;
        EXPECT_FALSE(send("10.0.0.1", client).first) << client;
    }
}

TEST_F(EdgeAdmissionTest, ReputationFileBlocksAndReloadsWhenItChanges) {
    TempDir dir;
    ASSERT_TRUE(dir.ok());
    const std::string file = dir.File("reputation.txt");
    ASSERT_TRUE(WriteFileAtomically(file, "198.51.100.66 90 scanner\n"));
    EdgeOptions o;
    o.reputation.file = file;
    o.reputation.reload_check_interval = 0s;
    auto adm = Make(o);
    ASSERT_TRUE(adm);
    EXPECT_FALSE(adm->OnAccept("198.51.100.66").allowed);
    EXPECT_TRUE(adm->OnAccept("198.51.100.67").allowed);
    EXPECT_EQ(adm->Rejections(EdgeReason::kReputation), 1U);
    ASSERT_TRUE(WriteFileAtomically(file, "198.51.100.67 75\n"));
    adm->PollReloads(clock_.now + 1h);
    EXPECT_TRUE(adm->OnAccept("198.51.100.66").allowed);
    EXPECT_FALSE(adm->OnAccept("198.51.100.67").allowed);
}

TEST_F(EdgeAdmissionTest, TicketKeepsTheLimiterAliveAfterTheAdmissionIsGone) {
    EdgeOptions o;
    o.connections.max_per_ip = 1;
    auto adm = Make(o);
    ASSERT_TRUE(adm);
    auto accepted = adm->OnAccept("198.51.100.1");
    ASSERT_TRUE(accepted.ticket);
    adm.reset();
    accepted.ticket.reset();  // releases into the limiter the ticket kept alive (ASan checks this)
    SUCCEED();
}

TEST_F(EdgeAdmissionTest, InvalidOptionsAreReportedWithTheirPath) {
    EdgeOptions o;
    o.ip_filter.deny = {"10.0.0.1/8"};
    auto created = EdgeAdmission::Create(o, registry_);
    ASSERT_FALSE(created);
    EXPECT_NE(created.error().message.find("edge.ip_filter.deny"), std::string::npos)
        << created.error().message;
}

}  // namespace
}  // namespace gw::edge
