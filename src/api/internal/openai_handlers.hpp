#pragma once
/// @file
/// @brief Module-private: the route handlers behind RegisterConversationRoutes (auth already checked).
/// Each takes the deps and the request by reference: both outlive the handler (the deps are owned by the
/// route closures for the router's lifetime; the request lives until the handler completes).

#include <chrono>
#include <memory>

#include <boost/asio/awaitable.hpp>

#include "api/conversation_routes.hpp"
#include "api/internal/openai_chat_request.hpp"
#include "net/http_types.hpp"

namespace gw::api::internal {

using Awaitable = boost::asio::awaitable<net::HttpResponse>;

/// How long a non-streaming request waits for its run beyond the agent timeout (queueing).
inline constexpr std::chrono::milliseconds kWaitMargin{60'000};

Awaitable HandleListModels(const ConversationDeps& deps, const net::HttpRequest& request);
Awaitable HandleGetModel(const ConversationDeps& deps, const net::HttpRequest& request);
Awaitable HandleChatCompletions(const ConversationDeps& deps, const net::HttpRequest& request);
Awaitable HandleResponses(const ConversationDeps& deps, const net::HttpRequest& request);
Awaitable HandleToolsInvoke(const ConversationDeps& deps, const net::HttpRequest& request);
Awaitable HandleHookWake(const ConversationDeps& deps, const net::HttpRequest& request);
Awaitable HandleHookAgent(const ConversationDeps& deps, const net::HttpRequest& request);

/// The SSE response of a streaming chat completion whose message was accepted as `ack`.
net::HttpResponse ChatStreamResponse(
    const ConversationDeps& deps,
    ChatRequest chat,
    engine::SubmitAck ack,
    std::chrono::milliseconds wait_timeout
);

/// The default agent id (agents.default_agent, "main" when empty).
std::string DefaultAgent(const config::GatewayConfig& config);

/// Counts one failed request in `openclaw_errors_total` by the reason of its HTTP status (no-op without
/// metrics).
void CountError(const ConversationDeps& deps, int status);

/// SSE framing: `data: <json>\n\n` / `event: <type>\ndata: <json>\n\n`, and the final `data: [DONE]\n\n`.
std::string SseData(const json::value& data);
std::string SseTyped(std::string_view type, const json::value& data);
inline constexpr std::string_view kSseDone = "data: [DONE]\n\n";

/// `text/event-stream; charset=utf-8` response with Cache-Control: no-cache; the caller sets `stream`.
net::HttpResponse SseResponse();

}  // namespace gw::api::internal
