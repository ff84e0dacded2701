#include "api/ws/internal/core_common.hpp"

#include <algorithm>

#include "api/ws/internal/projection.hpp"
#include "config/options.hpp"
#include "domain/transcript_repository.hpp"

namespace gw::api::ws {

namespace json = boost::json;

std::int64_t NowMs(const GatewayServices& services) {
    if (services.clock) {
        return services.clock();
    }
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch()
    )
        .count();
}

std::string DefaultAgentId(const GatewayServices& services) {
    const std::string& id = services.config.agents.default_agent;
    return id.empty() ? std::string(domain::kDefaultAgentId) : id;
}

std::vector<std::string> KnownAgentIds(const GatewayServices& services) {
    std::vector<std::string> ids;
    for (const auto& agent : services.engine.Agents()) {
        ids.push_back(agent.id);
    }
    ids.push_back(DefaultAgentId(services));
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    return ids;
}

std::variant<std::string, WsError> PickAgent(const GatewayServices& services,
                                             const std::optional<std::string>& requested, std::string_view method) {
    if (!requested || requested->empty()) {
        return DefaultAgentId(services);
    }
    const std::string id = domain::NormalizeAgentId(*requested);
    const auto known = KnownAgentIds(services);
    if (std::find(known.begin(), known.end(), id) == known.end()) {
        return InvalidRequest("invalid " + std::string(method) + " params: unknown agent id \"" + *requested + "\"");
    }
    return id;
}

std::variant<domain::SessionKey, WsError> ResolveKey(std::string_view key, std::string_view agent_id) {
    auto resolved = domain::ResolveSessionKey(key, agent_id);
    if (!resolved) {
        return InvalidRequest("invalid session key: " + resolved.error().message);
    }
    return *resolved;
}

json::object SessionRow(const GatewayServices& services, const domain::Session& session,
                        const std::optional<domain::Run>& last_run) {
    json::object row;
    auto key = domain::ParseSessionKey(session.session_key);
    const auto kind = key ? domain::ClassifySessionKey(*key) : domain::SessionKind::kOther;
    row["key"] = session.session_key;
    row["sessionId"] = session.transcript_id;
    row["kind"] = domain::SessionKindName(kind);
    auto chat_type = session.metadata.find("chatType");
    row["chatType"] = chat_type != session.metadata.end() ? chat_type->second : std::string("direct");
    row["agentId"] = session.agent_id;
    row["isMain"] = kind == domain::SessionKind::kMain;
    row["createdAt"] = session.created_at_ms;
    row["updatedAt"] = session.last_activity_ms;
    row["sessionStartedAt"] = session.transcript_started_at_ms;
    const bool running = last_run && last_run->status == domain::RunStatus::kRunning;
    row["status"] = running ? "running" : "idle";
    json::value model = nullptr;
    json::value provider = nullptr;
    if (session.model_override) {
        auto slash = session.model_override->find('/');
        if (slash != std::string::npos) {
            provider = json::string(session.model_override->substr(0, slash));
            model = json::string(session.model_override->substr(slash + 1));
        } else {
            model = json::string(*session.model_override);
        }
    }
    row["model"] = model;
    row["modelProvider"] = provider;
    row["inputTokens"] = session.usage.input;
    row["outputTokens"] = session.usage.output;
    row["totalTokens"] = session.usage.total;
    row["contextTokens"] = nullptr;
    row["hasActiveRun"] = running;
    json::array active;
    if (running) {
        active.push_back(json::string(last_run->id));
    }
    row["activeRunIds"] = std::move(active);
    row["effectiveQueueMode"] = services.config.agents.queue.mode;
    row["lastRunId"] = session.last_run_id ? json::value(json::string(*session.last_run_id)) : json::value(nullptr);
    row["label"] = session.label ? json::value(json::string(*session.label)) : json::value(nullptr);
    auto display = session.metadata.find("displayName");
    if (display != session.metadata.end()) {
        row["displayName"] = display->second;
    }
    row["thinkingLevel"] =
        session.thinking_level ? json::value(json::string(*session.thinking_level)) : json::value(nullptr);
    row["archived"] = session.archived;
    row["pinned"] = session.pinned;
    return row;
}

