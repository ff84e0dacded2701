#pragma once
/// @file
/// @brief EngineImpl: the in-process RunEngine (embedded mode). Split over engine_*.cpp by concern.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/internal/engine_support.hpp"
#include "engine/internal/run_state.hpp"
#include "engine/run_engine.hpp"
#include "engine/tools.hpp"
#include "obs/metrics.hpp"

namespace gw::engine::internal {

inline constexpr std::size_t kEndedRunsKept = 1024;

class EngineImpl final : public RunEngine {
public:
    EngineImpl(
        RunEngineDeps deps, const config::AgentsOptions& agents, std::map<std::string, AgentConfig> resolved
    );
    ~EngineImpl() override;

    boost::asio::awaitable<Result<SubmitAck>> Submit(SendRequest request) override;
    boost::asio::awaitable<Result<domain::Run>> Abort(
        std::string tenant_id, std::string run_id, std::string reason
    ) override;
    boost::asio::awaitable<Result<int>> AbortSession(std::string tenant_id, std::string session_key) override;
    boost::asio::awaitable<Result<RunOutcome>> Wait(
        std::string tenant_id, std::string run_id, std::chrono::milliseconds timeout
    ) override;
    std::shared_ptr<RunStream> SubscribeSession(std::string tenant_id, std::string session_key) override;
    std::shared_ptr<RunStream> SubscribeAll(std::string tenant_id) override;
    std::vector<config::AgentOptions> Agents() const override;
    std::size_t ActiveRuns() const override;
    boost::asio::awaitable<void> Shutdown(std::chrono::milliseconds grace) override;

private:
    using RunPtr = std::shared_ptr<RunState>;
    using LanePtr = std::shared_ptr<Lane>;

    enum class PlanKind { kNoRun, kNewRun, kSteer, kCollectAppend };

    struct Plan {
        PlanKind kind = PlanKind::kNoRun;
        RunPtr run;  ///< the new run, or the target of steer / collect
        SubmitAck::Status status = SubmitAck::Status::kStarted;
        std::shared_ptr<EventStream> events;
        std::optional<std::string> joined_key;  ///< idempotency key added to a steer/collect target
    };

    struct Target {  // resolved agent + session of a request
        const AgentConfig* agent = nullptr;
        std::string key;
        std::optional<domain::SessionKey> parsed;
    };

    // engine_submit.cpp
    Result<Target> ResolveTarget(const SendRequest& request) const;
    Result<Plan> PlanLocked(
        const LanePtr& lane,
        const SendRequest& request,
        const Target& target,
        const domain::Session& session,
        QueueMode mode,
        bool allow_steer
    );
    void UnplanLocked(const Plan& plan);
    boost::asio::awaitable<Result<std::vector<domain::TranscriptEntry>>> CommitSubmit(
        const Plan& plan,
        const LanePtr& lane,
        const domain::Session& session,
        std::vector<domain::TranscriptEntry> entries,
        std::optional<domain::Run>* duplicate,
        bool* spawned_early
    );
    boost::asio::awaitable<Result<SubmitAck>> Duplicate(
        const domain::IdempotencyRecord& record, const Target& target, const domain::Session& session
    );
    /// Fills parent ids from the lane's last entry (reading it once when unknown). Under commit_mutex.
    boost::asio::awaitable<Result<void>> ChainEntries(
        const LanePtr& lane,
        const std::string& tenant,
        const std::string& transcript_id,
        std::vector<domain::TranscriptEntry>& entries
    );

    // engine_run.cpp
    struct Ending {
        domain::RunStatus status = domain::RunStatus::kCompleted;
        std::optional<domain::StopReason> stop_reason;
        std::optional<std::string> error;
        std::optional<domain::ModelErrorKind> error_kind;
        std::vector<domain::TranscriptEntry> entries;  ///< written with FinishRun
    };

    struct LoopState {  // strand-confined
        int model_calls = 0;
        std::vector<domain::TranscriptEntry> appended;  ///< intermediate entries already written
        domain::TokenUsage usage;
        std::optional<domain::ModelRef> model;
        std::string partial_text;  ///< text streamed by the current model call
        std::optional<SteadyTime> started;
    };

