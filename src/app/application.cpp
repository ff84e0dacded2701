#include "app/application.hpp"

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include <sys/resource.h>

#include "api/health_service.hpp"
#include "api/metrics_endpoint.hpp"
#include "api/control_ui.hpp"
#include "api/ws/ws_gateway.hpp"
#include "store/sqlite_device_repository.hpp"
#include "app/conversation.hpp"
#include "app/data_protection_options.hpp"
#include "app/metrics_observer.hpp"
#include "app/version.hpp"
#include "app/edge_wiring.hpp"  // issue #6: edge defence + SIGHUP TLS reload
#include "config/loader.hpp"  // issue #6: ProcessEnv for OPENCLAW_MASTER_KEY(_FILE)
#include "net/http_server.hpp"
#include "net/router.hpp"
#include "obs/gateway_metrics.hpp"
#include "obs/log.hpp"
#include "obs/metrics.hpp"
#include "obs/process_metrics.hpp"
#include "runtime/io_runtime.hpp"
#include "runtime/log_on_error.hpp"
#include "store/data_protection.hpp"  // issue #6: encryption at rest
#include "store/embedded_store.hpp"
#include "store/sqlite_idempotency_repository.hpp"
#include "store/sqlite_transcript_repository.hpp"

namespace gw::app {
namespace asio = boost::asio;

namespace {

constexpr auto kDrainPollInterval = std::chrono::milliseconds(20);

void Info(std::string_view msg, std::initializer_list<obs::LogField> fields = {}) {
    obs::Log(obs::LogLevel::kInfo, "gw.app", msg, fields);
}

void Error(std::string_view msg, std::initializer_list<obs::LogField> fields = {}) {
    obs::Log(obs::LogLevel::kError, "gw.app", msg, fields);
}

/// Idle keep-alive connections need one descriptor each: lift the soft limit to the hard limit.
void RaiseFileLimit() {
    rlimit lim{};
    if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
        lim.rlim_cur = lim.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &lim) != 0) {
            obs::Log(obs::LogLevel::kWarn, "gw.app", "could not raise RLIMIT_NOFILE");
        }
    }
}

int IoThreads(const config::ServerOptions& opts) {
    if (opts.io_threads > 0) {
        return opts.io_threads;
    }
    const unsigned cores = std::thread::hardware_concurrency();
    return cores == 0 ? 1 : static_cast<int>(cores);
}

