// tools.invoke: the HTTP /tools/invoke policy and execution path over WS (reference §2.4, §3).
#include <exception>

#include <boost/json.hpp>

#include "api/tools_invoke.hpp"
#include "api/ws/internal/core_common.hpp"
#include "api/ws/internal/params.hpp"
#include "config/options.hpp"
#include "engine/tools.hpp"
#include "obs/log.hpp"

namespace gw::api::ws {
namespace {

namespace json = boost::json;

json::object ToolFailure(const std::string& name, std::string_view type, std::string_view message) {
    return json::object{{"ok", false}, {"toolName", name},
                        {"error", json::object{{"type", type}, {"message", message}}}};
}

Reply ToolsInvoke(MethodCall& call) {
    ParamReader p("tools.invoke", call.params);
    auto name = p.String("name", true, 256, true);
    auto args = p.Any("args", false);
    auto session_key = p.String("sessionKey", false, domain::kMaxRequestSessionKeyLength, true);
    auto agent_id = p.String("agentId", false, domain::kMaxAgentIdLength);
    p.String("idempotencyKey", false, 256);
    auto dry_run = p.Bool("dryRun", false);
    if (auto error = p.Finish()) {
        co_return *error;
    }
    if (args && !args->is_object()) {
        co_return InvalidRequest("invalid tools.invoke params: /args must be object");
    }
    auto agent = PickAgent(call.services, agent_id, "tools.invoke");
    if (auto* error = std::get_if<WsError>(&agent)) {
        co_return *error;
    }
    const std::string& agent_name = std::get<std::string>(agent);
    engine::Tool* tool =
        HttpToolAllowed(*name, call.services.config.tools) ? call.services.tools.Find(*name) : nullptr;
    if (tool == nullptr) {
        co_return ToolFailure(*name, "not_found", "Tool not available: " + *name);
    }
    const std::string request_key = session_key.value_or("main");
    if (auto ok = domain::CheckHttpSessionKey(request_key); !ok) {
        co_return InvalidRequest(ok.error().message);
    }
    auto key = ResolveKey(request_key, agent_name);
    if (auto* error = std::get_if<WsError>(&key)) {
        co_return *error;
    }
    engine::ToolContext ctx;
    ctx.tenant_id = TenantOf(call);
    ctx.user_id = UserOf(call);
    ctx.agent_id = agent_name;
    ctx.session_key = std::get<domain::SessionKey>(key).ToString();
    if (auto denied = call.services.tools.CheckPolicy(ctx, *name)) {
        co_return ToolFailure(*name, "forbidden", *denied);
    }
    if (dry_run.value_or(false)) {
        co_return json::object{{"ok", true}, {"toolName", *name}, {"dryRun", true}};
    }
    std::string args_json = json::serialize(args ? *args : json::value(json::object()));
    engine::ToolOutput output;
    try {
        output = co_await tool->Invoke(ctx, std::move(args_json));
    } catch (const std::exception& e) {
        obs::Log(obs::LogLevel::kError, "gw.api.ws", "tool invoke threw", {{"tool", *name}, {"error", e.what()}});
        co_return ToolFailure(*name, "internal", "the tool failed unexpectedly");
    }
    if (output.is_error) {
        co_return ToolFailure(*name, "tool_error", output.text);
    }
    co_return json::object{
        {"ok", true},
        {"toolName", *name},
        {"output", json::object{{"content", json::array{json::object{{"type", "text"}, {"text", output.text}}}}}},
    };
}

}  // namespace

void RegisterToolMethods(MethodRegistry& registry) {
    registry.Add({"tools.invoke", std::string(kScopeWrite), ToolsInvoke});
}

}  // namespace gw::api::ws
