#pragma once
/// @file
/// @brief In-memory state of runs and session lanes (see README "Threading").

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "domain/session.hpp"
#include "domain/transcript.hpp"
#include "engine/internal/event_stream.hpp"
#include "engine/internal/sync.hpp"
#include "engine/run_engine.hpp"

namespace gw::engine::internal {

struct AgentConfig;
struct RunState;

using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;
using SteadyTime = std::chrono::steady_clock::time_point;

/// One session's queue of runs and its commit serialisation.
struct Lane {
    Lane(boost::asio::any_io_executor ex, std::string tenant, std::string key)
        : tenant_id(std::move(tenant)), session_key(std::move(key)), commit_mutex(std::move(ex), 1) {}

    const std::string tenant_id;
    const std::string session_key;
    // Guarded by the engine mutex.
    std::shared_ptr<RunState> active;  ///< holds the session's turn (may still wait for a global slot)
    std::deque<std::shared_ptr<RunState>> queued;
    std::shared_ptr<RunState> collect;  ///< queued run that collects messages until collect_until
    SteadyTime collect_until{};
    int pending_submits = 0;
    // Every transcript write of the session runs under commit_mutex (parent chain, steering checks).
    AsyncSemaphore commit_mutex;
    std::map<std::string, std::string> last_entry;  ///< transcript id → last entry id (under commit_mutex)
    std::uint64_t writes = 0;  ///< transcript writes attempted by this lane (under commit_mutex)
};

/// What a run was asked for (copied out of its SendRequest).
struct RunParams {
    std::optional<domain::ModelRef> model_override;
    std::optional<std::string> extra_system_prompt;
    std::vector<domain::ToolSpec> client_tools;
    std::optional<std::string> tool_choice_json;
    std::optional<std::int64_t> max_output_tokens;
    std::optional<double> temperature;
    std::optional<double> top_p;
    std::optional<std::string> extra_params_json;
    std::chrono::milliseconds timeout{0};
    bool stream = true;
};

enum class RunPhase { kQueued, kRunning, kEnded };

struct RunState {
    RunState(Strand s) : strand(s), stop_timer(s, SteadyTime::max()), turn_timer(s, SteadyTime::max()) {}

    // Immutable after Submit planned it.
    std::string run_id;
    std::string tenant_id;
    std::string user_id;
    std::string session_key;
    std::string agent_id;
    domain::Session session;
    const AgentConfig* agent = nullptr;
    RunParams params;
    std::shared_ptr<Lane> lane;
    Strand strand;

    // Strand-confined (the run coroutine and posted abort/turn handlers).
    boost::asio::steady_timer stop_timer;  ///< fires on abort (expiry moved to the past) or at the deadline
    bool stop_requested = false;
    std::string stop_reason;
    boost::asio::steady_timer turn_timer;  ///< fires when the session's turn reaches the run
    bool has_turn = false;
    std::optional<SteadyTime> not_before;  ///< collect debounce
    SteadyTime deadline = SteadyTime::max();
    int steered_seen = 0;
    std::vector<std::string> prompt_order;  ///< this run's entries as the last model call saw them

    // Guarded by the engine mutex.
    RunPhase phase = RunPhase::kQueued;
    bool committed = false;
    bool spawned = false;
    int messages = 1;  ///< queued messages this run carries (backlog cap)
    std::vector<std::string> idempotency_keys;
    std::int64_t ended_order = 0;

    // Guarded by the lane's commit mutex.
    int steered_total = 0;
    /// The whole transcript as StartRun left it, when it was empty before (a new session): the first
    /// model call builds its prompt from it instead of reading History, unless the lane wrote since
    /// (`lane->writes != known_at_writes`).
    std::optional<std::vector<domain::TranscriptEntry>> known_transcript;
    std::uint64_t known_at_writes = 0;
    /// Spawned before its StartRun committed, so the model call overlaps the commit (see CommitSubmit);
    /// set before the spawn, then only the run coroutine reads it. Its first prompt is known_transcript.
    bool early = false;
    /// An early run whose StartRun failed: EndRun writes nothing (there is no run row) and fails the run.
    bool commit_failed = false;

    // Guarded by pub_mutex.
    std::mutex pub_mutex;
    std::int64_t seq = 0;
    std::vector<std::weak_ptr<EventStream>> subscribers;
    bool ended = false;
    std::optional<RunOutcome> outcome;
};

}  // namespace gw::engine::internal
