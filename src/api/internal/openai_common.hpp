#pragma once
/// @file
/// @brief Module-private helpers of the OpenAI-compatible endpoints (chat completions, responses, models):
/// JSON responses and the OpenAI error shape, agent-target resolution, the run-failure → HTTP mapping,
/// and the conversion of OpenAI-style messages to transcript entries / a SendRequest. Includes Boost.JSON.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>

#include "base/error.hpp"
#include "domain/model_client.hpp"
#include "domain/transcript.hpp"
#include "engine/run_engine.hpp"
#include "net/http_types.hpp"

namespace gw::config {
struct GatewayConfig;
}

namespace gw::api::internal {

namespace json = boost::json;

/// A request rejected before the engine sees it (OpenAI `invalid_request_error` unless `type` says else).
struct RequestError {
    RequestError() = default;

    RequestError(
        std::string msg,
        std::string parameter,
        int http_status = 400,
        std::string error_type = "invalid_request_error",
        std::string error_code = {}
    )
        : message(std::move(msg)),
          param(std::move(parameter)),
          status(http_status),
          type(std::move(error_type)),
          code(std::move(error_code)) {}

    std::string message;
    std::string param;  ///< empty → null
    int status = 400;
    std::string type = "invalid_request_error";
    std::string code;  ///< empty → null
};

net::HttpResponse JsonResponse(int status, const json::value& body);

/// `{"error":{"message","type","param","code"}}` (chat completions, models).
net::HttpResponse OpenAiError(const RequestError& error);

/// `{"error":{"message","type"}}` (responses).
net::HttpResponse ResponsesError(const RequestError& error);

/// Parses a JSON object body.
/// Nesting limit of request bodies (Boost.JSON's own default is 32 as well).
inline constexpr std::size_t kMaxJsonDepth = 32;

/// Parses a request body that must be a JSON object; `error` says why not (depth, syntax, type).
std::optional<json::object> ParseObject(std::string_view body, std::string& error);

/// Unix seconds now.
std::int64_t NowSeconds();

/// The configured agent ids (engine.Agents() plus the default agent), sorted, unique.
std::vector<std::string> KnownAgents(const engine::RunEngine& engine, const config::GatewayConfig& config);

/// Maps an OpenAI `model` agent target to an agent id: empty, `openclaw`, `openclaw/default` → the
/// default agent; `openclaw/<id>`, `openclaw:<id>`, `agent:<id>` → `<id>` (lower-cased). nullopt when the
/// target has another form or names an unknown agent.
std::optional<std::string> ResolveAgentTarget(
    std::string_view model, const std::vector<std::string>& known, std::string_view default_agent
);

/// The run deadline of `agent_id` (entry, else defaults, else 600 s).
std::chrono::milliseconds AgentTimeout(const config::GatewayConfig& config, std::string_view agent_id);

/// How a failed Submit or run is answered.
struct Failure {
    int status = 502;
    std::string type = "api_error";
    std::string code;
    std::string message;
    std::optional<std::chrono::seconds> retry_after;
};

/// What an SSE writer does with a run's events (see PumpRunEvents).
struct RunEventHandlers {
    /// A non-terminal event; false when writing to the client failed.
    std::function<boost::asio::awaitable<bool>(const engine::RunEvent&)> on_event;
    /// The terminal event (final, error or aborted).
    std::function<boost::asio::awaitable<void>(const engine::RunEvent&)> on_terminal;
    /// The stream ended without a terminal event.
    std::function<boost::asio::awaitable<void>(const Failure&)> fail;
    /// The client went away or a write failed: abort the run.
    std::function<boost::asio::awaitable<void>()> abort_run;
};

/// The event loop shared by the SSE writers of /v1/chat/completions and /v1/responses: reads `events`
/// until the terminal event and closes it. A client that went away or a failed write aborts the run; a
/// stream that ends without a terminal event is reported as 502 `stream_interrupted`.
boost::asio::awaitable<void> PumpRunEvents(
    engine::RunStream& events, const net::ResponseStream& out, RunEventHandlers handlers
);

/// kInvalidArgument 400 (engine message, it names what to configure), kRateLimited 429 + Retry-After,
/// kConflict 409, kUnavailable 503, kNotFound 404, kDeadlineExceeded 504, anything else 502.
Failure SubmitFailure(const Error& error);

/// A run that ended failed or aborted: rate_limited 429, timeout 504, context_length 400,
/// aborted 503 (`run_aborted`), anything else (auth, not_configured, bad_request, server, overloaded,
/// connection, malformed_stream) 502 `upstream_error`.
Failure RunFailure(domain::RunStatus status, std::optional<domain::ModelErrorKind> kind);

net::HttpResponse FailureResponse(const Failure& failure, bool responses_shape);
json::object FailureJson(const Failure& failure);

/// OpenAI finish_reason for a stop reason: length → "length", toolUse → "tool_calls", else "stop".
std::string_view FinishReason(std::optional<domain::StopReason> reason);

/// Text of the last assistant entry in `entries`.
std::string FinalText(const std::vector<domain::TranscriptEntry>& entries);

/// Tool calls of the last assistant entry whose name is one of `client_tools` (the calls the client must
/// answer; built-in calls were executed by the engine).
std::vector<domain::ToolCallBlock> ClientToolCalls(
    const std::vector<domain::TranscriptEntry>& entries, const std::vector<std::string>& client_tools
);

/// prompt_tokens (input + cache read + cache write), completion_tokens, total_tokens.
json::object ChatUsage(const domain::TokenUsage& usage);

/// input_tokens, output_tokens, total_tokens (+ input_tokens_details.cached_tokens).
json::object ResponsesUsage(const domain::TokenUsage& usage);

/// One OpenAI-style message after parsing (chat `messages[]` or responses `input[]`).
struct ParsedMessage {
    domain::Role role = domain::Role::kUser;  ///< kSystem for system/developer messages
    std::vector<domain::ContentBlock> content;
};

/// Splits parsed messages into a SendRequest: system messages → extra_system_prompt (joined by blank
/// lines); the trailing user message, or the trailing run of tool results (one kToolResult request holding
/// all their blocks), becomes the request's message; the earlier ones become `history` when
/// `include_history` (else they are dropped: the session transcript already holds them). Tool result
/// names are filled from matching assistant tool calls. Fails when no user/tool message ends the list.
std::optional<RequestError> FillMessages(
    std::vector<ParsedMessage> messages,
    bool include_history,
    engine::SendRequest& send,
    std::string_view param
);

/// Parses an image data URL `data:<mime>;base64,<data>` into an ImageBlock.
std::optional<domain::ImageBlock> ParseDataUrl(std::string_view url);

/// True when `text` looks like `provider/model` (both parts non-empty).
bool LooksLikeModelRef(std::string_view text);

/// OpenAI `tools` (`{type:"function",function:{name,description,parameters}}`) or the flat Responses
/// form (`{type:"function",name,description,parameters}`) → client tool specs.
std::optional<RequestError> ParseClientTools(const json::value& tools, engine::SendRequest& send);

/// A header value, or nullopt when missing or blank.
std::optional<std::string> HeaderValue(const net::HttpRequest& request, std::string_view name);

}  // namespace gw::api::internal
