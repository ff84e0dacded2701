#pragma once
/// @file
/// @brief JSON projections shared by the WS methods and the event hub: transcript entries as OpenClaw
/// messages (`{role, content[], timestamp, …, __openclaw:{id, seq, runId?}}`), token usage, and the
/// agent id of a session key. Module-internal (includes Boost.JSON).

#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "domain/token_usage.hpp"
#include "domain/transcript.hpp"

namespace gw::api::ws {

/// pi-format usage `{input, output, cacheRead, cacheWrite, totalTokens}`.
boost::json::object UsageJson(const domain::TokenUsage& usage);

/// One transcript entry as an OpenClaw message: text/thinking/toolCall/image blocks, toolResult entries as
/// `{role:"toolResult", toolCallId, toolName, content, isError}`, assistant metadata (provider, model,
/// usage, stopReason, errorMessage), and `__openclaw:{id, seq, runId?}`.
boost::json::object ProjectEntry(const domain::TranscriptEntry& entry);

/// `{role:"assistant", content:[{type:"text", text}], timestamp}`.
boost::json::object AssistantTextMessage(std::string_view text, std::int64_t timestamp_ms);

/// The agent id of a stored session key (`agent:<id>:…`); "main" when it does not parse.
std::string AgentOfSessionKey(std::string_view session_key);

}  // namespace gw::api::ws
