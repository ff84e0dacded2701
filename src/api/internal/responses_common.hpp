#pragma once
/// @file
/// @brief Module-private: `/v1/responses` request parsing and the response object / item builders.

#include <optional>
#include <string>
#include <vector>

#include "api/internal/openai_handlers.hpp"

namespace gw::api::internal {

struct ResponsesRequest {
    std::string model;  ///< as requested; "openclaw" when absent
    bool stream = false;
    std::optional<std::string> previous_response_id;
    std::optional<std::string> instructions;
    std::vector<std::string> client_tool_names;
    engine::SendRequest send;
};

/// Parses body and headers. Needs the engine for `previous_response_id` (Wait with a zero timeout:
/// unknown → 400, still running → 409), hence a coroutine. On failure `error` is set.
struct ResponsesParse {
    std::optional<ResponsesRequest> request;
    RequestError error;
};

/// The synchronous part (separately fuzzed): body, headers, agent target, items. With
/// `previous_response_id` set, `send.session_key` stays empty for ParseResponsesRequest to resolve.
ResponsesParse ParseResponsesBody(
    const net::HttpRequest& http, const std::vector<std::string>& known_agents, const std::string& default_agent
);

boost::asio::awaitable<ResponsesParse> ParseResponsesRequest(
    const ConversationDeps& deps, const net::HttpRequest& http
);

/// The response object: {id, object:"response", created_at, status, model, output, usage?, ...}.
json::object ResponseObject(
    const ResponsesRequest& req,
    std::string_view id,
    std::int64_t created_at,
    std::string_view status,
    json::array output,
    const domain::TokenUsage* usage
);

/// The assistant message item; `phase` (e.g. "final_answer") is added when not empty.
json::object MessageItem(
    std::string_view id, std::string_view status, const std::string* text, std::string_view phase
);
json::object OutputTextPart(std::string_view text);
json::object FunctionCallItem(const domain::ToolCallBlock& call, std::string_view status);

/// "resp_<runId>" / "msg_<runId>".
std::string ResponseId(std::string_view run_id);
std::string MessageId(std::string_view run_id);

/// The streaming (SSE) answer of an accepted request.
net::HttpResponse ResponsesStreamResponse(
    const ConversationDeps& deps,
    ResponsesRequest req,
    engine::SubmitAck ack,
    std::chrono::milliseconds wait_timeout
);

}  // namespace gw::api::internal