    void Spawn(const RunPtr& run);
    boost::asio::awaitable<void> RunMain(RunPtr run);
    boost::asio::awaitable<void> RunBody(const RunPtr& run, LoopState& state);
    boost::asio::awaitable<Ending> RunLoop(const RunPtr& run, LoopState& state);
    boost::asio::awaitable<Result<std::vector<domain::TranscriptEntry>>> BuildMessages(const RunPtr& run);
    std::vector<domain::ToolSpec> OfferedTools(const RunPtr& run, std::set<std::string>* builtins) const;
    boost::asio::awaitable<std::optional<domain::TranscriptEntry>> ExecuteTool(
        const RunPtr& run, const domain::ToolCallBlock& call, const std::set<std::string>& builtins
    );
    Ending Stopped(const RunPtr& run, LoopState& state) const;
    domain::TranscriptEntry NewEntry(const RunPtr& run, domain::Role role) const;
    boost::asio::awaitable<Result<std::vector<domain::TranscriptEntry>>> AppendRunEntries(
        const RunPtr& run, std::vector<domain::TranscriptEntry> entries
    );
    // engine_end.cpp
    /// Ends the run (FinishRun, terminal event, metrics, idempotency, lane). For kCompleted, when steered
    /// messages arrived after the last model call, appends `ending.entries` instead and returns false.
    boost::asio::awaitable<bool> EndRun(const RunPtr& run, Ending ending, LoopState& state);

    // engine_control.cpp
    RunPtr FindRun(const std::string& tenant, const std::string& run_id) const;
    void RequestStop(const RunPtr& run, std::string reason);
    void GiveTurn(const RunPtr& run);
    void Publish(const RunPtr& run, RunEvent event);
    std::shared_ptr<EventStream> AttachRunStream(const RunPtr& run);
    void ReleaseLaneLocked(const LanePtr& lane);
    void RemoveFromLaneLocked(const RunPtr& run);
    void UpdateSessionsActiveLocked();
    void RecordEndedLocked(const RunPtr& run);
    boost::asio::awaitable<Result<RunOutcome>> OutcomeFromStore(std::string tenant_id, std::string run_id);
    boost::asio::awaitable<void> WaitForNoLiveRuns(std::chrono::milliseconds limit);

    std::int64_t NowMs() const { return clock_(); }

    LanePtr LaneFor(const std::string& tenant, const std::string& key);

    boost::asio::io_context& ioc_;
    domain::SessionRepository& sessions_;
    domain::TranscriptRepository& transcripts_;
    domain::IdempotencyRepository& idempotency_;
    domain::ModelClient& models_;
    ToolRegistry& tools_;
    obs::GatewayMetrics* gateway_metrics_;
    domain::WallClock clock_;

    const std::map<std::string, AgentConfig> agents_;
    const std::string default_agent_;
    const QueueMode default_mode_;
    const std::size_t queue_cap_;
    const std::chrono::milliseconds collect_debounce_;
    AsyncSemaphore slots_;  ///< agents.max_concurrent

    obs::Gauge& in_flight_;
    obs::CounterFamily& runs_total_;
    obs::Counter& queue_rejections_;
    obs::Histogram& run_duration_;
    obs::CounterFamily& tool_calls_;

    mutable std::mutex mutex_;  // guards everything below (never held across co_await or while ringing)
    bool stopping_ = false;
    std::map<std::string, LanePtr> lanes_;  // tenant '\n' key
    std::map<std::string, RunPtr> runs_;    // tenant '\n' run id (live and recently ended)
    std::deque<std::string> ended_;         // run map keys, oldest first
    std::size_t live_runs_ = 0;
    std::size_t running_ = 0;

    mutable std::mutex subs_mutex_;  // guards the subscriber maps; taken after a run's pub_mutex
    std::map<std::string, std::vector<std::weak_ptr<EventStream>>> session_subs_;  // tenant '\n' key
    std::map<std::string, std::vector<std::weak_ptr<EventStream>>> tenant_subs_;
};

inline std::string MapKey(const std::string& a, const std::string& b) {
    return a + '\n' + b;
}

}  // namespace gw::engine::internal
