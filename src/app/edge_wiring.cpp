#include "app/edge_wiring.hpp"

#include <chrono>
#include <csignal>
#include <string>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "edge/edge_admission.hpp"
#include "obs/log.hpp"
#include "runtime/blocking_pool.hpp"
#include "runtime/log_on_error.hpp"

namespace gw::app {
namespace asio = boost::asio;

namespace {

constexpr std::string_view kLogger = "gw.app";
/// How often the poller asks the guard; the guard itself throttles to each file's
/// `reload_check_interval`.
constexpr auto kPollInterval = std::chrono::seconds(1);

}  // namespace

struct EdgeWiring::Impl {
    Impl(asio::io_context& ioc, net::HttpServer& s, std::shared_ptr<edge::EdgeAdmission> a)
        : server(s), admission(std::move(a)), timer(ioc), hangup(ioc, SIGHUP) {}

    // Destruction (reverse member order) cancels the signal wait and the timer, then stops and joins
    // the pool; the coroutines' frames go with the io_context, which must not run any more by then.
    ~Impl() = default;

    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;

    asio::awaitable<void> PollReloads();
    asio::awaitable<void> HandleHangups();

    net::HttpServer& server;
    std::shared_ptr<edge::EdgeAdmission> admission;
    runtime::BlockingPool pool{1};  // file I/O (stat, mmap, certificate files) off the io threads
    asio::steady_timer timer;
    asio::signal_set hangup;
};

asio::awaitable<void> EdgeWiring::Impl::PollReloads() {
    for (;;) {
        timer.expires_after(kPollInterval);
        auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        if (ec) {
            co_return;
        }
        auto* adm = admission.get();
        co_await runtime::RunBlocking(pool, [adm] { adm->PollReloads(std::chrono::steady_clock::now()); });
    }
}

asio::awaitable<void> EdgeWiring::Impl::HandleHangups() {
    for (;;) {
        auto [ec, signo] = co_await hangup.async_wait(asio::as_tuple(asio::use_awaitable));
        if (ec) {
            co_return;
        }
        if (server.Scheme() != "https") {
            obs::Log(obs::LogLevel::kInfo, kLogger, "SIGHUP received; TLS is off, nothing to reload");
            continue;
        }
        auto* srv = &server;
        auto reloaded = co_await runtime::RunBlocking(pool, [srv] { return srv->ReloadTls(); });
        if (!reloaded) {
            obs::Log(
                obs::LogLevel::kError,
                kLogger,
                "TLS certificate reload failed; the previous certificate stays in use",
                {{"error", reloaded.error().message}}
            );
        }
    }
}

EdgeWiring::EdgeWiring(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

EdgeWiring::~EdgeWiring() = default;

const std::shared_ptr<edge::EdgeAdmission>& EdgeWiring::Admission() const noexcept {
    return impl_->admission;
}

Result<std::unique_ptr<EdgeWiring>> EdgeWiring::Install(
    const config::GatewayConfig& cfg, asio::io_context& ioc, net::HttpServer& server, obs::Registry& registry
) {
    auto admission = edge::EdgeAdmission::Create(cfg.edge, registry);
    if (!admission) {
        return admission.error();
    }
    server.SetAdmission(*admission);
    auto impl = std::make_unique<Impl>(ioc, server, std::move(*admission));
    if (!cfg.edge.geo.database_file.empty() || !cfg.edge.reputation.file.empty()) {
        asio::co_spawn(ioc, impl->PollReloads(), runtime::LogOnError("edge-reload"));
    }
    asio::co_spawn(ioc, impl->HandleHangups(), runtime::LogOnError("sighup"));
    const auto& e = cfg.edge;
    obs::Log(
        obs::LogLevel::kInfo,
        kLogger,
        "edge defence installed",
        {{"rate_limit", e.rate_limit.enabled ? "on" : "off"},
         {"trusted_proxies", std::to_string(e.client_address.trusted_proxies.size())},
         {"geo", e.geo.database_file.empty() ? "off" : "on"},
         {"reputation", e.reputation.file.empty() ? "off" : "on"},
         {"max_connections_per_ip", std::to_string(e.connections.max_per_ip)}}
    );
    return std::unique_ptr<EdgeWiring>(new EdgeWiring(std::move(impl)));
}

}  // namespace gw::app
