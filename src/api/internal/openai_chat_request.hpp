#pragma once
/// @file
/// @brief Module-private: parses and validates a `/v1/chat/completions` request into a SendRequest.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/internal/openai_common.hpp"

namespace gw::api::internal {

struct ChatRequest {
    std::string model;  ///< as requested (echoed in responses); "openclaw" when absent
    bool stream = false;
    bool include_usage = false;
    std::vector<std::string> client_tool_names;
    engine::SendRequest send;  ///< agent, session key, message, history, options (queue mode followup)
};

struct ChatParse {
    std::optional<ChatRequest> request;
    RequestError error;  ///< when `request` is empty
};

/// Validates body and headers (x-openclaw-agent-id, x-openclaw-model, x-openclaw-session-key,
/// Idempotency-Key). `known_agents` as KnownAgents(); `default_agent` is the target of `openclaw`.
ChatParse ParseChatRequest(
    const net::HttpRequest& http, const std::vector<std::string>& known_agents, std::string_view default_agent
);

/// Common header handling of chat and responses: x-openclaw-agent-id (overrides `agent_id` when set;
/// must be known), x-openclaw-model (model_override), Idempotency-Key. Returns an error to send.
std::optional<RequestError> ApplyOpenClawHeaders(
    const net::HttpRequest& http,
    const std::vector<std::string>& known_agents,
    std::string& agent_id,
    engine::SendRequest& send
);

/// The part of request parsing chat and responses share: `model` → agent target (400 model_not_found),
/// then ApplyOpenClawHeaders, then the `stream` flag. On success the agent id is in `send.agent_id` and
/// `stream` and `send.stream` are set.
std::optional<RequestError> ApplyTargetAndStream(
    const net::HttpRequest& http,
    const json::object& body,
    std::string_view model,
    const std::vector<std::string>& known_agents,
    std::string_view default_agent,
    engine::SendRequest& send,
    bool& stream
);

/// Number of a JSON value (int or double), nullopt for other kinds.
std::optional<double> NumberOf(const json::value& value);

/// A token count: an integral number in [1, kMaxTokenCount] (checked before any conversion, so 1e19 is
/// refused rather than cast out of range).
inline constexpr double kMaxTokenCount = 1e12;
std::optional<std::int64_t> TokenCountOf(const json::value& value);

}  // namespace gw::api::internal
