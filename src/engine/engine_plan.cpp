// EngineImpl: resolving the agent and session of a request, and planning it against the session lane
// (start, queue, steer, collect, interrupt; the backlog cap).
#include <algorithm>
#include <utility>

#include <boost/asio/strand.hpp>

#include "base/ids.hpp"
#include "domain/session_key.hpp"
#include "engine/internal/engine_impl.hpp"

namespace gw::engine::internal {

namespace asio = boost::asio;

namespace {

constexpr std::size_t kMaxRunIdLength = 200;

}  // namespace

Result<EngineImpl::Target> EngineImpl::ResolveTarget(const SendRequest& request) const {
    std::string agent_id = request.agent_id.empty() ? default_agent_ : request.agent_id;
    if (!domain::IsValidAgentId(agent_id)) {
        return MakeError(ErrorCode::kInvalidArgument, "invalid agent id '" + request.agent_id + "'");
    }
    agent_id = domain::NormalizeAgentId(agent_id);
    if (!agents_.contains(agent_id) && agent_id == domain::kDefaultAgentId) {
        agent_id = default_agent_;  // "main" always names the default agent
    }
    auto agent = agents_.find(agent_id);
    if (agent == agents_.end()) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "unknown agent '" + agent_id + "' (known: " + KnownAgents(agents_) + ")"
        );
    }
    auto key = domain::ResolveSessionKey(request.session_key, agent_id);
    if (!key) {
        return key.error();
    }
    Target target;
    target.agent = &agent->second;
    if (key->AgentId() != agent_id) {  // a key of another agent is accepted as given; its agent runs if known
        if (auto other = agents_.find(key->AgentId()); other != agents_.end()) {
            target.agent = &other->second;
        }
    }
    target.key = key->ToString();
    target.parsed = *key;
    return target;
}

EngineImpl::LanePtr EngineImpl::LaneFor(const std::string& tenant, const std::string& key) {
    std::lock_guard lock(mutex_);
    auto& lane = lanes_[MapKey(tenant, key)];
    if (!lane) {
        lane = std::make_shared<Lane>(ioc_.get_executor(), tenant, key);
    }
    ++lane->pending_submits;
    return lane;
}

Result<EngineImpl::Plan> EngineImpl::PlanLocked(
    const LanePtr& lane,
    const SendRequest& request,
    const Target& target,
    const domain::Session& session,
    QueueMode mode,
    bool allow_steer
) {
    Plan plan;
    if (request.no_run) {
        plan.kind = PlanKind::kNoRun;
        plan.status = SubmitAck::Status::kCommitted;
        return plan;
    }
    auto queued_messages = [&lane] {
        int n = 0;
        for (const auto& q : lane->queued) {
            n += q->messages;
        }
        return static_cast<std::size_t>(n);
    };
    auto check_cap = [&]() -> Result<void> {
        if (queued_messages() + 1 > queue_cap_) {
            queue_rejections_.Inc();
            return MakeError(
                ErrorCode::kRateLimited, "session queue full (cap " + std::to_string(queue_cap_) + ")"
            );
        }
        return Ok();
    };
    auto new_run = [&](SubmitAck::Status status) -> Result<RunPtr> {
        std::string id = request.idempotency_key && request.idempotency_key->size() <= kMaxRunIdLength
                             ? *request.idempotency_key
                             : NewTimeOrderedUuid();
        std::string map_key = MapKey(request.tenant_id, id);
        if (runs_.contains(map_key)) {
            return MakeError(ErrorCode::kConflict, "run " + id + " exists");
        }
        auto run = std::make_shared<RunState>(asio::make_strand(ioc_));
        run->run_id = id;
        run->tenant_id = request.tenant_id;
        run->user_id = request.user_id;
        run->session_key = target.key;
        run->agent_id = target.agent->options.id;
        run->session = session;
        run->agent = target.agent;
        run->lane = lane;
        RunParams& p = run->params;
        if (request.model_override) {
            p.model_override = domain::ParseModelRef(*request.model_override).value();  // validated by Submit
        }
        p.extra_system_prompt = request.extra_system_prompt;
        p.client_tools = request.client_tools;
        p.tool_choice_json = request.tool_choice_json;
        p.max_output_tokens =
            request.max_output_tokens ? request.max_output_tokens : target.agent->options.max_output_tokens;
        p.temperature = request.temperature;
        p.top_p = request.top_p;
        p.extra_params_json = request.extra_params_json;
        p.timeout = request.timeout.value_or(target.agent->timeout);
        p.stream = request.stream;
        if (request.idempotency_key) {
            run->idempotency_keys.push_back(*request.idempotency_key);
        }
        runs_.emplace(map_key, run);
        ++live_runs_;
        plan.kind = PlanKind::kNewRun;
        plan.run = run;
        plan.status = status;
        plan.events = AttachRunStream(run);
        return run;
    };

    RunPtr active = lane->active;
    if (!active) {
        auto run = new_run(SubmitAck::Status::kStarted);
        if (!run) {
            return run.error();
        }
        (*run)->has_turn = true;  // not spawned yet: no other thread touches it
        lane->active = *run;
        return plan;
    }
    auto now = std::chrono::steady_clock::now();
    if (mode == QueueMode::kSteer && allow_steer && active->committed && active->phase != RunPhase::kEnded) {
        plan.kind = PlanKind::kSteer;
        plan.run = active;
        plan.status = SubmitAck::Status::kSteered;
        plan.events = AttachRunStream(active);
        if (request.idempotency_key) {
            active->idempotency_keys.push_back(*request.idempotency_key);
            plan.joined_key = request.idempotency_key;
        }
        return plan;
    }
    if (auto ok = check_cap(); !ok) {
        return ok.error();
    }
    RunPtr collect = lane->collect;
    if (mode == QueueMode::kCollect && allow_steer && collect && collect->committed &&
        collect->phase == RunPhase::kQueued && now < lane->collect_until) {
        plan.kind = PlanKind::kCollectAppend;
        plan.run = collect;
        plan.status = SubmitAck::Status::kQueued;
        plan.events = AttachRunStream(collect);
        ++collect->messages;
        if (request.idempotency_key) {
            collect->idempotency_keys.push_back(*request.idempotency_key);
            plan.joined_key = request.idempotency_key;
        }
        return plan;
    }
    bool interrupt = mode == QueueMode::kInterrupt;
    auto run = new_run(interrupt ? SubmitAck::Status::kStarted : SubmitAck::Status::kQueued);
    if (!run) {
        return run.error();
    }
    if (interrupt) {
        lane->queued.push_front(*run);
        RequestStop(active, "interrupted by a new message");
    } else {
        lane->queued.push_back(*run);
    }
    if (mode == QueueMode::kCollect) {
        (*run)->not_before = now + collect_debounce_;
        lane->collect = *run;
        lane->collect_until = now + collect_debounce_;
    }
    return plan;
}

void EngineImpl::UnplanLocked(const Plan& plan) {
    if (plan.events) {
        plan.events->Close();
    }
    if (!plan.run) {
        return;
    }
    if (plan.kind == PlanKind::kNewRun) {
        RemoveFromLaneLocked(plan.run);
        runs_.erase(MapKey(plan.run->tenant_id, plan.run->run_id));
        --live_runs_;
        return;
    }
    if (plan.kind == PlanKind::kCollectAppend) {
        --plan.run->messages;
    }
    if (plan.joined_key) {
        auto& keys = plan.run->idempotency_keys;
        if (auto it = std::find(keys.begin(), keys.end(), *plan.joined_key); it != keys.end()) {
            keys.erase(it);
        }
    }
}

}  // namespace gw::engine::internal
