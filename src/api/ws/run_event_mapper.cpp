#include "api/ws/internal/run_event_mapper.hpp"

#include <boost/json.hpp>

#include "api/ws/internal/projection.hpp"

namespace gw::api::ws {

namespace json = boost::json;
using Kind = engine::RunEvent::Kind;

std::string_view ChatErrorKind(std::optional<domain::ModelErrorKind> kind) noexcept {
    if (!kind) {
        return "unknown";
    }
    switch (*kind) {
        case domain::ModelErrorKind::kTimeout:
            return "timeout";
        case domain::ModelErrorKind::kRateLimited:
        case domain::ModelErrorKind::kOverloaded:
            return "rate_limit";
        case domain::ModelErrorKind::kContextLength:
            return "context_length";
        default:
            return "unknown";
    }
}

namespace {

std::string LastAssistantText(const std::vector<domain::TranscriptEntry>& entries, const std::string& fallback) {
    for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
        if (it->role == domain::Role::kAssistant) {
            return domain::EntryText(*it);
        }
    }
    return fallback;
}

}  // namespace

std::vector<MappedEvent> RunEventMapper::Map(const engine::RunEvent& event, std::int64_t now_ms) {
    std::vector<MappedEvent> out;
    const std::int64_t ts = event.at_ms != 0 ? event.at_ms : now_ms;
    auto [it, inserted] = runs_.try_emplace(event.run_id);
    RunState& run = it->second;
    if (inserted) {
        run.agent_id = AgentOfSessionKey(event.session_key);
        run.started_at_ms = ts;
    }
    auto base = [&](std::string_view state) {
        json::object p{
            {"runId", event.run_id},
            {"sessionKey", event.session_key},
            {"agentId", run.agent_id},
            {"seq", ++run.seq},
        };
        if (!state.empty()) {
            p["state"] = state;
        }
        return p;
    };
    auto chat = [&](json::object payload) {
        out.push_back({"chat", json::serialize(payload), MappedEvent::Audience::kRead});
    };
    auto agent = [&](std::string_view stream, json::object data,
                     MappedEvent::Audience audience = MappedEvent::Audience::kRead) {
        json::object p = base("");
        p["stream"] = stream;
        p["ts"] = ts;
        p["data"] = std::move(data);
        out.push_back({"agent", json::serialize(p), audience});
    };
    auto announce_model = [&] {
        if (event.model && !run.model_announced) {
            run.model_announced = true;
            agent("lifecycle", json::object{{"phase", "model"}, {"provider", event.model->provider},
                                            {"model", event.model->model}});
        }
    };
    auto end = [&](std::string_view stop_reason, bool aborted, std::optional<std::string> reply = std::nullopt) {
        json::object data{{"phase", "end"}, {"startedAt", run.started_at_ms}, {"endedAt", ts},
                          {"stopReason", stop_reason}, {"aborted", aborted}};
        if (reply) {
            data["terminalReply"] = json::object{{"disposition", reply->empty() ? "empty" : "reply"}, {"text", *reply}};
        }
        agent("lifecycle", std::move(data));
    };

    switch (event.kind) {
        case Kind::kStarted:
            run.started_at_ms = ts;
            agent("lifecycle", json::object{{"phase", "start"}, {"startedAt", ts}});
            announce_model();  // the model the run calls first, before any text
            {
                json::object p = base("status");
                p["phase"] = "starting_model";
                chat(std::move(p));
            }
            break;
        case Kind::kDelta:
            if (event.delta && event.delta->kind == domain::ModelDelta::Kind::kText && !event.delta->text.empty()) {
                announce_model();
                run.text += event.delta->text;
                json::object p = base("delta");
                p["deltaText"] = event.delta->text;
                p["message"] = AssistantTextMessage(run.text, ts);
                chat(std::move(p));
                agent("assistant", json::object{{"text", run.text}, {"delta", event.delta->text}});
            }
            break;
        case Kind::kToolCall:
            if (event.tool_call) {
                boost::system::error_code ec;
                json::value args = json::parse(event.tool_call->arguments_json, ec);
                if (ec) {
                    args = json::string(event.tool_call->arguments_json);
                }
                agent("item",
                      json::object{{"kind", "tool"}, {"toolCallId", event.tool_call->id},
                                   {"name", event.tool_call->name}, {"phase", "start"}, {"status", "running"},
                                   {"args", std::move(args)}},
                      MappedEvent::Audience::kToolEvents);
            }
            // A new model call follows the tool: its text starts afresh.
            run.text.clear();
            break;
        case Kind::kToolResult:
            if (event.tool_result) {
                agent("item",
                      json::object{{"kind", "tool"}, {"toolCallId", event.tool_result->tool_call_id},
                                   {"name", event.tool_result->tool_name}, {"phase", "end"},
                                   {"status", event.tool_result->is_error ? "failed" : "completed"},
                                   {"result", event.tool_result->content}},
                      MappedEvent::Audience::kToolEvents);
            }
            break;
        case Kind::kUsage:
            if (event.usage) {
                agent("usage", json::object{{"inputTokens", event.usage->input},
                                            {"outputTokens", event.usage->output},
                                            {"cacheReadTokens", event.usage->cache_read},
                                            {"cacheWriteTokens", event.usage->cache_write},
                                            {"totalTokens", event.usage->total}});
            }
            break;
        case Kind::kSteered:
            break;
        case Kind::kFinal: {
            announce_model();
            const std::string stop(domain::StopReasonName(event.stop_reason.value_or(domain::StopReason::kStop)));
            agent("lifecycle", json::object{{"phase", "finishing"}, {"stopReason", stop}});
            const std::string text = LastAssistantText(event.final_entries, run.text);
            // The agent stream ends before the chat terminal, so a client that stops reading at the
            // chat `final` has seen the whole lifecycle.
            end(stop, false, text);
            json::object p = base("final");
            p["message"] = AssistantTextMessage(text, ts);
            p["stopReason"] = stop;
            p["usage"] = UsageJson(event.total_usage);
            chat(std::move(p));
            break;
        }
        case Kind::kError: {
            announce_model();
            const std::string message = event.error.value_or("run failed");
            agent("lifecycle", json::object{{"phase", "error"}, {"error", message}});
            end("error", false);
            json::object p = base("error");
            p["errorMessage"] = message;
            p["errorKind"] = ChatErrorKind(event.error_kind);
            chat(std::move(p));
            break;
        }
        case Kind::kAborted: {
            end("aborted", true);
            json::object p = base("aborted");
            p["stopReason"] = "aborted";
            chat(std::move(p));
            break;
        }
    }
    if (event.Terminal()) {
        runs_.erase(event.run_id);
    }
    return out;
}

}  // namespace gw::api::ws
