#pragma once
/// @file
/// @brief Parsing of `/hooks/wake` and `/hooks/agent` bodies (reference §3) into engine requests: pure
/// functions, separately fuzzed (fuzz/hooks_request_fuzz.cpp).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/run_engine.hpp"

namespace gw::api::internal {

/// What the parse needs from configuration.
struct HookParseContext {
    std::vector<std::string> known_agents;  ///< agentId must be one of these
    std::string default_agent;              ///< hooks.default_agent, else the gateway's default agent
};

/// A parse: `send` is set, or `error` names the bad field (a 400 message).
struct HookWakeParse {
    std::optional<engine::SendRequest> send;
    std::string mode;  ///< "now" or "next-heartbeat"
    std::string error;
};

struct HookAgentParse {
    std::optional<engine::SendRequest> send;
    std::string session_mode;  ///< "isolated" or "persistent"
    std::optional<std::string> name;
    std::string error;
};

/// {text, mode?, agentId?, sessionKey?} → a system message for the session (default "main"), queued as
/// followup; mode next-heartbeat stores it without a run.
HookWakeParse ParseHookWake(std::string_view body, const HookParseContext& ctx);

/// {message, agentId?, sessionKey?, sessionMode?, model?, idempotencyKey?, name?, timeoutSeconds?} → a
/// user message for the session (default a fresh `hook:<uuid>`), queued as followup.
HookAgentParse ParseHookAgent(std::string_view body, const HookParseContext& ctx);

}  // namespace gw::api::internal
