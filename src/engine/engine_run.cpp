// EngineImpl: the run coroutine — waiting for the session turn and a global slot, the model/tool loop.
#include <algorithm>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "base/ids.hpp"
#include "engine/internal/engine_impl.hpp"
#include "obs/log.hpp"
#include "runtime/log_on_error.hpp"

namespace gw::engine::internal {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;

namespace {

/// Completes when the run's stop timer fires: abort requested or deadline reached.
asio::awaitable<void> StopWait(std::shared_ptr<RunState> run) {
    co_await run->stop_timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

ToolContext ContextOf(const RunState& run) {
    return ToolContext{
        run.tenant_id, run.user_id, run.agent_id, run.session_key, run.session.transcript_id, run.run_id};
}

}  // namespace

void EngineImpl::Spawn(const RunPtr& run) {
    {
        std::lock_guard lock(mutex_);
        run->spawned = true;
    }
    asio::co_spawn(run->strand, RunMain(run), runtime::LogOnError("engine.run"));
}

asio::awaitable<void> EngineImpl::RunMain(RunPtr run) {
    struct Live {
        EngineImpl* self;

        ~Live() {
            std::lock_guard lock(self->mutex_);
            --self->live_runs_;
        }
    } live{this};

    LoopState state;
    std::string failure;
    try {
        co_await RunBody(run, state);
    } catch (const std::exception& e) {
        failure = e.what();
    }
    if (failure.empty()) {
        co_return;
    }
    obs::Log(
        obs::LogLevel::kError,
        "gw.engine",
        "run failed unexpectedly",
        {{"run_id", run->run_id}, {"error", failure}}
    );
    bool ended = false;
    {
        std::lock_guard lock(run->pub_mutex);
        ended = run->ended;
    }
    if (!ended) {
        Ending ending{
            domain::RunStatus::kFailed,
            domain::StopReason::kError,
            "internal error: " + failure,
            std::nullopt,
            {}};
        co_await EndRun(run, std::move(ending), state);
    }
}

domain::TranscriptEntry EngineImpl::NewEntry(const RunPtr& run, domain::Role role) const {
    domain::TranscriptEntry e;
    e.id = NewTimeOrderedUuid();
    e.transcript_id = run->session.transcript_id;
    e.session_id = run->session.id;
    e.tenant_id = run->tenant_id;
    e.user_id = run->session.user_id;
    e.role = role;
    e.run_id = run->run_id;
    return e;
}

EngineImpl::Ending EngineImpl::Stopped(const RunPtr& run, LoopState& state) const {
    Ending ending;
    ending.status = domain::RunStatus::kAborted;
    ending.stop_reason = domain::StopReason::kAborted;
    ending.error = run->stop_requested ? run->stop_reason : std::string("deadline exceeded");
    ending.error_kind =
        run->stop_requested ? domain::ModelErrorKind::kAborted : domain::ModelErrorKind::kTimeout;
    if (!state.partial_text.empty()) {
        auto entry = NewEntry(run, domain::Role::kAssistant);
        entry.content.emplace_back(domain::TextBlock{std::move(state.partial_text)});
        entry.stop_reason = domain::StopReason::kAborted;
        if (state.model) {
            entry.provider = state.model->provider;
            entry.model = state.model->model;
        }
        ending.entries.push_back(std::move(entry));
        state.partial_text.clear();
    }
    return ending;
}

asio::awaitable<void> EngineImpl::RunBody(const RunPtr& run, LoopState& state) {
    // 1. The session's turn.
    while (!run->has_turn && !run->stop_requested) {
        auto turn = run->turn_timer.async_wait(asio::as_tuple(asio::use_awaitable));
        co_await (std::move(turn) || StopWait(run));
    }
    // 2. The collect debounce.
    if (run->not_before && !run->stop_requested) {
        asio::steady_timer debounce(run->strand, *run->not_before);
        auto waited = debounce.async_wait(asio::as_tuple(asio::use_awaitable));
        co_await (std::move(waited) || StopWait(run));
    }
    if (run->stop_requested) {
        co_await EndRun(run, Stopped(run, state), state);
        co_return;
    }
    // 3. A global slot (fair FIFO); an abort while waiting leaves the queue.
    auto [order, slot_ec, stop_ec] =
        co_await asio::experimental::make_parallel_group(
            slots_.AsyncAcquire(asio::deferred), run->stop_timer.async_wait(asio::deferred)
        )
            .async_wait(asio::experimental::wait_for_one(), asio::use_awaitable);
    (void)order;
    (void)stop_ec;
    const bool acquired = !slot_ec;
    if (!acquired || run->stop_requested) {
        if (acquired) {
            slots_.Release();
        }
        co_await EndRun(run, Stopped(run, state), state);
        co_return;
    }
    PermitGuard permit(slots_);
    {
        std::lock_guard lock(mutex_);
        run->phase = RunPhase::kRunning;
        ++running_;
    }
    in_flight_.Add(1);

    struct Leave {
        EngineImpl* self;

        ~Leave() {
            self->in_flight_.Sub(1);
            std::lock_guard lock(self->mutex_);
            --self->running_;
        }
    } leave{this};

    state.started = std::chrono::steady_clock::now();
    run->deadline = *state.started + run->params.timeout;
    run->stop_timer.expires_at(run->deadline);  // no waiter now; stop_requested was checked on this strand
    RunEvent started;
    started.kind = RunEvent::Kind::kStarted;
    // The model the run calls first (a fallback may answer instead: the terminal event names that one).
    if (run->params.model_override) {
        started.model = *run->params.model_override;
    } else if (run->agent->model) {
        started.model = *run->agent->model;
    }
    Publish(run, std::move(started));
    for (;;) {
        Ending ending = co_await RunLoop(run, state);
        const bool ended = co_await EndRun(run, std::move(ending), state);
        if (ended) {
            break;
        }
    }
}

asio::awaitable<Result<std::vector<domain::TranscriptEntry>>> EngineImpl::BuildMessages(const RunPtr& run) {
    std::optional<std::vector<domain::TranscriptEntry>> known;
    if (run->early) {
        // Spawned before its StartRun committed (CommitSubmit holds commit_mutex until then): the prompt is
        // what StartRun writes. A message steered in later is counted after 0 and gets its own model call.
        run->early = false;
        run->steered_seen = 0;
        known = std::move(run->known_transcript);
        run->known_transcript.reset();
    } else {
        const bool locked = co_await run->lane->commit_mutex.Acquire();
        if (!locked) {
            co_return MakeError(ErrorCode::kUnavailable, "cancelled");
        }
        PermitGuard guard(run->lane->commit_mutex);
        run->steered_seen = run->steered_total;
        if (run->known_transcript && run->lane->writes == run->known_at_writes) {
            known = std::move(run->known_transcript);  // nothing written since StartRun: no read needed
        }
        run->known_transcript.reset();
    }
    std::set<std::string> excluded;
    {
        std::lock_guard lock(mutex_);
        for (const auto& q : run->lane->queued) {
            excluded.insert(q->run_id);
        }
    }
    std::vector<domain::TranscriptEntry> entries;
    if (known) {
        entries = std::move(*known);
        const std::size_t limit =
            std::clamp<std::size_t>(run->agent->history_limit, 1, domain::kMaxHistoryLimit);
        if (entries.size() > limit) {
            entries.erase(entries.begin(), entries.end() - static_cast<std::ptrdiff_t>(limit));
        }
    } else {
        domain::HistoryQuery query{
            run->tenant_id, run->session.transcript_id, run->agent->history_limit, std::nullopt};
        auto page = co_await transcripts_.History(std::move(query));
        if (!page) {
            co_return page.error();
        }
        entries = std::move(page->entries);
    }
    auto conversation = ConversationOrder(std::move(entries), excluded);
    OrderCurrentRun(conversation, run->run_id, run->prompt_order);
    co_return conversation;
}

std::vector<domain::ToolSpec> EngineImpl::OfferedTools(const RunPtr& run, std::set<std::string>* builtins)
    const {
    const auto& options = run->agent->options;
    auto listed = [](const std::optional<std::vector<std::string>>& list, const std::string& name) {
        return list && std::find(list->begin(), list->end(), name) != list->end();
    };
    std::set<std::string> client;
    for (const auto& spec : run->params.client_tools) {
        client.insert(spec.name);
    }
    ToolContext ctx = ContextOf(*run);
    std::vector<domain::ToolSpec> out;
    for (auto& spec : tools_.Specs()) {
        if ((options.tools_allow && !options.tools_allow->empty() && !listed(options.tools_allow, spec.name)
            ) ||
            listed(options.tools_deny, spec.name) || client.contains(spec.name) ||
            tools_.CheckPolicy(ctx, spec.name)) {
            continue;
        }
        builtins->insert(spec.name);
        out.push_back(std::move(spec));
    }
    out.insert(out.end(), run->params.client_tools.begin(), run->params.client_tools.end());
    return out;
}

asio::awaitable<Result<std::vector<domain::TranscriptEntry>>> EngineImpl::AppendRunEntries(
    const RunPtr& run, std::vector<domain::TranscriptEntry> entries
) {
    Lane& lane = *run->lane;
    const bool locked = co_await lane.commit_mutex.Acquire();
    if (!locked) {
        co_return MakeError(ErrorCode::kUnavailable, "cancelled");
    }
    PermitGuard guard(lane.commit_mutex);
    const std::string& transcript = run->session.transcript_id;
    auto chained = co_await ChainEntries(run->lane, run->tenant_id, transcript, entries);
    if (!chained) {
        co_return chained.error();
    }
    std::string last = entries.back().id;
    auto stored = co_await transcripts_.Append(std::move(entries));
    ++lane.writes;
    if (stored) {
        lane.last_entry[transcript] = last;
    } else {
        lane.last_entry.erase(transcript);
    }
    co_return stored;
}

asio::awaitable<std::optional<domain::TranscriptEntry>> EngineImpl::ExecuteTool(
    const RunPtr& run, const domain::ToolCallBlock& call, const std::set<std::string>& builtins
) {
    RunEvent announce;
    announce.kind = RunEvent::Kind::kToolCall;
    announce.tool_call = call;
    Publish(run, std::move(announce));
    ToolContext ctx = ContextOf(*run);
    ToolOutput output;
    std::string outcome;
    Tool* tool = builtins.contains(call.name) ? tools_.Find(call.name) : nullptr;
    if (tool == nullptr) {
        output = {"unknown tool '" + call.name + "'", true};
        outcome = "unknown";
    } else if (auto denied = tools_.CheckPolicy(ctx, call.name)) {
        output = {"tool '" + call.name + "' is not allowed: " + *denied, true};
        outcome = "denied";
    } else {
        auto invoke = tool->Invoke(ctx, call.arguments_json);
        auto raced = co_await (std::move(invoke) || StopWait(run));
        if (raced.index() == 1) {
            co_return std::nullopt;
        }
        output = std::move(std::get<0>(raced));
        outcome = output.is_error ? "error" : "ok";
    }
    tool_calls_
        .WithLabels({tool != nullptr ? std::string_view(call.name) : std::string_view("unknown"), outcome})
        .Inc();
    auto entry = NewEntry(run, domain::Role::kToolResult);
    domain::ToolResultBlock block{call.id, call.name, std::move(output.text), output.is_error};
    entry.content.emplace_back(block);
    RunEvent result;
    result.kind = RunEvent::Kind::kToolResult;
    result.tool_result = block;
    result.entry = entry;
    Publish(run, std::move(result));
    co_return entry;
}

asio::awaitable<EngineImpl::Ending> EngineImpl::RunLoop(const RunPtr& run, LoopState& state) {
    auto failed = [](std::string error, std::optional<domain::ModelErrorKind> kind = std::nullopt) {
        return Ending{domain::RunStatus::kFailed, domain::StopReason::kError, std::move(error), kind, {}};
    };
    const AgentConfig& agent = *run->agent;
    for (;;) {
        if (state.model_calls >= agent.max_tool_iterations) {
            co_return failed(
                "tool iteration limit (" + std::to_string(agent.max_tool_iterations) + " model calls)"
            );
        }
        auto messages = co_await BuildMessages(run);
        if (!messages) {
            co_return failed("transcript unavailable: " + messages.error().message);
        }
        std::set<std::string> builtins;
        domain::ModelRequest request;
        if (run->params.model_override) {
            request.model = *run->params.model_override;  // strict: no fallbacks
        } else {
            request.model = *agent.model;
            request.fallbacks = agent.fallbacks;
        }
        request.system_prompt =
            BuildSystemPrompt(agent.options.system_prompt, run->params.extra_system_prompt, agent.skills);
        request.messages = std::move(*messages);
        request.tools = OfferedTools(run, &builtins);
        request.tool_choice_json = run->params.tool_choice_json;
        request.max_output_tokens = run->params.max_output_tokens;
        request.temperature = run->params.temperature;
        request.top_p = run->params.top_p;
        request.extra_params_json = run->params.extra_params_json;
        request.end_user = run->user_id;
        request.stream = run->params.stream;
        request.deadline = run->deadline;
        state.partial_text.clear();
        domain::DeltaSink sink = [this, run, &state](const domain::ModelDelta& delta) {
            if (delta.kind == domain::ModelDelta::Kind::kText) {
                state.partial_text += delta.text;
            }
            RunEvent event;
            event.kind = RunEvent::Kind::kDelta;
            event.delta = delta;
            Publish(run, std::move(event));
        };
        auto call = models_.Complete(std::move(request), std::move(sink));
        auto raced = co_await (std::move(call) || StopWait(run));
        if (raced.index() == 1) {
            co_return Stopped(run, state);
        }
        domain::ModelResult result = std::move(std::get<0>(raced));
        ++state.model_calls;
        if (!result.ok()) {
            const domain::ModelError error = result.error.value_or(domain::ModelError{});
            if (run->stop_requested || std::chrono::steady_clock::now() >= run->deadline) {
                co_return Stopped(run, state);
            }
            Ending ending = failed(error.message.empty() ? "model call failed" : error.message, error.kind);
            if (!state.partial_text.empty()) {
                auto entry = NewEntry(run, domain::Role::kAssistant);
                entry.content.emplace_back(domain::TextBlock{state.partial_text});
                entry.stop_reason = domain::StopReason::kError;
                entry.error_message = ending.error;
                entry.provider = error.model.provider;
                entry.model = error.model.model;
                ending.entries.push_back(std::move(entry));
            }
            co_return ending;
        }
        domain::ModelResponse& response = *result.response;
        state.usage += response.usage;
        state.model = response.model;
        RunEvent usage;
        usage.kind = RunEvent::Kind::kUsage;
        usage.usage = response.usage;
        usage.model = response.model;
        Publish(run, std::move(usage));

        auto entry = NewEntry(run, domain::Role::kAssistant);
        entry.content = std::move(response.content);
        if (entry.content.empty()) {
            entry.content.emplace_back(domain::TextBlock{});
        }
        entry.usage = response.usage;
        entry.provider = response.model.provider;
        entry.model = response.model.model;
        entry.stop_reason = response.stop_reason;
        std::vector<domain::ToolCallBlock> calls;
        for (const auto& block : entry.content) {
            if (const auto* c = std::get_if<domain::ToolCallBlock>(&block)) {
                calls.push_back(*c);
            }
        }
        bool client_call = false;
        for (const auto& c : calls) {
            for (const auto& spec : run->params.client_tools) {
                client_call = client_call || spec.name == c.name;
            }
        }
        if (calls.empty() || client_call) {
            if (!calls.empty()) {
                entry.stop_reason = domain::StopReason::kToolUse;  // the caller executes its tools
            }
            Ending done;
            done.status = domain::RunStatus::kCompleted;
            done.stop_reason = entry.stop_reason;
            done.entries.push_back(std::move(entry));
            co_return done;
        }
        entry.stop_reason = domain::StopReason::kToolUse;
        std::vector<domain::TranscriptEntry> intermediate;
        intermediate.push_back(std::move(entry));
        auto stored = co_await AppendRunEntries(run, std::move(intermediate));
        if (!stored) {
            co_return failed("transcript write failed: " + stored.error().message);
        }
        state.appended.insert(state.appended.end(), stored->begin(), stored->end());
        std::vector<domain::TranscriptEntry> results;
        for (const auto& c : calls) {
            auto result_entry = co_await ExecuteTool(run, c, builtins);
            if (!result_entry) {
                co_return Stopped(run, state);
            }
            results.push_back(std::move(*result_entry));
        }
        auto stored_results = co_await AppendRunEntries(run, std::move(results));
        if (!stored_results) {
            co_return failed("transcript write failed: " + stored_results.error().message);
        }
        state.appended.insert(state.appended.end(), stored_results->begin(), stored_results->end());
    }
}

}  // namespace gw::engine::internal
