#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "api/error_mapping.hpp"
#include "api/health_service.hpp"
#include "net/router.hpp"
#include "runtime/testing.hpp"

namespace gw::api {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;

net::HttpResponse Call(const net::Router& router, std::string_view path) {
    auto match = router.Match("GET", path);
    EXPECT_EQ(match.status, 200) << path;
    net::HttpRequest req;
    req.method = "GET";
    req.path = std::string(path);
    return runtime::RunCoro((*match.handler)(req));
}

HealthService::Probe Fixed(std::optional<std::string> result) {
    return [result]() -> asio::awaitable<std::optional<std::string>> { co_return result; };
}

TEST(HealthServiceTest, LivenessAnswersOkEvenWhenNotReady) {
    HealthService health("1.2.3");
    health.AddCheck("store", Fixed("disk gone"));
    net::Router router;
    health.RegisterRoutes(router);
    for (auto path : {"/health", "/healthz"}) {
        auto resp = Call(router, path);
        EXPECT_EQ(resp.status, 200);
        EXPECT_EQ(json::parse(resp.body), json::parse(R"({"ok":true,"status":"live"})"));
    }
}

TEST(HealthServiceTest, ReadyOnlyAfterStartAndWhenEveryCheckPasses) {
    HealthService health("1.2.3");
    health.AddCheck("store", Fixed(std::nullopt));
    health.AddCheck("migrations", Fixed(std::nullopt));
    net::Router router;
    health.RegisterRoutes(router);

    auto before = Call(router, "/readyz");
    EXPECT_EQ(before.status, 503);
    EXPECT_EQ(json::parse(before.body).at("failing"), json::parse(R"(["starting"])"));

    health.MarkStarted();
    auto ready = Call(router, "/ready");
    ASSERT_EQ(ready.status, 200);
    auto body = json::parse(ready.body).as_object();
    EXPECT_EQ(body.at("ready"), true);
    EXPECT_TRUE(body.at("failing").as_array().empty());
    EXPECT_EQ(body.at("checks"), json::parse(R"({"store":"ok","migrations":"ok","draining":"ok"})"));
}

TEST(HealthServiceTest, FailingCheckAndDrainAreListedWith503) {
    HealthService health("1.2.3");
    health.AddCheck("store", Fixed("database is locked"));
    health.AddCheck("migrations", Fixed(std::nullopt));
    health.MarkStarted();
    health.BeginDrain();
    net::Router router;
    health.RegisterRoutes(router);
    auto resp = Call(router, "/readyz");
    EXPECT_EQ(resp.status, 503);
    auto body = json::parse(resp.body).as_object();
    EXPECT_EQ(body.at("ready"), false);
    EXPECT_EQ(body.at("failing"), json::parse(R"(["store","draining"])"));
    EXPECT_EQ(body.at("checks").at("store"), "failing");
    EXPECT_EQ(body.at("checks").at("migrations"), "ok");
    // The failing reason is logged, never published.
    EXPECT_EQ(resp.body.find("locked"), std::string::npos);
}

TEST(HealthServiceTest, StartupReportsStartingStartedAndDraining) {
    HealthService health("1.2.3");
    net::Router router;
    health.RegisterRoutes(router);
    EXPECT_EQ(json::parse(Call(router, "/startupz").body).at("status"), "starting");
    health.MarkStarted();
    auto started = Call(router, "/startup");
    EXPECT_EQ(started.status, 200);
    EXPECT_EQ(json::parse(started.body).at("version"), "1.2.3");
    health.BeginDrain();
    auto draining = Call(router, "/startupz");
    EXPECT_EQ(draining.status, 503);
    EXPECT_EQ(json::parse(draining.body).at("status"), "draining");
}

TEST(ErrorMappingTest, MapsEveryCodeToItsStatusWithAGenericMessage) {
    EXPECT_EQ(HttpStatusFor(ErrorCode::kInvalidArgument), 400);
    EXPECT_EQ(HttpStatusFor(ErrorCode::kUnauthenticated), 401);
    EXPECT_EQ(HttpStatusFor(ErrorCode::kPermissionDenied), 403);
    EXPECT_EQ(HttpStatusFor(ErrorCode::kNotFound), 404);
    EXPECT_EQ(HttpStatusFor(ErrorCode::kConflict), 409);
    EXPECT_EQ(HttpStatusFor(ErrorCode::kRateLimited), 429);
    EXPECT_EQ(HttpStatusFor(ErrorCode::kUnavailable), 503);
    EXPECT_EQ(HttpStatusFor(ErrorCode::kDeadlineExceeded), 504);
    EXPECT_EQ(HttpStatusFor(ErrorCode::kUpstreamError), 502);
    EXPECT_EQ(HttpStatusFor(ErrorCode::kInternal), 500);

    auto resp =
        ErrorResponse(MakeError(ErrorCode::kUnavailable, "pg: connection refused to 10.0.0.5"), "rid1");
    EXPECT_EQ(resp.status, 503);
    auto body = json::parse(resp.body);
    EXPECT_EQ(body.at("error").at("code"), "unavailable");
    EXPECT_EQ(body.at("error").at("request_id"), "rid1");
    EXPECT_EQ(resp.body.find("10.0.0.5"), std::string::npos);
    bool retry_after = false;
    for (const auto& [k, v] : resp.headers) {
        retry_after = retry_after || k == "Retry-After";
    }
    EXPECT_TRUE(retry_after);
}

}  // namespace
}  // namespace gw::api
