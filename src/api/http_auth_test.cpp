#include "api/http_auth.hpp"

#include <chrono>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "api/http_auth_limiter.hpp"
#include "api/openai_test_support.hpp"

namespace gw::api {
namespace {

using namespace std::chrono_literals;
using testing::RoutesFixture;

struct FakeClock {
    std::chrono::steady_clock::time_point now = std::chrono::steady_clock::time_point() + 1h;

    HttpAuthLimiter::Clock Fn() {
        return [this] { return now; };
    }
};

TEST(HttpAuthLimiterTest, LocksOutAfterTenFailuresUntilTheLockoutEnds) {
    FakeClock clock;
    HttpAuthLimiter limiter(HttpAuthLimiter::GatewayDefaults(), clock.Fn());
    for (int i = 0; i < 9; ++i) {
        EXPECT_FALSE(limiter.RecordFailure("10.0.0.1").has_value()) << i;
        EXPECT_FALSE(limiter.RetryAfter("10.0.0.1").has_value()) << i;
    }
    auto locked = limiter.RecordFailure("10.0.0.1");
    ASSERT_TRUE(locked.has_value());
    EXPECT_EQ(*locked, 300s);
    EXPECT_FALSE(limiter.RetryAfter("10.0.0.2").has_value());  // per IP
    clock.now += 299s + 500ms;
    ASSERT_TRUE(limiter.RetryAfter("10.0.0.1").has_value());
    EXPECT_EQ(*limiter.RetryAfter("10.0.0.1"), 1s);
    clock.now += 1s;
    EXPECT_FALSE(limiter.RetryAfter("10.0.0.1").has_value());
}

TEST(HttpAuthLimiterTest, FailuresOutsideTheWindowDoNotCount) {
    FakeClock clock;
    HttpAuthLimiter limiter(HttpAuthLimiter::GatewayDefaults(), clock.Fn());
    for (int i = 0; i < 9; ++i) {
        limiter.RecordFailure("10.0.0.1");
    }
    clock.now += 61s;
    EXPECT_FALSE(limiter.RecordFailure("10.0.0.1").has_value());
    EXPECT_FALSE(limiter.RetryAfter("10.0.0.1").has_value());
}

TEST(HttpAuthLimiterTest, SuccessClearsEarlierFailures) {
    FakeClock clock;
    HttpAuthLimiter limiter(HttpAuthLimiter::GatewayDefaults(), clock.Fn());
    for (int i = 0; i < 9; ++i) {
        limiter.RecordFailure("10.0.0.1");
    }
    limiter.RecordSuccess("10.0.0.1");
    EXPECT_FALSE(limiter.RecordFailure("10.0.0.1").has_value());
}

TEST(HttpAuthLimiterTest, LoopbackIsExemptForTheGatewayButNotForHooks) {
    FakeClock clock;
    HttpAuthLimiter gateway(HttpAuthLimiter::GatewayDefaults(), clock.Fn());
    HttpAuthLimiter hooks(HttpAuthLimiter::HookDefaults(), clock.Fn());
    for (int i = 0; i < 50; ++i) {
        gateway.RecordFailure("127.0.0.1");
        hooks.RecordFailure("127.0.0.1");
    }
    EXPECT_FALSE(gateway.RetryAfter("127.0.0.1").has_value());
    EXPECT_EQ(gateway.TrackedIps(), 0U);
    ASSERT_TRUE(hooks.RetryAfter("127.0.0.1").has_value());
    EXPECT_EQ(*hooks.RetryAfter("127.0.0.1"), 60s);
}

TEST(HttpAuthLimiterTest, TrackedIpsStayBounded) {
    FakeClock clock;
    HttpAuthLimiterOptions options;
    options.max_tracked_ips = 4;
    HttpAuthLimiter limiter(options, clock.Fn());
    for (int i = 0; i < 20; ++i) {
        clock.now += 1ms;
        limiter.RecordFailure("10.0.0." + std::to_string(i));
    }
    EXPECT_LE(limiter.TrackedIps(), 4U);
}

TEST(HttpAuthLimiterTest, RecognisesLoopbackAddresses) {
    EXPECT_TRUE(IsLoopbackAddress("127.0.0.1"));
    EXPECT_TRUE(IsLoopbackAddress("127.8.9.10"));
    EXPECT_TRUE(IsLoopbackAddress("::1"));
    EXPECT_TRUE(IsLoopbackAddress("::ffff:127.0.0.1"));
    EXPECT_TRUE(IsLoopbackAddress("[::1]"));
    EXPECT_FALSE(IsLoopbackAddress("10.0.0.1"));
    EXPECT_FALSE(IsLoopbackAddress("::ffff:10.0.0.1"));
    EXPECT_FALSE(IsLoopbackAddress("1270.0.0.1"));
    EXPECT_FALSE(IsLoopbackAddress(""));
}

TEST(BearerTokenTest, ExtractsTheCredentialCaseInsensitively) {
    net::HttpRequest req;
    EXPECT_FALSE(BearerToken(req).has_value());
    req.headers = {{"authorization", "bearer  abc "}};
    EXPECT_EQ(BearerToken(req), "abc");
    req.headers = {{"Authorization", "Basic abc"}};
    EXPECT_FALSE(BearerToken(req).has_value());
    req.headers = {{"Authorization", "Bearer "}};
    EXPECT_FALSE(BearerToken(req).has_value());
}

TEST(GatewayBearerAuthTest, LimitsByTheClientIpBehindAProxy) {
    FakeClock clock;
    HttpAuthLimiter limiter(HttpAuthLimiter::GatewayDefaults(), clock.Fn());
    config::AuthOptions auth;
    auth.token.value = "t0ken";
    GatewayBearerAuth bearer(auth, limiter);
    net::HttpRequest req;
    req.remote_ip = "127.0.0.1";  // the proxy (loopback would be exempt)
    req.client_ip = "203.0.113.9";
    req.headers = {{"Authorization", "Bearer wrong"}};
    for (int i = 0; i < 10; ++i) {
        auto denied = bearer.Check(req);
        ASSERT_TRUE(denied.has_value());
        EXPECT_EQ(denied->status, 401) << i;
    }
    req.headers = {{"Authorization", "Bearer t0ken"}};
    auto locked = bearer.Check(req);
    ASSERT_TRUE(locked.has_value());
    EXPECT_EQ(locked->status, 429);
    req.client_ip = "203.0.113.10";
    EXPECT_FALSE(bearer.Check(req).has_value());
}

class HttpAuthRoutesTest : public RoutesFixture {};

TEST_F(HttpAuthRoutesTest, MissingOrWrongBearerGetsTheExact401Body) {
    for (auto headers : std::vector<std::vector<std::pair<std::string, std::string>>>{
             {}, {{"Authorization", "Bearer wrong"}}, {{"Authorization", "Basic secret-token"}}}) {
        auto resp = Call("GET", "/v1/models", "", headers);
        EXPECT_EQ(resp.status, 401);
        EXPECT_EQ(resp.body, R"({"error":{"message":"Unauthorized","type":"unauthorized"}})");
    }
    for (auto path : {"/v1/chat/completions", "/v1/responses", "/tools/invoke"}) {
        EXPECT_EQ(Call("POST", path, "{}", {}).status, 401) << path;
    }
    EXPECT_TRUE(engine.submitted.empty());
}

TEST_F(HttpAuthRoutesTest, TokenOrPasswordIsAccepted) {
    config.auth.password.value = "pass-word";
    EXPECT_EQ(Call("GET", "/v1/models", "", {{"Authorization", "Bearer secret-token"}}).status, 200);
    EXPECT_EQ(Call("GET", "/v1/models", "", {{"Authorization", "Bearer pass-word"}}).status, 200);
}

TEST_F(HttpAuthRoutesTest, NoSecretConfiguredMeansNoAuth) {
    config.auth.token.value.clear();
    EXPECT_EQ(Call("GET", "/v1/models", "", {}).status, 200);
}

TEST_F(HttpAuthRoutesTest, TenFailuresLockTheIpOutWith429AndRetryAfter) {
    for (int i = 0; i < 10; ++i) {
        EXPECT_EQ(Call("GET", "/v1/models", "", {{"Authorization", "Bearer nope"}}).status, 401) << i;
    }
    // Even the right token is refused while locked out.
    auto resp = Call("GET", "/v1/models", "", {{"Authorization", "Bearer secret-token"}});
    EXPECT_EQ(resp.status, 429);
    EXPECT_EQ(HeaderOf(resp, "Retry-After"), "300");
    EXPECT_EQ(boost::json::parse(resp.body).at("error").at("type"), "rate_limited");
    // Another IP is unaffected; the lockout ends after 5 minutes.
    EXPECT_EQ(
        Call("GET", "/v1/models", "", {{"Authorization", "Bearer secret-token"}}, "10.9.9.9").status, 200
    );
    now += std::chrono::minutes(5);
    EXPECT_EQ(Call("GET", "/v1/models", "", {{"Authorization", "Bearer secret-token"}}).status, 200);
}

TEST_F(HttpAuthRoutesTest, LoopbackClientsAreNeverLockedOut) {
    for (int i = 0; i < 15; ++i) {
        EXPECT_EQ(Call("GET", "/v1/models", "", {{"Authorization", "Bearer nope"}}, "127.0.0.1").status, 401);
    }
    EXPECT_EQ(
        Call("GET", "/v1/models", "", {{"Authorization", "Bearer secret-token"}}, "127.0.0.1").status, 200
    );
}

}  // namespace
}  // namespace gw::api
