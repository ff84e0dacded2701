#pragma once
/// @file
/// @brief Events of a run as the engine publishes them (what HTTP SSE, WS `chat`/`agent` events and
/// channel adapters are built from), and RunStream, one subscriber's bounded ordered view of them.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "domain/model_client.hpp"
#include "domain/run.hpp"
#include "domain/transcript.hpp"

namespace gw::engine {

/// One event of a run. `seq` counts 1, 2, ... per run (OpenClaw's per-run chat `seq`).
struct RunEvent {
    enum class Kind {
        kStarted,     ///< the run began calling the model (lifecycle start)
        kDelta,       ///< `delta`: streamed text / thinking / tool-call piece
        kToolCall,    ///< `tool_call`: a complete call the engine is about to execute
        kToolResult,  ///< `tool_result`: its outcome (appended to the transcript)
        kSteered,     ///< a steered message joined this run (`entry` is the user message)
        kUsage,       ///< `usage` of one model call
        kFinal,       ///< terminal: completed; `final_entries` holds what the run appended
        kError,       ///< terminal: failed; `error`/`error_kind` say why
        kAborted,     ///< terminal: aborted (chat.abort, interrupt, deadline, client gone)
    };
    Kind kind = Kind::kDelta;
    std::string run_id;
    std::string session_key;
    std::string tenant_id;
    std::int64_t seq = 0;
    std::int64_t at_ms = 0;
    std::optional<domain::ModelDelta> delta;
    std::optional<domain::ToolCallBlock> tool_call;
    std::optional<domain::ToolResultBlock> tool_result;
    std::optional<domain::TranscriptEntry> entry;
    std::optional<domain::TokenUsage> usage;
    // Terminal fields.
    std::vector<domain::TranscriptEntry> final_entries;  ///< assistant + toolResult entries of the run
    std::optional<domain::StopReason> stop_reason;
    std::optional<std::string> error;
    std::optional<domain::ModelErrorKind> error_kind;
    /// kStarted: the model called first; terminal events: the model that answered last.
    std::optional<domain::ModelRef> model;
    domain::TokenUsage total_usage;         ///< summed over the run's model calls

    bool Terminal() const noexcept {
        return kind == Kind::kFinal || kind == Kind::kError || kind == Kind::kAborted;
    }
};

/// A subscriber's view of one run (or of every run of a session): events in publish order, buffered up
/// to a bound. A subscriber that falls more than `max_buffered` events behind is cut off: `Next` then
/// fails with kRateLimited ("slow consumer") and no further events are kept for it. Thread-safe.
class RunStream {
public:
    virtual ~RunStream() = default;

    /// The next event, waiting for it; nullopt after the terminal event of a run stream (or when the
    /// engine stops). Honours terminal cancellation of the awaiting coroutine (kUnavailable).
    virtual boost::asio::awaitable<Result<std::optional<RunEvent>>> Next() = 0;

    /// Stops delivery; a pending Next returns nullopt.
    virtual void Close() = 0;
};

}  // namespace gw::engine
