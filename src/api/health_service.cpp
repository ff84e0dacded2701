#include "api/health_service.hpp"

#include <boost/json.hpp>

#include "obs/log.hpp"

namespace gw::api {
namespace {

net::HttpResponse Json(int status, const boost::json::object& body) {
    net::HttpResponse resp;
    resp.status = status;
    resp.body = boost::json::serialize(body);
    return resp;
}

}  // namespace

HealthService::HealthService(std::string version)
    : version_(std::move(version)), start_(std::chrono::steady_clock::now()) {}

void HealthService::AddCheck(std::string name, Probe probe) {
    checks_.push_back(Check{std::move(name), std::move(probe)});
}

std::int64_t HealthService::UptimeMs() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start_)
        .count();
}

boost::asio::awaitable<std::vector<std::string>> HealthService::FailingChecks() const {
    std::vector<std::string> failing;
    for (const auto& check : checks_) {
        auto result = co_await check.probe();
        if (result) {
            obs::Log(
                obs::LogLevel::kWarn,
                "gw.api",
                "readiness check failing",
                {{"check", check.name}, {"reason", *result}}
            );
            failing.push_back(check.name);
        }
    }
    if (draining_.load()) {
        failing.emplace_back("draining");
    }
    co_return failing;
}

boost::asio::awaitable<net::HttpResponse> HealthService::Ready(const net::HttpRequest& /*req*/) const {
    auto failing = co_await FailingChecks();
    boost::json::object checks;
    for (const auto& check : checks_) {
        checks[check.name] = "ok";
    }
    checks["draining"] = "ok";
    boost::json::array failing_json;
    for (const auto& name : failing) {
        checks[name] = "failing";
        failing_json.emplace_back(name);
    }
    const bool ready = failing.empty() && started_.load();
    if (!started_.load()) {
        failing_json.emplace_back("starting");
    }
    boost::json::object body{
        {"ready", ready},
        {"failing", std::move(failing_json)},
        {"uptimeMs", UptimeMs()},
        {"checks", std::move(checks)},
    };
    auto resp = Json(ready ? 200 : 503, body);
    if (!ready) {
        resp.headers.emplace_back("Retry-After", "1");
    }
    co_return resp;
}

net::HttpResponse HealthService::Startup() const {
    if (draining_.load()) {
        return Json(503, {{"ok", false}, {"status", "draining"}, {"uptimeMs", UptimeMs()}});
    }
    if (!started_.load()) {
        return Json(503, {{"ok", false}, {"status", "starting"}, {"uptimeMs", UptimeMs()}});
    }
    return Json(200, {{"ok", true}, {"status", "started"}, {"version", version_}, {"uptimeMs", UptimeMs()}});
}

void HealthService::RegisterRoutes(net::Router& router) {
    auto live = [](const net::HttpRequest&) -> boost::asio::awaitable<net::HttpResponse> {
        net::HttpResponse resp;
        resp.body = R"({"ok":true,"status":"live"})";
        co_return resp;
    };
    router.Add("GET", "/health", live);
    router.Add("GET", "/healthz", live);
    auto startup = [this](const net::HttpRequest&) -> boost::asio::awaitable<net::HttpResponse> {
        co_return Startup();
    };
    router.Add("GET", "/startup", startup);
    router.Add("GET", "/startupz", startup);
    auto ready = [this](const net::HttpRequest& req) -> boost::asio::awaitable<net::HttpResponse> {
        return Ready(req);
    };
    router.Add("GET", "/ready", ready);
    router.Add("GET", "/readyz", ready);
}

}  // namespace gw::api
