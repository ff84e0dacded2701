#pragma once
/// @file
/// @brief RunEventMapper: turns engine RunEvents into OpenClaw `chat` and `agent` event payloads
/// (reference §2.5), each serialised once. Keeps per-run state (cumulative text, per-run `seq`, start
/// time); a run's state is dropped at its terminal event. Not thread-safe: one mapper per pump.

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/run_events.hpp"

namespace gw::api::ws {

/// One event to fan out.
struct MappedEvent {
    enum class Audience {
        kRead,        ///< connections holding operator.read
        kToolEvents,  ///< ... that also advertise the `tool-events` cap
    };
    std::string event;         ///< "chat" or "agent"
    std::string payload_json;  ///< serialised payload
    Audience audience = Audience::kRead;
};

class RunEventMapper {
public:
    /// `now_ms` stamps events whose `at_ms` is 0.
    std::vector<MappedEvent> Map(const engine::RunEvent& event, std::int64_t now_ms);

    /// Runs with state (started, not yet terminal).
    std::size_t TrackedRuns() const noexcept { return runs_.size(); }

private:
    struct RunState {
        std::string agent_id;
        std::int64_t seq = 0;
        std::int64_t started_at_ms = 0;
        std::string text;
        bool model_announced = false;
    };
    std::map<std::string, RunState> runs_;
};

/// "refusal" | "timeout" | "rate_limit" | "context_length" | "unknown" (chat `error.errorKind`).
std::string_view ChatErrorKind(std::optional<domain::ModelErrorKind> kind) noexcept;

}  // namespace gw::api::ws
