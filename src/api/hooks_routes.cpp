// POST /hooks/wake, /hooks/agent: webhooks authenticated by the hook token (reference §3).
#include <algorithm>
#include <exception>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "api/http_auth.hpp"
#include "api/internal/openai_handlers.hpp"
#include "base/ids.hpp"
#include "config/options.hpp"
#include "crypto/constant_time.hpp"
#include "domain/session_key.hpp"
#include "obs/log.hpp"

namespace gw::api::internal {
namespace {

namespace asio = boost::asio;

constexpr std::string_view kQueryTokenError =
    "Hook token must be provided via Authorization: Bearer <token> or X-OpenClaw-Token header (query "
    "parameters "
    "are not allowed).";

net::HttpResponse HookError(
    int status, std::string_view message, std::optional<std::string> run_id = std::nullopt
) {
    json::object body{{"ok", false}, {"error", message}};
    if (run_id) {
        body["runId"] = *run_id;
    }
    return JsonResponse(status, body);
}

bool QueryHasToken(std::string_view query) {
    while (!query.empty()) {
        auto amp = query.find('&');
        auto pair = query.substr(0, amp);
        auto name = pair.substr(0, pair.find('='));
        if (name == "token") {
            return true;
        }
        if (amp == std::string_view::npos) {
            break;
        }
        query.remove_prefix(amp + 1);
    }
    return false;
}

/// nullopt: authorised.
std::optional<net::HttpResponse> CheckHookAuth(
    const ConversationDeps& deps, const net::HttpRequest& request
) {
    if (QueryHasToken(request.query)) {
        CountError(deps, 400);
        return HookError(400, kQueryTokenError);
    }
    HttpAuthLimiter& limiter = *deps.hook_limiter;
    if (auto retry = limiter.RetryAfter(ClientIp(request))) {
        CountError(deps, 429);
        auto resp = HookError(429, "Too many failed authentication attempts");
        resp.headers.emplace_back("Retry-After", std::to_string(retry->count()));
        return resp;
    }
    std::optional<std::string_view> token = BearerToken(request);
    if (!token) {
        token = request.Header("x-openclaw-token");
    }
    const auto& expected = deps.config.hooks.token;
    if (token && !token->empty() && expected.IsSet() && crypto::ConstantTimeEquals(*token, expected.value)) {
        limiter.RecordSuccess(ClientIp(request));
        return std::nullopt;
    }
    obs::Log(
        obs::LogLevel::kWarn,
        "gw.api",
        "hook auth failed",
        {{"path", request.path}, {"client_ip", ClientIp(request)}, {"request_id", request.request_id}}
    );
    limiter.RecordFailure(ClientIp(request));
    CountError(deps, 401);
    return HookError(401, "Unauthorized");
}

/// Validated common fields.
struct HookTarget {
    std::string agent_id;
    std::optional<std::string> session_key;
};

std::optional<std::string> OptionalString(
    const json::object& body, std::string_view key, std::string& error
) {
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

std::optional<HookTarget> ParseTarget(
    const ConversationDeps& deps, const json::object& body, std::string& error
) {
    HookTarget target;
    target.agent_id =
        deps.config.hooks.default_agent.empty() ? DefaultAgent(deps.config) : deps.config.hooks.default_agent;
    auto agent = OptionalString(body, "agentId", error);
    if (!error.empty()) {
        return std::nullopt;
    }
    if (agent) {
        const auto known = KnownAgents(deps.engine, deps.config);
        if (std::find(known.begin(), known.end(), *agent) == known.end()) {
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

/// Pre-run failures: 400 bad input, 409 session conflict, 429 backlog, 503 unavailable, 502 otherwise.
net::HttpResponse SubmitError(
    const ConversationDeps& deps, const Error& error, std::optional<std::string> run_id
) {
    int status = 502;
    std::string message = "the run could not be prepared";
    switch (error.code) {
        case ErrorCode::kInvalidArgument:
            status = 400;
            message = error.message;
            break;
        case ErrorCode::kConflict:
            status = 409;
            message = "session conflict";
            break;
        case ErrorCode::kRateLimited:
            status = 429;
            message = "too many queued messages for this session";
            break;
        case ErrorCode::kUnavailable:
            status = 503;
            message = "the gateway is not accepting runs right now";
            break;
        default:
            break;
    }
    CountError(deps, status);
    return HookError(status, message, std::move(run_id));
}

struct Admission {
    explicit Admission(const asio::any_io_executor& ex) : timer(ex) {}

    std::optional<Result<engine::SubmitAck>> result;
    asio::steady_timer timer;
};

/// Submits without cancelling the Submit when the admission timeout passes first (the run may still
/// start; the caller is told 503). nullopt: timed out.
asio::awaitable<std::optional<Result<engine::SubmitAck>>> SubmitWithin(
    engine::RunEngine& engine, engine::SendRequest send, std::chrono::milliseconds timeout
) {
    auto ex = co_await asio::this_coro::executor;
    auto admission = std::make_shared<Admission>(ex);
    admission->timer.expires_after(timeout);
    auto submit = [&engine, send = std::move(send)]() mutable -> asio::awaitable<Result<engine::SubmitAck>> {
        auto r = co_await engine.Submit(std::move(send));
        co_return r;
    };
    auto done = [admission](std::exception_ptr e, Result<engine::SubmitAck> r) {
        if (e) {
            admission->result.emplace(MakeError(ErrorCode::kInternal, "hook submit threw"));
        } else {
            admission->result.emplace(std::move(r));
        }
        admission->timer.cancel();
    };
    asio::co_spawn(ex, std::move(submit), std::move(done));
    if (!admission->result) {
        co_await admission->timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    co_return std::move(admission->result);
}

}  // namespace

Awaitable HandleHookWake(const ConversationDeps& deps, const net::HttpRequest& request) {
    if (auto denied = CheckHookAuth(deps, request)) {
        co_return std::move(*denied);
    }
    std::string error;
    auto body = ParseObject(request.body, error);
    if (!body) {
        CountError(deps, 400);
        co_return HookError(400, error);
    }
    auto text = OptionalString(*body, "text", error);
    if (!error.empty() || !text || text->find_first_not_of(" \t\r\n") == std::string::npos) {
        CountError(deps, 400);
        co_return HookError(400, error.empty() ? "text is required" : error);
    }
    auto mode = OptionalString(*body, "mode", error).value_or("now");
    if (!error.empty() || (mode != "now" && mode != "next-heartbeat")) {
        CountError(deps, 400);
        co_return HookError(400, error.empty() ? "mode must be now or next-heartbeat" : error);
    }
    auto target = ParseTarget(deps, *body, error);
    if (!target) {
        CountError(deps, 400);
        co_return HookError(400, error);
    }
    engine::SendRequest send;
    send.agent_id = target->agent_id;
    send.session_key = target->session_key.value_or("main");
    send.role = domain::Role::kSystem;
    send.content.emplace_back(domain::TextBlock{"[OpenClaw session event] " + *text});
    send.no_run = mode == "next-heartbeat";
    send.queue_mode = engine::QueueMode::kFollowup;
    auto submitted = co_await deps.engine.Submit(std::move(send));
    if (!submitted) {
        co_return SubmitError(deps, submitted.error(), std::nullopt);
    }
    if (submitted->events) {
        submitted->events->Close();
    }
    co_return JsonResponse(200, json::object{{"ok", true}, {"mode", mode}, {"eventOutcome", "queued"}});
}

Awaitable HandleHookAgent(const ConversationDeps& deps, const net::HttpRequest& request) {
    if (auto denied = CheckHookAuth(deps, request)) {
        co_return std::move(*denied);
    }
    std::string error;
    auto body = ParseObject(request.body, error);
    if (!body) {
        CountError(deps, 400);
        co_return HookError(400, error);
    }
    auto fail = [&deps](std::string message) {
        CountError(deps, 400);
        return HookError(400, message);
    };
    auto message = OptionalString(*body, "message", error);
    if (!error.empty() || !message || message->find_first_not_of(" \t\r\n") == std::string::npos) {
        co_return fail(error.empty() ? "message is required" : error);
    }
    auto target = ParseTarget(deps, *body, error);
    if (!target) {
        co_return fail(error);
    }
    auto session_mode = OptionalString(*body, "sessionMode", error).value_or("isolated");
    if (!error.empty() || (session_mode != "isolated" && session_mode != "persistent")) {
        co_return fail(error.empty() ? "sessionMode must be isolated or persistent" : error);
    }
    auto model = OptionalString(*body, "model", error);
    if (!error.empty() || (model && !LooksLikeModelRef(*model))) {
        co_return fail(error.empty() ? "model must be provider/model" : error);
    }
    auto idempotency_key = OptionalString(*body, "idempotencyKey", error);
    auto name = OptionalString(*body, "name", error);
    if (!error.empty()) {
        co_return fail(error);
    }
    engine::SendRequest send;
    if (const auto* t = body->if_contains("timeoutSeconds"); t != nullptr && !t->is_null()) {
        auto seconds = NumberOf(*t);
        if (!seconds || *seconds <= 0 || *seconds > 86'400) {
            co_return fail("timeoutSeconds must be a positive number of seconds (at most 86400)");
        }
        send.timeout = std::chrono::milliseconds(static_cast<std::int64_t>(*seconds * 1000));
    }
    send.agent_id = target->agent_id;
    send.session_key = target->session_key.value_or("hook:" + NewUuid());
    send.content.emplace_back(domain::TextBlock{*message});
    send.model_override = model;
    send.idempotency_key = idempotency_key;
    send.queue_mode = engine::QueueMode::kFollowup;
    obs::Log(
        obs::LogLevel::kInfo,
        "gw.api",
        "hook agent run requested",
        {{"hook", name.value_or("")},
         {"agent", send.agent_id},
         {"session_mode", session_mode},
         {"request_id", request.request_id}}
    );
    auto admitted = co_await SubmitWithin(deps.engine, std::move(send), deps.config.hooks.admission_timeout);
    if (!admitted) {
        CountError(deps, 503);
        co_return HookError(503, "admission timed out", idempotency_key);
    }
    if (!*admitted) {
        co_return SubmitError(deps, admitted->error(), idempotency_key);
    }
    engine::SubmitAck ack = std::move(admitted->value());
    if (ack.events) {
        ack.events->Close();
    }
    co_return JsonResponse(200, json::object{{"ok", true}, {"runId", ack.run_id}});
}

}  // namespace gw::api::internal
