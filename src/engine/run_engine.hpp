#pragma once
/// @file
/// @brief RunEngine: accepts messages for (tenant, session key), commits them, and runs agent turns —
/// one active run per session, queue modes, idempotency, deadlines and abort, prompt assembly, the tool
/// loop — publishing RunEvents. Used by every entry point (HTTP `/v1`, hooks, WS `chat.send`/`agent`,
/// channels). Embedded mode keeps run ownership in process; cluster mode swaps in leases (#7).

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include "base/error.hpp"
#include "config/agent_options.hpp"
#include "domain/clock.hpp"
#include "domain/model_client.hpp"
#include "domain/ports.hpp"
#include "engine/run_events.hpp"

namespace gw::obs {
class Registry;
class GatewayMetrics;
}  // namespace gw::obs

namespace gw::engine {

class ToolRegistry;

enum class QueueMode { kSteer, kFollowup, kCollect, kInterrupt };

/// "steer", "followup", "collect", "interrupt".
std::string_view QueueModeName(QueueMode mode) noexcept;
std::optional<QueueMode> ParseQueueMode(std::string_view name) noexcept;

/// One inbound message.
struct SendRequest {
    std::string tenant_id{domain::kDefaultTenantId};
    std::string user_id{domain::kDefaultUserId};
    std::string agent_id;     ///< empty = agents.default_agent; must name a configured agent (or "main")
    std::string session_key;  ///< any accepted key form; canonicalised (`main` = agent's main session)
    /// kUser; kSystem for hook wake events and chat.inject; kToolResult when the caller answers client
    /// tool calls (OpenAI `role:"tool"` messages: `content` then holds ToolResultBlocks).
    domain::Role role = domain::Role::kUser;
    std::vector<domain::ContentBlock> content;  ///< text / image blocks of the message
    /// Earlier turns supplied by the caller (stateless OpenAI requests send the whole conversation):
    /// committed before the message, in order, as part of the same run start.
    std::vector<domain::TranscriptEntry> history;
    std::optional<std::string> idempotency_key;
    std::optional<QueueMode> queue_mode;             ///< default: agents.queue.mode
    std::optional<std::string> model_override;       ///< `provider/model`; no fallback when set (strict)
    std::optional<std::string> extra_system_prompt;  ///< appended to the agent's (OpenAI `system` msgs)
    /// Client-defined tools (OpenAI `tools`): offered to the model next to the built-ins; a call to one
    /// is not executed, the run ends with stop reason toolUse and the call in its final entries.
    std::vector<domain::ToolSpec> client_tools;
    std::optional<std::string> tool_choice_json;
    std::optional<std::int64_t> max_output_tokens;
    std::optional<double> temperature;
    std::optional<double> top_p;
    std::optional<std::string> extra_params_json;
    std::optional<std::chrono::milliseconds> timeout;  ///< run deadline; default from the agent
    bool stream = true;                                ///< false: the provider is called without streaming
    bool no_run = false;  ///< commit only (chat.inject, hook wake mode next-heartbeat): no model call
};

/// The acknowledgement, sent once the message is durable.
struct SubmitAck {
    enum class Status {
        kStarted,    ///< a new run started now
        kQueued,     ///< a new run queued behind the active one (followup / collect)
        kSteered,    ///< joined the active run `run_id`
        kCommitted,  ///< no_run: stored only
        kDuplicate,  ///< the idempotency key was seen: `run_id` is the first request's run
    };
    Status status = Status::kStarted;
    std::string run_id;
    std::string session_id;
    std::string session_key;  ///< canonical
    std::string agent_id;
    std::string transcript_id;
    std::string message_id;  ///< the committed entry id (empty for kDuplicate)
    /// Events of `run_id` from its first event on (kStarted/kQueued only; also kSteered, from now).
    /// Null for kCommitted and kDuplicate (use Wait).
    std::shared_ptr<RunStream> events;
};

/// The terminal state of a run (agent.wait, non-streaming HTTP, idempotent replay).
struct RunOutcome {
    domain::Run run;
    std::string session_key;  ///< canonical key of the run's session
    std::string agent_id;
    std::vector<domain::TranscriptEntry> entries;  ///< assistant + toolResult entries the run appended
    domain::TokenUsage usage;
    std::optional<domain::ModelErrorKind> error_kind;
};

struct RunEngineDeps {
    boost::asio::io_context& ioc;
    domain::SessionRepository& sessions;
    domain::TranscriptRepository& transcripts;
    domain::IdempotencyRepository& idempotency;
    domain::ModelClient& models;
    ToolRegistry& tools;
    obs::Registry& registry;                         ///< run metrics are registered here
    obs::GatewayMetrics* gateway_metrics = nullptr;  ///< messages processed, active sessions (optional)
    domain::WallClock clock = domain::SystemWallClock();
};

/// Thread-safe. Runs execute on `ioc`. Errors of Submit: kInvalidArgument (unknown agent, bad key,
/// empty message, bad override), kRateLimited (session backlog full: "queue full (cap N)"),
/// kUnavailable (engine stopping, store unavailable), kConflict (idempotency key reused for a different
/// session), kFailedPrecondition-like cases use kInvalidArgument with a message naming what to configure
/// (e.g. "no model configured for agent main: set agents.defaults.model and models.providers").
class RunEngine {
public:
    static Result<std::unique_ptr<RunEngine>> Create(RunEngineDeps deps, const config::AgentsOptions& agents);

    virtual ~RunEngine() = default;

    /// Resolves agent and session, dedupes by idempotency key, commits the message (and `history`), then
    /// starts, queues or steers per the queue mode. Returns once the message is durable.
    virtual boost::asio::awaitable<Result<SubmitAck>> Submit(SendRequest request) = 0;

    /// Aborts a queued or running run: the upstream call is cancelled, partial text is kept in an
    /// assistant entry with stop reason aborted, the run is recorded `aborted`. kNotFound if the tenant
    /// has no such run; a run that already ended is returned unchanged (not an error).
    virtual boost::asio::awaitable<Result<domain::Run>> Abort(
        std::string tenant_id, std::string run_id, std::string reason
    ) = 0;

    /// Aborts the session's active and queued runs; returns how many were aborted.
    virtual boost::asio::awaitable<Result<int>> AbortSession(
        std::string tenant_id, std::string session_key
    ) = 0;

    /// Waits until the run ends or `timeout` passes (then kDeadlineExceeded). kNotFound for unknown runs.
    virtual boost::asio::awaitable<Result<RunOutcome>> Wait(
        std::string tenant_id, std::string run_id, std::chrono::milliseconds timeout
    ) = 0;

    /// Every event of every run of one session from now on (sessions.messages.subscribe, WS `chat`).
    virtual std::shared_ptr<RunStream> SubscribeSession(std::string tenant_id, std::string session_key) = 0;

    /// Every event of every run of the tenant from now on (operator WS clients).
    virtual std::shared_ptr<RunStream> SubscribeAll(std::string tenant_id) = 0;

    /// Agent ids with their resolved settings (for /v1/models and agents.list).
    virtual std::vector<config::AgentOptions> Agents() const = 0;

    /// Runs in flight (running, not queued).
    virtual std::size_t ActiveRuns() const = 0;

    /// Stops accepting (kUnavailable), aborts queued runs, and waits up to `grace` for active ones, then
    /// aborts them (recorded aborted with "gateway shutting down").
    virtual boost::asio::awaitable<void> Shutdown(std::chrono::milliseconds grace) = 0;
};

}  // namespace gw::engine
