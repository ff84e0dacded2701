#include "api/conversation_routes.hpp"

#include <memory>

#include <boost/json.hpp>

#include "api/http_auth.hpp"
#include "api/internal/openai_handlers.hpp"
#include "config/options.hpp"
#include "net/router.hpp"
#include "net/sse_writer.hpp"
#include "obs/gateway_metrics.hpp"

namespace gw::api {
namespace internal {

std::string DefaultAgent(const config::GatewayConfig& config) {
    return config.agents.default_agent.empty() ? std::string("main") : config.agents.default_agent;
}

void CountError(const ConversationDeps& deps, int status) {
    if (deps.metrics == nullptr) {
        return;
    }
    std::string_view reason = "other";
    switch (status) {
        case 400:
            reason = "bad_request";
            break;
        case 401:
            reason = "unauthenticated";
            break;
        case 403:
            reason = "forbidden";
            break;
        case 404:
            reason = "not_found";
            break;
        case 409:
            reason = "conflict";
            break;
        case 413:
            reason = "payload_too_large";
            break;
        case 429:
            reason = "rate_limited";
            break;
        case 500:
            reason = "internal";
            break;
        case 502:
            reason = "upstream";
            break;
        case 503:
            reason = "unavailable";
            break;
        case 504:
            reason = "timeout";
            break;
        default:
            break;
    }
    deps.metrics->RecordError(reason);
}

std::string SseData(const json::value& data) {
    return net::SseWriter::Event(json::serialize(data));
}

std::string SseTyped(std::string_view type, const json::value& data) {
    return net::SseWriter::Event(json::serialize(data), type);
}

net::HttpResponse SseResponse() {
    net::HttpResponse resp;
    resp.status = 200;
    resp.content_type = "text/event-stream; charset=utf-8";
    resp.headers.emplace_back("Cache-Control", "no-cache");
    return resp;
}

}  // namespace internal

namespace {

/// Owned by the route closures (shared): the deps, the limiters the caller did not supply, the auth.
struct RouteState {
    explicit RouteState(ConversationDeps d)
        : deps(d),
          own_auth_limiter(
              d.auth_limiter ? nullptr : std::make_unique<HttpAuthLimiter>(HttpAuthLimiter::GatewayDefaults())
          ),
          own_hook_limiter(
              d.hook_limiter ? nullptr : std::make_unique<HttpAuthLimiter>(HttpAuthLimiter::HookDefaults())
          ),
          auth(d.config.auth, d.auth_limiter ? *d.auth_limiter : *own_auth_limiter) {
        deps.auth_limiter = d.auth_limiter ? d.auth_limiter : own_auth_limiter.get();
        deps.hook_limiter = d.hook_limiter ? d.hook_limiter : own_hook_limiter.get();
    }

    ConversationDeps deps;
    std::unique_ptr<HttpAuthLimiter> own_auth_limiter;
    std::unique_ptr<HttpAuthLimiter> own_hook_limiter;
    GatewayBearerAuth auth;
};

using HandlerFn = internal::Awaitable (*)(const ConversationDeps&, const net::HttpRequest&);

/// Bearer-protected route.
net::Handler Protected(std::shared_ptr<RouteState> state, HandlerFn fn) {
    return [state, fn](const net::HttpRequest& request) -> boost::asio::awaitable<net::HttpResponse> {
        if (auto denied = state->auth.Check(request)) {
            internal::CountError(state->deps, denied->status);
            co_return std::move(*denied);
        }
        auto response = co_await fn(state->deps, request);
        co_return response;
    };
}

/// Hook routes authenticate themselves (hook token, own limiter).
net::Handler Open(std::shared_ptr<RouteState> state, HandlerFn fn) {
    return [state, fn](const net::HttpRequest& request) -> boost::asio::awaitable<net::HttpResponse> {
        auto response = co_await fn(state->deps, request);
        co_return response;
    };
}

}  // namespace

void RegisterConversationRoutes(net::Router& router, ConversationDeps deps) {
    auto state = std::make_shared<RouteState>(deps);
    const auto& config = deps.config;
    router.Add("GET", "/v1/models", Protected(state, &internal::HandleListModels));
    router.AddPrefix("GET", "/v1/models/", Protected(state, &internal::HandleGetModel));
    if (config.http.chat_completions) {
        router.Add("POST", "/v1/chat/completions", Protected(state, &internal::HandleChatCompletions));
    }
    if (config.http.responses) {
        router.Add("POST", "/v1/responses", Protected(state, &internal::HandleResponses));
    }
    router.Add("POST", "/tools/invoke", Protected(state, &internal::HandleToolsInvoke));
    if (config.hooks.enabled) {
        router.Add("POST", "/hooks/wake", Open(state, &internal::HandleHookWake));
        router.Add("POST", "/hooks/agent", Open(state, &internal::HandleHookAgent));
    }
}

}  // namespace gw::api
