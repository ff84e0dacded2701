#pragma once
/// @file
/// @brief Liveness, startup and readiness state plus their HTTP routes (`/health`, `/healthz`, `/startup`,
/// `/startupz`, `/ready`, `/readyz`). Thread-safe: state flags are atomics, checks are registered before
/// `RegisterRoutes` and never change afterwards.

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "net/router.hpp"

namespace gw::api {

class HealthService {
public:
    /// A readiness probe: nullopt when healthy, otherwise a short reason (logged, not published).
    using Probe = std::function<boost::asio::awaitable<std::optional<std::string>>()>;

    explicit HealthService(std::string version);

    /// Adds a named readiness check (e.g. "store", "migrations"). Call before RegisterRoutes.
    void AddCheck(std::string name, Probe probe);

    void MarkStarted() noexcept { started_.store(true); }

    /// Readiness and startup turn 503 from now on; irreversible.
    void BeginDrain() noexcept { draining_.store(true); }

    bool Draining() const noexcept { return draining_.load(); }

    void RegisterRoutes(net::Router& router);

    /// Runs every check; returns the names of the failing ones ("draining" included when draining).
    boost::asio::awaitable<std::vector<std::string>> FailingChecks() const;

    std::int64_t UptimeMs() const;

private:
    boost::asio::awaitable<net::HttpResponse> Ready(const net::HttpRequest& req) const;
    net::HttpResponse Startup() const;

    struct Check {
        std::string name;
        Probe probe;
    };

    std::string version_;
    std::chrono::steady_clock::time_point start_;
    std::vector<Check> checks_;
    std::atomic<bool> started_{false};
    std::atomic<bool> draining_{false};
};

}  // namespace gw::api
