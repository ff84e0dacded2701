#pragma once
/// @file
/// @brief Helpers shared by the core WS methods (core_*.cpp): identity of the caller, agent and session
/// key resolution, session rows, run outcome payloads, and the per-file registration functions that
/// RegisterCoreMethods calls. Module-internal (includes Boost.JSON).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>

#include "api/ws/internal/methods.hpp"
#include "domain/run.hpp"
#include "domain/session.hpp"
#include "domain/session_key.hpp"
#include "engine/run_engine.hpp"

namespace gw::api::ws {

using Reply = boost::asio::awaitable<MethodReply>;

inline const std::string& TenantOf(const MethodCall& call) { return call.conn->Info().tenant_id; }
inline const std::string& UserOf(const MethodCall& call) { return call.conn->Info().user_id; }

/// Milliseconds since the epoch from the services' clock (system clock when unset).
std::int64_t NowMs(const GatewayServices& services);

/// agents.default_agent (or "main").
std::string DefaultAgentId(const GatewayServices& services);
/// engine.Agents() ids plus the default agent, sorted, unique.
std::vector<std::string> KnownAgentIds(const GatewayServices& services);
/// The agent id to use: `requested` when it names a known agent (error otherwise), else the default.
std::variant<std::string, WsError> PickAgent(const GatewayServices& services, const std::optional<std::string>& requested,
                                             std::string_view method);
/// Resolves a request key (`main`, `agent:<a>:…`, or a bare rest) under `agent_id`; INVALID_REQUEST on error.
std::variant<domain::SessionKey, WsError> ResolveKey(std::string_view key, std::string_view agent_id);

/// A sessions.list row (§2.4): key, sessionId, kind, chatType, agentId, isMain, updatedAt, status, model,
/// modelProvider, token counts, hasActiveRun, activeRunIds, effectiveQueueMode, lastRunId, label, ….
boost::json::object SessionRow(const GatewayServices& services, const domain::Session& session,
                               const std::optional<domain::Run>& last_run);
/// The last run of the session (nullopt when none or unreadable).
boost::asio::awaitable<std::optional<domain::Run>> LastRun(GatewayServices& services, const domain::Session& session);

/// "ok" | "error" (failed or aborted).
std::string_view OutcomeStatus(const engine::RunOutcome& outcome);
/// Text of the last assistant entry of the outcome.
std::string OutcomeText(const engine::RunOutcome& outcome);
/// The `agent` method's terminal payload for a finished run.
boost::json::object AgentTerminalPayload(const engine::RunOutcome& outcome);
/// agent.wait's payload for a finished run.
boost::json::object WaitPayload(const engine::RunOutcome& outcome);

/// A TranscriptEntry-shaped projection of a just-committed message, for session.message.
boost::json::object CommittedMessage(const engine::SubmitAck& ack, domain::Role role,
                                     const std::vector<domain::ContentBlock>& content, std::int64_t now_ms);

/// Per-file registration (core_*.cpp).
void RegisterSystemMethods(MethodRegistry& registry);
void RegisterChatMethods(MethodRegistry& registry);
void RegisterAgentMethods(MethodRegistry& registry);
void RegisterSessionMethods(MethodRegistry& registry);
void RegisterToolMethods(MethodRegistry& registry);

}  // namespace gw::api::ws
