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
#include "api/internal/hooks_request.hpp"
#include "api/internal/openai_handlers.hpp"
#include "config/options.hpp"
#include "crypto/constant_time.hpp"
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

HookParseContext ParseContext(const ConversationDeps& deps) {
    return HookParseContext{
        KnownAgents(deps.engine, deps.config),
        deps.config.hooks.default_agent.empty() ? DefaultAgent(deps.config) : deps.config.hooks.default_agent,
    };
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
    HookWakeParse parsed = ParseHookWake(request.body, ParseContext(deps));
    if (!parsed.send) {
        CountError(deps, 400);
        co_return HookError(400, parsed.error);
    }
    auto submitted = co_await deps.engine.Submit(std::move(*parsed.send));
    if (!submitted) {
        co_return SubmitError(deps, submitted.error(), std::nullopt);
    }
    if (submitted->events) {
        submitted->events->Close();
    }
    co_return JsonResponse(200, json::object{{"ok", true}, {"mode", parsed.mode}, {"eventOutcome", "queued"}});
}

Awaitable HandleHookAgent(const ConversationDeps& deps, const net::HttpRequest& request) {
    if (auto denied = CheckHookAuth(deps, request)) {
        co_return std::move(*denied);
    }
    HookAgentParse parsed = ParseHookAgent(request.body, ParseContext(deps));
    if (!parsed.send) {
        CountError(deps, 400);
        co_return HookError(400, parsed.error);
    }
    engine::SendRequest send = std::move(*parsed.send);
    const std::optional<std::string> idempotency_key = send.idempotency_key;
    obs::Log(
        obs::LogLevel::kInfo,
        "gw.api",
        "hook agent run requested",
        {{"hook", parsed.name.value_or("")},
         {"agent", send.agent_id},
         {"session_mode", parsed.session_mode},
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
