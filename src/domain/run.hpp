#pragma once
/// @file
/// @brief Runs: one agent turn started by an accepted message (runId), with its terminal status.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/transcript.hpp"

namespace gw::domain {

enum class RunStatus { kRunning, kCompleted, kFailed, kAborted };

/// "running", "completed", "failed", "aborted".
std::string_view RunStatusName(RunStatus status) noexcept;
std::optional<RunStatus> ParseRunStatus(std::string_view name) noexcept;

/// The error recorded on runs that a crashed process left running (RecoverInterruptedRuns).
inline constexpr std::string_view kRunInterruptedError = "process restarted";

struct Run {
    std::string id;  ///< runId (OpenClaw uses the idempotency key); unique per tenant
    std::string tenant_id;
    std::string session_id;
    std::string transcript_id;
    std::string user_id;
    std::optional<std::string> idempotency_key;  ///< unique per tenant: a second run is never started
    RunStatus status = RunStatus::kRunning;
    std::optional<StopReason> stop_reason;
    std::optional<std::string> error;  ///< why it failed or was aborted
    std::int64_t started_at_ms = 0;
    std::optional<std::int64_t> ended_at_ms;

    friend bool operator==(const Run&, const Run&) = default;
};

/// StartRun input: the run (status and timestamps are set by the store) and the entries that start it
/// (the user message), committed together before the request is acknowledged.
struct RunStart {
    Run run;
    std::vector<TranscriptEntry> entries;
};

struct StartRunResult {
    bool started = false;  ///< false: the idempotency key already has a run, returned in `run`
    Run run;
};

/// FinishRun input: the terminal status and the entries that end the run (the assistant reply),
/// committed together.
struct RunFinish {
    std::string tenant_id;
    std::string run_id;
    RunStatus status = RunStatus::kCompleted;  ///< must not be kRunning
    std::optional<StopReason> stop_reason;
    std::optional<std::string> error;
    std::vector<TranscriptEntry> entries;
};

}  // namespace gw::domain
