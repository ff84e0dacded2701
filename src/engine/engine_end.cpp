// EngineImpl::EndRun: FinishRun, the terminal event, metrics, idempotency results, the session lane.
#include <utility>

#include "engine/internal/engine_impl.hpp"
#include "obs/log.hpp"

namespace gw::engine::internal {

namespace asio = boost::asio;

namespace {

RunEvent::Kind TerminalKind(domain::RunStatus status) {
    switch (status) {
        case domain::RunStatus::kCompleted:
            return RunEvent::Kind::kFinal;
        case domain::RunStatus::kAborted:
            return RunEvent::Kind::kAborted;
        default:
            return RunEvent::Kind::kError;
    }
}

}  // namespace

asio::awaitable<bool> EngineImpl::EndRun(const RunPtr& run, Ending ending, LoopState& state) {
    Lane& lane = *run->lane;
    const std::string& transcript = run->session.transcript_id;
    Result<domain::Run> finished = MakeError(ErrorCode::kUnavailable, "commit cancelled");
    const bool locked = co_await lane.commit_mutex.Acquire();
    if (locked && run->commit_failed) {
        // An early run whose StartRun failed (CommitSubmit): there is no run row and nothing to write.
        lane.commit_mutex.Release();
        ending = Ending{
            domain::RunStatus::kFailed,
            domain::StopReason::kError,
            "message not committed",
            std::nullopt,
            {}};
        state.appended.clear();
        domain::Run r;
        r.id = run->run_id;
        r.tenant_id = run->tenant_id;
        r.session_id = run->session.id;
        r.transcript_id = transcript;
        r.user_id = run->user_id;
        r.status = ending.status;
        r.stop_reason = ending.stop_reason;
        r.error = ending.error;
        finished = r;
    } else if (locked) {
        PermitGuard guard(lane.commit_mutex);
        if (ending.status == domain::RunStatus::kCompleted && run->steered_total > run->steered_seen) {
            // Messages were steered into the run after its last model call: keep going.
            std::string last = ending.entries.back().id;
            auto chained = co_await ChainEntries(run->lane, run->tenant_id, transcript, ending.entries);
            Result<std::vector<domain::TranscriptEntry>> stored = MakeError(ErrorCode::kInternal, "unset");
            if (chained) {
                auto to_append = ending.entries;
                stored = co_await transcripts_.Append(std::move(to_append));
                ++lane.writes;
            } else {
                stored = chained.error();
            }
            if (stored) {
                lane.last_entry[transcript] = last;
                state.appended.insert(state.appended.end(), stored->begin(), stored->end());
                co_return false;
            }
            lane.last_entry.erase(transcript);
            ending = Ending{
                domain::RunStatus::kFailed,
                domain::StopReason::kError,
                "transcript write failed: " + stored.error().message,
                std::nullopt,
                {}};
        }
        auto chained = co_await ChainEntries(run->lane, run->tenant_id, transcript, ending.entries);
        if (!chained) {
            ending.entries.clear();  // still end the run in the store
        }
        std::optional<std::string> last;
        if (!ending.entries.empty()) {
            last = ending.entries.back().id;
        }
        domain::RunFinish finish{
            run->tenant_id, run->run_id, ending.status, ending.stop_reason, ending.error, ending.entries};
        finished = co_await transcripts_.FinishRun(std::move(finish));
        ++lane.writes;
        if (finished && last) {
            lane.last_entry[transcript] = *last;
        } else if (!finished) {
            lane.last_entry.erase(transcript);
        }
    }
    if (!finished) {
        obs::Log(
            obs::LogLevel::kError,
            "gw.engine",
            "FinishRun failed",
            {{"run_id", run->run_id}, {"error", finished.error().message}}
        );
        if (finished.error().code == ErrorCode::kConflict) {
            auto current = co_await transcripts_.GetRun(run->tenant_id, run->run_id);
            if (current) {
                finished = *current;
            }
        }
        if (!finished) {
            domain::Run r;
            r.id = run->run_id;
            r.tenant_id = run->tenant_id;
            r.session_id = run->session.id;
            r.transcript_id = transcript;
            r.user_id = run->user_id;
            r.status = ending.status;
            r.stop_reason = ending.stop_reason;
            r.error = ending.error;
            finished = r;
        }
        ending.entries.clear();
    }

    RunOutcome outcome;
    outcome.run = *finished;
    outcome.session_key = run->session_key;
    outcome.agent_id = run->agent_id;
    outcome.entries = state.appended;
    outcome.entries.insert(outcome.entries.end(), ending.entries.begin(), ending.entries.end());
    outcome.usage = state.usage;
    outcome.error_kind = ending.error_kind;

    RunEvent terminal;
    terminal.kind = TerminalKind(outcome.run.status);
    terminal.final_entries = outcome.entries;
    terminal.stop_reason = outcome.run.stop_reason ? outcome.run.stop_reason : ending.stop_reason;
    terminal.error = outcome.run.error ? outcome.run.error : ending.error;
    terminal.error_kind = ending.error_kind;
    terminal.model = state.model;
    terminal.total_usage = state.usage;
    {
        std::lock_guard lock(run->pub_mutex);
        run->outcome = outcome;
    }
    Publish(run, std::move(terminal));

    runs_total_.WithLabels({domain::RunStatusName(outcome.run.status)}).Inc();
    if (state.started) {
        run_duration_.Observe(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - *state.started).count()
        );
    }
    std::vector<std::string> keys;
    {
        std::lock_guard lock(mutex_);
        keys = run->idempotency_keys;
        RemoveFromLaneLocked(run);
        RecordEndedLocked(run);
        ReleaseLaneLocked(run->lane);
        UpdateSessionsActiveLocked();
    }
    for (const auto& key : keys) {
        auto result = ResultJson(
            run->run_id,
            domain::RunStatusName(outcome.run.status),
            run->session_key,
            run->agent_id,
            outcome.run.error
        );
        std::string claim_key = "agent:" + key;
        auto done = co_await idempotency_.Complete(run->tenant_id, std::move(claim_key), std::move(result));
        if (!done) {
            obs::Log(
                obs::LogLevel::kWarn,
                "gw.engine",
                "idempotency result not stored",
                {{"run_id", run->run_id}, {"error", done.error().message}}
            );
        }
    }
    co_return true;
}

}  // namespace gw::engine::internal
