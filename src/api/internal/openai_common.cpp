#include "api/internal/openai_common.hpp"

#include <algorithm>
#include <set>
#include <unordered_map>

#include "base/ids.hpp"
#include "config/options.hpp"
#include "edge/json_limits.hpp"

namespace gw::api::internal {
namespace {

json::value NullIfEmpty(const std::string& s) {
    if (s.empty()) {
        return nullptr;
    }
    return json::value(s);
}

std::string Lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

bool IsKnown(const std::vector<std::string>& known, const std::string& id) {
    return std::find(known.begin(), known.end(), id) != known.end();
}

}  // namespace

net::HttpResponse JsonResponse(int status, const json::value& body) {
    net::HttpResponse resp;
    resp.status = status;
    resp.body = json::serialize(body);
    return resp;
}

net::HttpResponse OpenAiError(const RequestError& error) {
    json::object inner{
        {"message", error.message},
        {"type", error.type},
        {"param", NullIfEmpty(error.param)},
        {"code", NullIfEmpty(error.code)},
    };
    return JsonResponse(error.status, json::object{{"error", std::move(inner)}});
}

net::HttpResponse ResponsesError(const RequestError& error) {
    json::object inner{{"message", error.message}, {"type", error.type}};
    return JsonResponse(error.status, json::object{{"error", std::move(inner)}});
}

std::optional<json::object> ParseObject(std::string_view body, std::string& error) {
    // Depth first, in one allocation-free scan, so the parser never sees a pathological document (the
    // server's per-route body limits bound the size).
    if (auto limits =
            edge::CheckJsonLimits(body, edge::JsonLimits{.max_bytes = 0, .max_depth = kMaxJsonDepth});
        !limits) {
        error = limits.error().message;
        return std::nullopt;
    }
    boost::system::error_code ec;
    auto value = json::parse(body, ec);
    if (ec) {
        error = "request body is not valid JSON";
        return std::nullopt;
    }
    if (!value.is_object()) {
        error = "request body must be a JSON object";
        return std::nullopt;
    }
    return std::move(value.as_object());
}

boost::asio::awaitable<void> PumpRunEvents(
    engine::RunStream& events, const net::ResponseStream& out, RunEventHandlers handlers
) {
    while (true) {
        auto next = co_await events.Next();
        if (out.ClientGone()) {
            events.Close();
            co_await handlers.abort_run();
            co_return;
        }
        if (!next || !next->has_value()) {
            events.Close();
            // A named local, not a temporary in the co_await expression: g++ 12 destroys such temporaries
            // twice across the suspension.
            const Failure interrupted{
                502, "api_error", "stream_interrupted", "the run's event stream ended unexpectedly", {}};
            co_await handlers.fail(interrupted);
            co_return;
        }
        const engine::RunEvent ev = std::move(**next);
        if (ev.Terminal()) {
            events.Close();
            co_await handlers.on_terminal(ev);
            co_return;
        }
        if (!co_await handlers.on_event(ev)) {
            events.Close();
            co_await handlers.abort_run();
            co_return;
        }
    }
}

std::int64_t NowSeconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch(
                                                            ))
        .count();
}

std::vector<std::string> KnownAgents(const engine::RunEngine& engine, const config::GatewayConfig& config) {
    std::set<std::string> ids;
    for (const auto& agent : engine.Agents()) {
        ids.insert(agent.id);
    }
    ids.insert(config.agents.default_agent.empty() ? std::string("main") : config.agents.default_agent);
    return {ids.begin(), ids.end()};
}

std::optional<std::string> ResolveAgentTarget(
    std::string_view model, const std::vector<std::string>& known, std::string_view default_agent
) {
    const std::string target = Lower(model);
    if (target.empty() || target == "openclaw" || target == "openclaw/default") {
        return std::string(default_agent);
    }
    std::string id;
    for (std::string_view prefix : {"openclaw/", "openclaw:", "agent:"}) {
        if (target.starts_with(prefix)) {
            id = target.substr(prefix.size());
            break;
        }
    }
    if (id.empty() || !IsKnown(known, id)) {
        return std::nullopt;
    }
    return id;
}

