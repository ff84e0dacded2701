#pragma once
/// @file
/// @brief WsGateway: the OpenClaw gateway protocol v4 on WebSocket `/` (reference §2): handshake
/// (challenge, connect validation, shared-secret and device-token auth, Ed25519 device proof,
/// pairing), hello-ok, concurrent req/res with cancel, events with a per-connection seq, tick,
/// health after hello, shutdown on drain, and the core methods. One instance per process; its
/// Handler() is what net::HttpServer calls for every upgraded connection.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include "base/error.hpp"
#include "config/options.hpp"
#include "domain/clock.hpp"

namespace gw::net {
class WebSocketHandler;
}
namespace gw::obs {
class Registry;
}
namespace gw::domain {
class SessionRepository;
class TranscriptRepository;
class DeviceRepository;
}  // namespace gw::domain
namespace gw::engine {
class RunEngine;
class ToolRegistry;
}  // namespace gw::engine
namespace gw::api {
class HealthService;
class HttpAuthLimiter;
}  // namespace gw::api

namespace gw::api::ws {

struct WsGatewayDeps {
    boost::asio::io_context& ioc;
    const config::GatewayConfig& config;  ///< auth.*, ws.*, agents, models, tools; outlives the gateway
    engine::RunEngine& engine;
    engine::ToolRegistry& tools;
    domain::SessionRepository& sessions;
    domain::TranscriptRepository& transcripts;
    domain::DeviceRepository& devices;
    HealthService& health;          ///< readiness for the health method / snapshot
    HttpAuthLimiter& auth_limiter;  ///< shared with HTTP bearer auth (same IP lockout)
    obs::Registry& registry;        ///< openclaw_ws_* metrics
    std::string version;            ///< server.version in hello-ok
    domain::WallClock clock = domain::SystemWallClock();
};

/// Thread-safe. Connections run on the server's io threads; each connection's frames are written by
/// one writer over the bounded net::WebSocketSession queue.
class WsGateway {
public:
    static Result<std::unique_ptr<WsGateway>> Create(WsGatewayDeps deps);

    virtual ~WsGateway() = default;

    /// Passed to net::HttpServer; valid as long as this object.
    virtual net::WebSocketHandler& Handler() = 0;

    /// Drain, step 1: sends `shutdown {reason, restartExpectedMs}` to every connection, then closes
    /// each with 1012 once its queued frames are written; new upgrades are refused from now on
    /// (close 1012 right after the challenge). Idempotent.
    virtual void BeginShutdown(std::string reason, std::optional<std::int64_t> restart_expected_ms) = 0;

    /// Authenticated connections currently open.
    virtual std::size_t Connections() const = 0;
};

}  // namespace gw::api::ws
