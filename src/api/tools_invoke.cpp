// POST /tools/invoke: call one registered tool directly (reference §3).
#include "api/tools_invoke.hpp"

#include <algorithm>
#include <exception>

#include <boost/json.hpp>

#include "api/internal/openai_handlers.hpp"
#include "config/options.hpp"
#include "domain/session.hpp"
#include "domain/session_key.hpp"
#include "engine/tools.hpp"
#include "obs/log.hpp"

namespace gw::api {

bool HttpToolAllowed(std::string_view tool, const config::ToolsOptions& options) {
    auto listed = [tool](const std::vector<std::string>& names) {
        return std::any_of(names.begin(), names.end(), [tool](const std::string& n) {
            return n == tool || n == "*";
        });
    };
    if (listed(options.deny)) {
        return false;
    }
    const bool default_denied =
        std::find(kHttpToolDenyList.begin(), kHttpToolDenyList.end(), tool) != kHttpToolDenyList.end();
    return !default_denied || listed(options.allow);
}

namespace internal {
namespace {

net::HttpResponse ToolError(int status, std::string_view type, std::string_view message) {
    return JsonResponse(
        status, json::object{{"ok", false}, {"error", json::object{{"type", type}, {"message", message}}}}
    );
}

}  // namespace

Awaitable HandleToolsInvoke(const ConversationDeps& deps, const net::HttpRequest& request) {
    std::string parse_error;
    auto parsed = ParseObject(request.body, parse_error);
    if (!parsed) {
        CountError(deps, 400);
        co_return ToolError(400, "invalid_request", parse_error);
    }
    const json::object& body = *parsed;
    const json::value* name_v = body.if_contains("tool");
    if (name_v == nullptr || name_v->is_null()) {
        name_v = body.if_contains("name");
    }
    if (name_v == nullptr || !name_v->is_string() || name_v->as_string().empty()) {
        CountError(deps, 400);
        co_return ToolError(400, "invalid_request", "tool (or name) must be a non-empty string");
    }
    const std::string name(name_v->as_string());

    json::object args;
    if (const auto* a = body.if_contains("args"); a != nullptr && !a->is_null()) {
        if (!a->is_object()) {
            CountError(deps, 400);
            co_return ToolError(400, "invalid_request", "args must be an object");
        }
        args = a->as_object();
    }
    if (const auto* action = body.if_contains("action"); action != nullptr && !action->is_null()) {
        if (!action->is_string()) {
            CountError(deps, 400);
            co_return ToolError(400, "invalid_request", "action must be a string");
        }
        if (!args.contains("action")) {
            args["action"] = *action;
        }
    }
    bool dry_run = false;
    if (const auto* d = body.if_contains("dryRun"); d != nullptr && !d->is_null()) {
        if (!d->is_bool()) {
            CountError(deps, 400);
            co_return ToolError(400, "invalid_request", "dryRun must be a boolean");
        }
        dry_run = d->as_bool();
    }
    std::string agent_id = DefaultAgent(deps.config);
    if (const auto* a = body.if_contains("agentId"); a != nullptr && !a->is_null()) {
        const auto known = KnownAgents(deps.engine, deps.config);
        if (!a->is_string() ||
            std::find(known.begin(), known.end(), std::string(a->as_string())) == known.end()) {
            CountError(deps, 400);
            co_return ToolError(400, "invalid_request", "unknown agentId");
        }
        agent_id = std::string(a->as_string());
    }
    std::string session_key = "main";
    if (const auto* k = body.if_contains("sessionKey"); k != nullptr && !k->is_null()) {
        if (!k->is_string() || k->as_string().empty()) {
            CountError(deps, 400);
            co_return ToolError(400, "invalid_request", "sessionKey must be a non-empty string");
        }
        session_key = std::string(k->as_string());
    }
    if (const auto* k = body.if_contains("idempotencyKey");
        k != nullptr && !k->is_null() && !k->is_string()) {
        CountError(deps, 400);
        co_return ToolError(400, "invalid_request", "idempotencyKey must be a string");
    }

    engine::Tool* tool = HttpToolAllowed(name, deps.config.tools) ? deps.tools.Find(name) : nullptr;
    if (tool == nullptr) {
        CountError(deps, 404);
        co_return ToolError(404, "not_found", "Tool not available: " + name);
    }
    if (auto ok = domain::CheckHttpSessionKey(session_key); !ok) {
        CountError(deps, 400);
        co_return ToolError(400, "invalid_request", ok.error().message);
    }
    auto key = domain::ResolveSessionKey(session_key, agent_id);
    if (!key) {
        CountError(deps, 400);
        co_return ToolError(400, "invalid_request", key.error().message);
    }
    engine::ToolContext ctx;
    ctx.tenant_id = std::string(domain::kDefaultTenantId);
    ctx.user_id = std::string(domain::kDefaultUserId);
    ctx.agent_id = agent_id;
    ctx.session_key = key->ToString();
    if (auto denied = deps.tools.CheckPolicy(ctx, name)) {
        CountError(deps, 403);
        co_return ToolError(403, "forbidden", *denied);
    }
    if (dry_run) {
        co_return JsonResponse(200, json::object{{"ok", true}, {"dryRun", true}, {"tool", name}});
    }
    engine::ToolOutput output;
    try {
        output = co_await tool->Invoke(ctx, json::serialize(args));
    } catch (const std::exception& e) {
        obs::Log(obs::LogLevel::kError, "gw.api", "tool invoke threw", {{"tool", name}, {"error", e.what()}});
        CountError(deps, 500);
        co_return ToolError(500, "internal", "the tool failed unexpectedly");
    }
    if (output.is_error) {
        co_return ToolError(200, "tool_error", output.text);
    }
    json::array content{json::object{{"type", "text"}, {"text", output.text}}};
    co_return JsonResponse(
        200, json::object{{"ok", true}, {"result", json::object{{"content", std::move(content)}}}}
    );
}

}  // namespace internal
}  // namespace gw::api