std::chrono::milliseconds AgentTimeout(const config::GatewayConfig& config, std::string_view agent_id) {
    auto it = config.agents.entries.find(std::string(agent_id));
    if (it != config.agents.entries.end() && it->second.timeout) {
        return *it->second.timeout;
    }
    if (config.agents.defaults.timeout) {
        return *config.agents.defaults.timeout;
    }
    return std::chrono::milliseconds(600'000);
}

Failure SubmitFailure(const Error& error) {
    switch (error.code) {
        case ErrorCode::kInvalidArgument:
            // The engine's kInvalidArgument messages are written for callers (unknown agent, empty
            // message, "no model configured for agent main: set ...").
            return Failure{400, "invalid_request_error", "", error.message, std::nullopt};
        case ErrorCode::kRateLimited:
            return Failure{
                429,
                "rate_limit_error",
                "rate_limited",
                "too many queued messages for this session",
                std::chrono::seconds(1)};
        case ErrorCode::kConflict:
            return Failure{
                409,
                "invalid_request_error",
                "conflict",
                "idempotency key reused for another request",
                std::nullopt};
        case ErrorCode::kUnavailable:
            return Failure{
                503,
                "api_error",
                "unavailable",
                "the gateway is not accepting runs right now",
                std::chrono::seconds(1)};
        case ErrorCode::kNotFound:
            return Failure{404, "invalid_request_error", "not_found", "not found", std::nullopt};
        case ErrorCode::kDeadlineExceeded:
            return Failure{504, "api_error", "timeout", "the run did not finish in time", std::nullopt};
        default:
            return Failure{502, "api_error", "upstream_error", "the run could not be started", std::nullopt};
    }
}

Failure RunFailure(domain::RunStatus status, std::optional<domain::ModelErrorKind> kind) {
    using K = domain::ModelErrorKind;
    // A run past its deadline is recorded aborted with kind timeout: that is a 504, not an abort.
    if (kind == K::kTimeout) {
        return Failure{504, "api_error", "timeout", "the run timed out", std::nullopt};
    }
    if (status == domain::RunStatus::kAborted || kind == K::kAborted) {
        return Failure{503, "api_error", "run_aborted", "the run was aborted", std::nullopt};
    }
    if (!kind) {
        return Failure{502, "api_error", "upstream_error", "the model call failed", std::nullopt};
    }
    switch (*kind) {
        case K::kRateLimited:
            return Failure{
                429,
                "rate_limit_error",
                "rate_limited",
                "the model provider is rate limiting",
                std::chrono::seconds(1)};
        case K::kTimeout:
            return Failure{504, "api_error", "timeout", "the model call timed out", std::nullopt};
        case K::kContextLength:
            return Failure{
                400,
                "invalid_request_error",
                "context_length_exceeded",
                "the conversation does not fit the model's context window",
                std::nullopt};
        case K::kNotConfigured:
            return Failure{
                502,
                "api_error",
                "not_configured",
                "no usable model is configured for this agent",
                std::nullopt};
        case K::kAuth:
            return Failure{
                502,
                "api_error",
                "upstream_auth",
                "the model provider rejected the gateway's credentials",
                std::nullopt};
        default:
            return Failure{502, "api_error", "upstream_error", "the model call failed", std::nullopt};
    }
}

json::object FailureJson(const Failure& failure) {
    return json::object{
        {"message", failure.message},
        {"type", failure.type},
        {"param", nullptr},
        {"code", NullIfEmpty(failure.code)},
    };
}

net::HttpResponse FailureResponse(const Failure& failure, bool responses_shape) {
    RequestError error{failure.message, "", failure.status, failure.type, failure.code};
    auto resp = responses_shape ? ResponsesError(error) : OpenAiError(error);
    if (failure.retry_after) {
        resp.headers.emplace_back("Retry-After", std::to_string(failure.retry_after->count()));
    }
    return resp;
}

std::string_view FinishReason(std::optional<domain::StopReason> reason) {
    if (reason == domain::StopReason::kLength) {
        return "length";
    }
    if (reason == domain::StopReason::kToolUse) {
        return "tool_calls";
    }
    return "stop";
}

std::string FinalText(const std::vector<domain::TranscriptEntry>& entries) {
    for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
        if (it->role == domain::Role::kAssistant) {
            return domain::EntryText(*it);
        }
    }
    return {};
}

std::vector<domain::ToolCallBlock> ClientToolCalls(
    const std::vector<domain::TranscriptEntry>& entries, const std::vector<std::string>& client_tools
) {
    std::vector<domain::ToolCallBlock> calls;
    for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
        if (it->role != domain::Role::kAssistant) {
            continue;
        }
        for (const auto& block : it->content) {
            if (const auto* call = std::get_if<domain::ToolCallBlock>(&block)) {
                if (std::find(client_tools.begin(), client_tools.end(), call->name) != client_tools.end()) {
                    calls.push_back(*call);
                }
            }
        }
        break;
    }
    return calls;
}

json::object ChatUsage(const domain::TokenUsage& usage) {
    const std::int64_t prompt = usage.input + usage.cache_read + usage.cache_write;
    return json::object{
        {"prompt_tokens", prompt},
        {"completion_tokens", usage.output},
        {"total_tokens", prompt + usage.output},
    };
}

json::object ResponsesUsage(const domain::TokenUsage& usage) {
    const std::int64_t input = usage.input + usage.cache_read + usage.cache_write;
    return json::object{
        {"input_tokens", input},
        {"input_tokens_details", json::object{{"cached_tokens", usage.cache_read}}},
        {"output_tokens", usage.output},
        {"output_tokens_details", json::object{{"reasoning_tokens", 0}}},
        {"total_tokens", input + usage.output},
    };
}

