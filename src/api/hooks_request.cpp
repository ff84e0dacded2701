#include "api/internal/hooks_request.hpp"

#include <algorithm>
#include <chrono>

#include <boost/json.hpp>

#include "api/internal/openai_chat_request.hpp"
#include "api/internal/openai_common.hpp"
#include "base/ids.hpp"
#include "domain/session_key.hpp"

namespace gw::api::internal {
namespace {

bool Blank(const std::string& text) { return text.find_first_not_of(" \t\r\n") == std::string::npos; }

std::optional<std::string> OptionalString(const json::object& body, std::string_view key, std::string& error) {
    const auto* v = body.if_contains(key);
    if (v == nullptr || v->is_null()) {
        return std::nullopt;
    }
    if (!v->is_string()) {
        error = std::string(key) + " must be a string";
        return std::nullopt;
    }
    return std::string(v->as_string());
}

struct HookTarget {
    std::string agent_id;
    std::optional<std::string> session_key;
};

std::optional<HookTarget> ParseTarget(const json::object& body, const HookParseContext& ctx, std::string& error) {
    HookTarget target{ctx.default_agent, std::nullopt};
    auto agent = OptionalString(body, "agentId", error);
    if (!error.empty()) {
        return std::nullopt;
    }
    if (agent) {
        if (std::find(ctx.known_agents.begin(), ctx.known_agents.end(), *agent) == ctx.known_agents.end()) {
            error = "unknown agentId: " + *agent;
            return std::nullopt;
        }
        target.agent_id = *agent;
    }
    target.session_key = OptionalString(body, "sessionKey", error);
    if (!error.empty()) {
        return std::nullopt;
    }
    if (target.session_key) {
        if (auto ok = domain::CheckHttpSessionKey(*target.session_key); !ok) {
            error = ok.error().message;
            return std::nullopt;
        }
    }
    return target;
}

}  // namespace

HookWakeParse ParseHookWake(std::string_view body_text, const HookParseContext& ctx) {
    HookWakeParse out;
    auto body = ParseObject(body_text, out.error);
    if (!body) {
        return out;
    }
    auto text = OptionalString(*body, "text", out.error);
    if (!out.error.empty() || !text || Blank(*text)) {
        out.error = out.error.empty() ? "text is required" : out.error;
        return out;
    }
    out.mode = OptionalString(*body, "mode", out.error).value_or("now");
    if (!out.error.empty() || (out.mode != "now" && out.mode != "next-heartbeat")) {
        out.error = out.error.empty() ? "mode must be now or next-heartbeat" : out.error;
        return out;
    }
    auto target = ParseTarget(*body, ctx, out.error);
    if (!target) {
        return out;
    }
    engine::SendRequest send;
    send.agent_id = target->agent_id;
    send.session_key = target->session_key.value_or("main");
    send.role = domain::Role::kSystem;
    send.content.emplace_back(domain::TextBlock{"[OpenClaw session event] " + *text});
    send.no_run = out.mode == "next-heartbeat";
    send.queue_mode = engine::QueueMode::kFollowup;
    out.send = std::move(send);
    return out;
}

HookAgentParse ParseHookAgent(std::string_view body_text, const HookParseContext& ctx) {
    HookAgentParse out;
    auto body = ParseObject(body_text, out.error);
    if (!body) {
        return out;
    }
    auto fail = [&out](std::string message) {
        out.error = std::move(message);
        return std::move(out);
    };
    auto message = OptionalString(*body, "message", out.error);
    if (!out.error.empty() || !message || Blank(*message)) {
        return fail(out.error.empty() ? "message is required" : out.error);
    }
    auto target = ParseTarget(*body, ctx, out.error);
    if (!target) {
        return out;
    }
    out.session_mode = OptionalString(*body, "sessionMode", out.error).value_or("isolated");
    if (!out.error.empty() || (out.session_mode != "isolated" && out.session_mode != "persistent")) {
        return fail(out.error.empty() ? "sessionMode must be isolated or persistent" : out.error);
    }
    auto model = OptionalString(*body, "model", out.error);
    if (!out.error.empty() || (model && !LooksLikeModelRef(*model))) {
        return fail(out.error.empty() ? "model must be provider/model" : out.error);
    }
    auto idempotency_key = OptionalString(*body, "idempotencyKey", out.error);
    out.name = OptionalString(*body, "name", out.error);
    if (!out.error.empty()) {
        return out;
    }
    engine::SendRequest send;
    if (const auto* t = body->if_contains("timeoutSeconds"); t != nullptr && !t->is_null()) {
        auto seconds = NumberOf(*t);
        if (!seconds || *seconds <= 0 || *seconds > 86'400) {
            return fail("timeoutSeconds must be a positive number of seconds (at most 86400)");
        }
        send.timeout = std::chrono::milliseconds(static_cast<std::int64_t>(*seconds * 1000));
    }
    send.agent_id = target->agent_id;
    send.session_key = target->session_key.value_or("hook:" + NewUuid());
    send.content.emplace_back(domain::TextBlock{*message});
    send.model_override = model;
    send.idempotency_key = idempotency_key;
    send.queue_mode = engine::QueueMode::kFollowup;
    out.send = std::move(send);
    return out;
}

}  // namespace gw::api::internal