boost::asio::awaitable<std::optional<domain::Run>> LastRun(GatewayServices& services, const domain::Session& session) {
    if (!session.last_run_id) {
        co_return std::nullopt;
    }
    std::string tenant = session.tenant_id;
    std::string run_id = *session.last_run_id;
    auto run = co_await services.transcripts.GetRun(std::move(tenant), std::move(run_id));
    if (!run) {
        co_return std::nullopt;
    }
    co_return *run;
}

std::string_view OutcomeStatus(const engine::RunOutcome& outcome) {
    return outcome.run.status == domain::RunStatus::kCompleted ? "ok" : "error";
}

std::string OutcomeText(const engine::RunOutcome& outcome) {
    for (auto it = outcome.entries.rbegin(); it != outcome.entries.rend(); ++it) {
        if (it->role == domain::Role::kAssistant) {
            return domain::EntryText(*it);
        }
    }
    return {};
}

namespace {

json::object ModelMeta(const engine::RunOutcome& outcome) {
    json::object meta{{"sessionId", outcome.run.transcript_id}};
    for (auto it = outcome.entries.rbegin(); it != outcome.entries.rend(); ++it) {
        if (it->role == domain::Role::kAssistant) {
            if (it->provider) {
                meta["provider"] = *it->provider;
            }
            if (it->model) {
                meta["model"] = *it->model;
            }
            break;
        }
    }
    meta["usage"] = json::object{
        {"input", outcome.usage.input},
        {"output", outcome.usage.output},
        {"cacheRead", outcome.usage.cache_read},
        {"cacheWrite", outcome.usage.cache_write},
        {"total", outcome.usage.total},
    };
    return meta;
}

std::int64_t DurationMs(const domain::Run& run) {
    return run.ended_at_ms ? *run.ended_at_ms - run.started_at_ms : 0;
}

}  // namespace

json::object AgentTerminalPayload(const engine::RunOutcome& outcome) {
    const std::string text = OutcomeText(outcome);
    json::array payloads;
    if (!text.empty()) {
        payloads.push_back(json::object{{"text", text}});
    }
    std::string summary = "completed";
    if (outcome.run.status == domain::RunStatus::kAborted) {
        summary = "aborted";
    } else if (outcome.run.status == domain::RunStatus::kFailed) {
        summary = outcome.run.error.value_or("failed");
    }
    return json::object{
        {"runId", outcome.run.id},
        {"status", OutcomeStatus(outcome)},
        {"summary", summary},
        {"result",
         json::object{{"payloads", std::move(payloads)},
                      {"meta", json::object{{"durationMs", DurationMs(outcome.run)}, {"agentMeta", ModelMeta(outcome)}}}}},
    };
}

json::object WaitPayload(const engine::RunOutcome& outcome) {
    const std::string text = OutcomeText(outcome);
    json::object out{
        {"runId", outcome.run.id},
        {"status", OutcomeStatus(outcome)},
        {"startedAt", outcome.run.started_at_ms},
        {"endedAt", outcome.run.ended_at_ms ? json::value(*outcome.run.ended_at_ms) : json::value(nullptr)},
        {"stopReason", outcome.run.stop_reason ? json::value(json::string(domain::StopReasonName(*outcome.run.stop_reason)))
                                               : json::value(nullptr)},
        {"terminalReply", json::object{{"disposition", text.empty() ? "empty" : "reply"}, {"text", text}}},
    };
    if (outcome.run.error) {
        out["error"] = *outcome.run.error;
    }
    return out;
}

json::object CommittedMessage(const engine::SubmitAck& ack, domain::Role role,
                              const std::vector<domain::ContentBlock>& content, std::int64_t now_ms) {
    domain::TranscriptEntry entry;
    entry.id = ack.message_id;
    entry.role = role;
    entry.content = content;
    entry.created_at_ms = now_ms;
    if (!ack.run_id.empty()) {
        entry.run_id = ack.run_id;
    }
    return ProjectEntry(entry);
}

}  // namespace gw::api::ws
