#pragma once
/// @file
/// @brief The conversation engine's object graph for `serve`: SQLite repositories, the provider router,
/// skills and built-in tools, the RunEngine, and the HTTP conversation routes on the router.

#include <chrono>
#include <memory>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include "base/error.hpp"
#include "config/options.hpp"

namespace gw::net {
class Router;
}
namespace gw::obs {
class GatewayMetrics;
class Registry;
}  // namespace gw::obs
namespace gw::store {
class EmbeddedStore;
}
namespace gw::domain {
class SessionRepository;
class TranscriptRepository;
}  // namespace gw::domain
namespace gw::engine {
class RunEngine;
class ToolRegistry;
}  // namespace gw::engine
namespace gw::api {
class HttpAuthLimiter;
}

namespace gw::app {

/// Owns everything the conversation routes reference; must outlive the server that serves them.
class Conversation {
public:
    /// kInvalidArgument for a provider or skill set-up error (named in the message).
    static Result<std::unique_ptr<Conversation>> Create(
        boost::asio::io_context& ioc,
        const config::GatewayConfig& cfg,
        store::EmbeddedStore& store,
        obs::Registry& registry,
        obs::GatewayMetrics& metrics
    );

    ~Conversation();
    Conversation(const Conversation&) = delete;
    Conversation& operator=(const Conversation&) = delete;

    void RegisterRoutes(net::Router& router);

    /// For the WebSocket protocol, which drives the same engine (issue #4).
    engine::RunEngine& Engine();
    engine::ToolRegistry& Tools();
    domain::SessionRepository& Sessions();
    domain::TranscriptRepository& Transcripts();
    /// Failed gateway-auth counting shared by HTTP bearer auth and the WebSocket `connect`.
    api::HttpAuthLimiter& AuthLimiter();

    /// Drain: stop accepting runs, let active ones finish within `grace`, then abort them.
    boost::asio::awaitable<void> Shutdown(std::chrono::milliseconds grace);

private:
    struct Impl;
    explicit Conversation(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace gw::app
