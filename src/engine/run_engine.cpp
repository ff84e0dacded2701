#include "engine/run_engine.hpp"

#include <utility>

#include "engine/internal/engine_impl.hpp"
#include "obs/gateway_metrics.hpp"
#include "obs/log.hpp"

namespace gw::engine {

std::string_view QueueModeName(QueueMode mode) noexcept {
    switch (mode) {
        case QueueMode::kSteer:
            return "steer";
        case QueueMode::kFollowup:
            return "followup";
        case QueueMode::kCollect:
            return "collect";
        case QueueMode::kInterrupt:
            return "interrupt";
    }
    return "steer";
}

std::optional<QueueMode> ParseQueueMode(std::string_view name) noexcept {
    for (QueueMode m :
         {QueueMode::kSteer, QueueMode::kFollowup, QueueMode::kCollect, QueueMode::kInterrupt}) {
        if (QueueModeName(m) == name) {
            return m;
        }
    }
    return std::nullopt;
}

Result<std::unique_ptr<RunEngine>> RunEngine::Create(
    RunEngineDeps deps, const config::AgentsOptions& agents
) {
    auto mode = ParseQueueMode(agents.queue.mode);
    if (!mode) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "agents.queue.mode: unknown mode '" + agents.queue.mode +
                "' (steer, followup, collect, interrupt)"
        );
    }
    if (agents.max_concurrent < 1) {
        return MakeError(ErrorCode::kInvalidArgument, "agents.max_concurrent must be at least 1");
    }
    if (!deps.clock) {
        return MakeError(ErrorCode::kInvalidArgument, "run engine: no clock");
    }
    auto resolved = internal::ResolveAgents(agents);
    if (!resolved) {
        return resolved.error();
    }
    std::string default_agent = agents.default_agent.empty() ? std::string(domain::kDefaultAgentId)
                                                             : domain::NormalizeAgentId(agents.default_agent);
    if (!resolved->contains(default_agent)) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "agents.default_agent: unknown agent '" + agents.default_agent +
                "' (known: " + internal::KnownAgents(*resolved) + ")"
        );
    }
    return std::unique_ptr<RunEngine>(
        std::make_unique<internal::EngineImpl>(std::move(deps), agents, std::move(*resolved))
    );
}

namespace internal {

namespace {

std::vector<double> RunDurationBuckets() {
    return {0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800};
}

}  // namespace

EngineImpl::EngineImpl(
    RunEngineDeps deps, const config::AgentsOptions& agents, std::map<std::string, AgentConfig> resolved
)
    : ioc_(deps.ioc),
      sessions_(deps.sessions),
      transcripts_(deps.transcripts),
      idempotency_(deps.idempotency),
      models_(deps.models),
      tools_(deps.tools),
      gateway_metrics_(deps.gateway_metrics),
      clock_(std::move(deps.clock)),
      agents_(std::move(resolved)),
      default_agent_(
          agents.default_agent.empty() ? std::string(domain::kDefaultAgentId)
                                       : domain::NormalizeAgentId(agents.default_agent)
      ),
      default_mode_(ParseQueueMode(agents.queue.mode).value_or(QueueMode::kSteer)),
      queue_cap_(agents.queue.cap),
      collect_debounce_(agents.queue.collect_debounce),
      slots_(deps.ioc.get_executor(), static_cast<std::size_t>(agents.max_concurrent)),
      in_flight_(deps.registry.AddGauge("openclaw_runs_in_flight", "Agent runs executing now (not queued).")),
      runs_total_(
          deps.registry.Counters("openclaw_runs_total", "Agent runs ended, by terminal status.", {"status"})
      ),
      queue_rejections_(deps.registry.AddCounter(
          "openclaw_run_queue_rejections_total", "Messages refused because their session queue was full."
      )),
      run_duration_(deps.registry.AddHistogram(
          "openclaw_run_duration_seconds", "Agent run duration from start to end.", RunDurationBuckets()
      )),
      tool_calls_(deps.registry.Counters(
          "openclaw_tool_calls_total",
          "Tool calls executed by the engine, by tool and outcome.",
          {"tool", "outcome"}
      )) {}

EngineImpl::~EngineImpl() {
    std::lock_guard lock(mutex_);
    if (live_runs_ > 0) {
        obs::Log(
            obs::LogLevel::kError,
            "gw.engine",
            "run engine destroyed with live runs (call Shutdown first)",
            {{"live_runs", std::to_string(live_runs_)}}
        );
    }
}

std::vector<config::AgentOptions> EngineImpl::Agents() const {
    std::vector<config::AgentOptions> out;
    for (const auto& [id, agent] : agents_) {
        out.push_back(agent.options);
    }
    return out;
}

std::size_t EngineImpl::ActiveRuns() const {
    std::lock_guard lock(mutex_);
    return running_;
}

}  // namespace internal

}  // namespace gw::engine
