#pragma once

/// @file
/// @brief The conversation surfaces of the HTTP API, registered in one call: the OpenAI-compatible
/// `/v1/models`, `/v1/chat/completions`, `/v1/responses`, plus `/tools/invoke` and the webhooks
/// `/hooks/wake`, `/hooks/agent` (reference §3). Every handler submits to the RunEngine.

namespace gw::config {
struct GatewayConfig;
}

namespace gw::engine {
class RunEngine;
class ToolRegistry;
}  // namespace gw::engine

namespace gw::net {
class Router;
}

namespace gw::obs {
class GatewayMetrics;
}

namespace gw::api {

class HttpAuthLimiter;

/// What the handlers use. Everything referenced must outlive the router (and the server serving it).
struct ConversationDeps {
    engine::RunEngine& engine;
    engine::ToolRegistry& tools;
    const config::GatewayConfig& config;
    obs::GatewayMetrics* metrics = nullptr;  ///< optional: errors are counted by reason
    /// Failed-auth limiter of the gateway bearer (shared with WS auth). Null: the routes own one with
    /// HttpAuthLimiter::GatewayDefaults().
    HttpAuthLimiter* auth_limiter = nullptr;
    /// Failed-auth limiter of the hook token. Null: the routes own one with HookDefaults().
    HttpAuthLimiter* hook_limiter = nullptr;
};

/// Registers (auth = gateway bearer unless noted):
/// - GET /v1/models, GET /v1/models/{id};
/// - POST /v1/chat/completions (when config.http.chat_completions);
/// - POST /v1/responses (when config.http.responses);
/// - POST /tools/invoke (always);
/// - POST /hooks/wake, /hooks/agent (when config.hooks.enabled; hook token auth).
/// Routes not registered answer the router's 404. Body limits are the server's (route_body_limits).
void RegisterConversationRoutes(net::Router& router, ConversationDeps deps);

}  // namespace gw::api