std::optional<RequestError> FillMessages(
    std::vector<ParsedMessage> messages,
    bool include_history,
    engine::SendRequest& send,
    std::string_view param
) {
    std::unordered_map<std::string, std::string> call_names;
    std::string system;
    std::vector<ParsedMessage> turns;
    for (auto& message : messages) {
        if (message.role == domain::Role::kSystem) {
            for (const auto& block : message.content) {
                if (const auto* text = std::get_if<domain::TextBlock>(&block); text && !text->text.empty()) {
                    system += system.empty() ? "" : "\n\n";
                    system += text->text;
                }
            }
            continue;
        }
        for (auto& block : message.content) {
            if (auto* call = std::get_if<domain::ToolCallBlock>(&block)) {
                call_names[call->id] = call->name;
            } else if (auto* result = std::get_if<domain::ToolResultBlock>(&block)) {
                if (result->tool_name.empty()) {
                    if (auto it = call_names.find(result->tool_call_id); it != call_names.end()) {
                        result->tool_name = it->second;
                    }
                }
            }
        }
        turns.push_back(std::move(message));
    }
    if (!system.empty()) {
        send.extra_system_prompt = std::move(system);
    }
    if (turns.empty() || turns.back().role == domain::Role::kAssistant) {
        return RequestError{"the last message must be a user message or tool results", std::string(param)};
    }
    std::size_t first_trailing = turns.size() - 1;
    if (turns.back().role == domain::Role::kToolResult) {
        while (first_trailing > 0 && turns[first_trailing - 1].role == domain::Role::kToolResult) {
            --first_trailing;
        }
    }
    send.role = turns.back().role;
    send.content.clear();
    for (std::size_t i = first_trailing; i < turns.size(); ++i) {
        for (auto& block : turns[i].content) {
            send.content.push_back(std::move(block));
        }
    }
    if (send.content.empty()) {
        return RequestError{"the last message has no content", std::string(param)};
    }
    if (include_history) {
        for (std::size_t i = 0; i < first_trailing; ++i) {
            if (turns[i].content.empty()) {
                continue;
            }
            domain::TranscriptEntry entry;
            entry.id = NewUuid();
            entry.tenant_id = send.tenant_id;
            entry.user_id = send.user_id;
            entry.role = turns[i].role;
            entry.content = std::move(turns[i].content);
            send.history.push_back(std::move(entry));
        }
    }
    return std::nullopt;
}

std::optional<domain::ImageBlock> ParseDataUrl(std::string_view url) {
    constexpr std::string_view kPrefix = "data:";
    constexpr std::string_view kBase64 = ";base64,";
    if (!url.starts_with(kPrefix)) {
        return std::nullopt;
    }
    auto marker = url.find(kBase64);
    if (marker == std::string_view::npos) {
        return std::nullopt;
    }
    auto mime = url.substr(kPrefix.size(), marker - kPrefix.size());
    auto data = url.substr(marker + kBase64.size());
    if (!mime.starts_with("image/") || data.empty()) {
        return std::nullopt;
    }
    return domain::ImageBlock{std::string(mime), std::string(data)};
}

bool LooksLikeModelRef(std::string_view text) {
    auto slash = text.find('/');
    return slash != std::string_view::npos && slash > 0 && slash + 1 < text.size() &&
           text.find_first_of(" \t\r\n") == std::string_view::npos;
}

std::optional<RequestError> ParseClientTools(const json::value& tools, engine::SendRequest& send) {
    if (tools.is_null()) {
        return std::nullopt;
    }
    if (!tools.is_array()) {
        return RequestError{"tools must be an array", "tools"};
    }
    for (const auto& tool : tools.as_array()) {
        const auto* obj = tool.if_object();
        if (obj == nullptr) {
            return RequestError{"each tool must be an object", "tools"};
        }
        const auto* type = obj->if_contains("type");
        if (type == nullptr || !type->is_string() || type->as_string() != "function") {
            return RequestError{"only function tools are supported", "tools"};
        }
        const json::object* fn = obj;
        if (const auto* nested = obj->if_contains("function")) {
            fn = nested->if_object();
            if (fn == nullptr) {
                return RequestError{"tools[].function must be an object", "tools"};
            }
        }
        const auto* name = fn->if_contains("name");
        if (name == nullptr || !name->is_string() || name->as_string().empty()) {
            return RequestError{"every function tool needs a name", "tools"};
        }
        domain::ToolSpec spec;
        spec.name = std::string(name->as_string());
        if (const auto* desc = fn->if_contains("description"); desc != nullptr && desc->is_string()) {
            spec.description = std::string(desc->as_string());
        }
        if (const auto* params = fn->if_contains("parameters"); params != nullptr && params->is_object()) {
            spec.parameters_json = json::serialize(*params);
        }
        send.client_tools.push_back(std::move(spec));
    }
    return std::nullopt;
}

std::optional<std::string> HeaderValue(const net::HttpRequest& request, std::string_view name) {
    auto value = request.Header(name);
    if (!value) {
        return std::nullopt;
    }
    auto v = *value;
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) {
        v.remove_prefix(1);
    }
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) {
        v.remove_suffix(1);
    }
    if (v.empty()) {
        return std::nullopt;
    }
    return std::string(v);
}

}  // namespace gw::api::internal