/// Route limits of the conversation surface, unless server.* already names those prefixes:
/// - bodies: `/v1/` up to http.max_body_bytes (OpenAI clients send whole conversations), `/tools/invoke`
///   2 MB and `/hooks/` 256 KiB, as OpenClaw;
/// - handler time: a non-streaming `/v1/` request waits for its whole run, so it may take as long as the
///   longest agent timeout (default 600 s) plus a margin to report the run's own timeout as a 504.
void ApplyConversationRouteLimits(config::GatewayConfig& cfg) {
    auto& limits = cfg.server.route_body_limits;
    limits.try_emplace("/v1/", cfg.http.max_body_bytes);
    limits.try_emplace("/tools/invoke", std::size_t{2} * 1024 * 1024);
    limits.try_emplace("/hooks/", std::size_t{256} * 1024);
    constexpr std::chrono::milliseconds kDefaultRunTimeout{600'000};
    constexpr std::chrono::milliseconds kMargin{5'000};
    auto longest = cfg.agents.defaults.timeout.value_or(kDefaultRunTimeout);
    for (const auto& [id, agent] : cfg.agents.entries) {
        longest = std::max(longest, agent.timeout.value_or(longest));
    }
    cfg.server.route_handler_timeouts.try_emplace("/v1/", std::max(cfg.server.request_timeout, longest + kMargin));
}

}  // namespace

struct Application::Impl {
    // Members in dependency order: destroyed in reverse.
    config::GatewayConfig cfg;
    obs::Registry registry;
    obs::GatewayMetrics metrics{registry, Version()};
    MetricsObserver observer{metrics};
    // The io_context outlives the store, whose destructor drains queued writes and posts their
    // completions to it, and everything that holds references into it is destroyed first.
    runtime::IoRuntime runtime;
    std::unique_ptr<store::EmbeddedStore> store;
    // Issue #6: keyring + content protection attached to the store, key maintenance job (destroyed first).
    std::unique_ptr<store::DataProtection> data_protection;
    std::unique_ptr<Conversation> conversation;  // referenced by the routes: outlives the server
    net::Router router;
    api::HealthService health{std::string(Version())};
    std::unique_ptr<store::SqliteDeviceRepository> devices;
    std::unique_ptr<api::ws::WsGateway> ws;  // the OpenClaw protocol on `/` (issue #4)
    std::unique_ptr<net::HttpServer> server;
    std::unique_ptr<EdgeWiring> edge;  // issue #6: edge admission on `server`, SIGHUP (destroyed first)
    asio::signal_set signals{runtime.Context(), SIGINT, SIGTERM};
    bool draining = false;

    explicit Impl(config::GatewayConfig c) : cfg(std::move(c)) {}

    Result<void> RecoverAfterRestart();
    void RegisterStoreMetrics();
    void RegisterReadinessChecks();
    void WaitForSignal();
    asio::awaitable<void> Drain();
};

/// A previous process may have died mid-run: its runs are marked failed ("process restarted") and its
/// unfinished idempotency claims dropped, so the transcript is consistent and a retry gets the failed
/// run instead of a second one. Safe only while no other process serves this store (embedded mode).
Result<void> Application::Impl::RecoverAfterRestart() {
    store::SqliteTranscriptRepository transcripts(*store, domain::SystemWallClock());
    auto runs = transcripts.RecoverInterruptedRunsBlocking();
    if (!runs) {
        return runs.error();
    }
    store::SqliteIdempotencyRepository idempotency(*store, domain::SystemWallClock());
    auto claims = idempotency.DropPendingClaimsBlocking();
    if (!claims) {
        return claims.error();
    }
    if (*runs > 0 || *claims > 0) {
        obs::Log(
            obs::LogLevel::kWarn,
            "gw.app",
            "recovered work interrupted by a previous process",
            {{"runs_failed", std::to_string(*runs)}, {"claims_dropped", std::to_string(*claims)}}
        );
    }
    return Ok();
}

void Application::Impl::RegisterStoreMetrics() {
    auto* db = store.get();
    registry.AddCallbackCounter(
        "openclaw_store_transactions_total",
        "Write transactions committed by the embedded store (group commits).",
        [db] { return static_cast<double>(db->GetStats().transactions); }
    );
    registry.AddCallbackCounter(
        "openclaw_store_writes_total",
        "Writes committed by the embedded store.",
        [db] { return static_cast<double>(db->GetStats().writes); }
    );
}

void Application::Impl::RegisterReadinessChecks() {
    auto* db = store.get();
    // "store" is a read on the reader pool (it also fails while the schema is behind); "migrations" is
    // listed on its own so that `failing` names the cause.
    health.AddCheck("store", [db]() -> asio::awaitable<std::optional<std::string>> {
        auto r = co_await db->CheckReady();
        if (!r) {
            co_return r.error().message;
        }
        co_return std::nullopt;
    });
    health.AddCheck("migrations", [db]() -> asio::awaitable<std::optional<std::string>> {
        auto status = db->Migrations();
        if (!status.Current()) {
            co_return fmt::format("schema at {} of {}", status.applied_version, status.latest_version);
        }
        co_return std::nullopt;
    });
}

void Application::Impl::WaitForSignal() {
    signals.async_wait([this](boost::system::error_code ec, int signo) {
        if (ec) {
            return;
        }
        if (draining) {
            // Second signal: the operator wants out now.
            Error("second signal during drain, exiting immediately", {{"signal", std::to_string(signo)}});
            std::_Exit(128 + signo);
        }
        draining = true;
        Info("shutdown requested, draining", {{"signal", std::to_string(signo)}});
        asio::co_spawn(runtime.Context(), Drain(), ::gw::runtime::LogOnError("drain"));
        WaitForSignal();
    });
}

asio::awaitable<void> Application::Impl::Drain() {
    health.BeginDrain();
    if (ws) {
        ws->BeginShutdown("gateway shutting down", std::nullopt);  // `shutdown` event, then close 1012
    }
    server->BeginDrain();
    const auto deadline = std::chrono::steady_clock::now() + cfg.server.shutdown_grace;
    // Runs get half the grace to finish; the rest aborts them and lets their streams end.
    if (conversation) {
        co_await conversation->Shutdown(cfg.server.shutdown_grace / 2);
    }
    asio::steady_timer timer(runtime.Context());
    while (server->OpenConnections() > 0 && std::chrono::steady_clock::now() < deadline) {
        timer.expires_after(kDrainPollInterval);
        co_await timer.async_wait(asio::use_awaitable);
    }
    const auto left = server->OpenConnections();
    if (left > 0) {
        obs::Log(
            obs::LogLevel::kWarn,
            "gw.app",
            "grace period over, closing remaining connections",
            {{"connections", std::to_string(left)}}
        );
        server->ForceClose();
    }
    signals.cancel();
    runtime.Stop();
}

Application::Application(config::GatewayConfig cfg) : impl_(std::make_unique<Impl>(std::move(cfg))) {}

Application::~Application() = default;

int Application::Run() {
    auto& s = *impl_;
    obs::InitLogging(obs::ParseLogLevel(s.cfg.log.level).value_or(obs::LogLevel::kInfo));
    RaiseFileLimit();
    obs::RegisterProcessMetrics(s.registry);

    auto opened = store::EmbeddedStore::Open(s.cfg.store, store::MigrateMode::kApply);
    if (!opened) {
        Error("cannot open the store", {{"error", opened.error().message}});
        return 1;
    }
    s.store = std::move(*opened);
    if (auto recovered = s.RecoverAfterRestart(); !recovered) {
        Error("cannot recover interrupted runs", {{"error", recovered.error().message}});
        return 1;
    }
    // Issue #6 (encryption at rest): begin
    auto protection = store::DataProtection::Open(
        *s.store, s.cfg.store.data_dir, config::ProcessEnv(), DataProtectionOptionsFrom(s.cfg.store.encryption)
    );
    if (!protection) {
        Error("cannot open the keyring", {{"error", protection.error().message}});
        return 1;
    }
    s.data_protection = std::move(*protection);
    s.data_protection->RegisterMetrics(s.registry);
    s.data_protection->Reencryption().Start();
    // Issue #6 (encryption at rest): end
    s.RegisterStoreMetrics();
    s.RegisterReadinessChecks();
    auto conversation = Conversation::Create(s.runtime.Context(), s.cfg, *s.store, s.registry, s.metrics);
    if (!conversation) {
        Error("cannot set up the conversation engine", {{"error", conversation.error().message}});
        return 1;
    }
    s.conversation = std::move(*conversation);
    s.conversation->RegisterRoutes(s.router);
    ApplyConversationRouteLimits(s.cfg);

    s.health.RegisterRoutes(s.router);
    api::RegisterMetricsRoute(s.router, s.registry);
    api::RegisterControlUiRoutes(s.router, s.cfg, std::string(Version()));
    s.devices = std::make_unique<store::SqliteDeviceRepository>(*s.store, domain::SystemWallClock());
    auto ws = api::ws::WsGateway::Create(api::ws::WsGatewayDeps{
        .ioc = s.runtime.Context(),
        .config = s.cfg,
        .engine = s.conversation->Engine(),
        .tools = s.conversation->Tools(),
        .sessions = s.conversation->Sessions(),
        .transcripts = s.conversation->Transcripts(),
        .devices = *s.devices,
        .health = s.health,
        .auth_limiter = s.conversation->AuthLimiter(),
        .registry = s.registry,
        .version = std::string(Version()),
    });
    if (!ws) {
        Error("cannot set up the WebSocket protocol", {{"error", ws.error().message}});
        return 1;
    }
    s.ws = std::move(*ws);
    s.server = std::make_unique<net::HttpServer>(
        s.runtime.Context(), s.cfg.server, s.router, s.observer, &s.ws->Handler()
    );
    // Issue #6 (edge defence): begin
    auto edge = EdgeWiring::Install(s.cfg, s.runtime.Context(), *s.server, s.registry);
    if (!edge) {
        Error("cannot set up edge defence", {{"error", edge.error().message}});
        return 1;
    }
    s.edge = std::move(*edge);
    // Issue #6 (edge defence): end
    if (auto started = s.server->Start(); !started) {
        Error("cannot start the server", {{"error", started.error().message}});
        return 1;
    }
    const std::string data_dir = std::filesystem::absolute(s.cfg.store.data_dir).lexically_normal().string();
    const std::string url =
        fmt::format("{}://{}:{}", s.server->Scheme(), s.cfg.server.host, s.server->Port());
    const int threads = IoThreads(s.cfg.server);
    s.health.MarkStarted();
    obs::Log(
        obs::LogLevel::kInfo,
        "gw.app",
        fmt::format("openclaw-gateway listening on {} (data: {})", url, data_dir),
        {{"url", url},
         {"port", std::to_string(s.server->Port())},
         {"data_dir", data_dir},
         {"database", std::filesystem::absolute(s.store->DatabasePath()).lexically_normal().string()},
         {"version", Version()},
         {"io_threads", std::to_string(threads)}}
    );
    s.WaitForSignal();
    s.runtime.Run(threads);
    Info("stopped");
    return 0;
}

}  // namespace gw::app
