// agent (two responses with the same id) and agent.wait (reference §2.4).
#include <algorithm>
#include <chrono>
#include <exception>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "api/ws/internal/core_common.hpp"
#include "api/ws/internal/event_hub.hpp"
#include "api/ws/internal/params.hpp"
#include "config/options.hpp"
#include "domain/session_repository.hpp"
#include "obs/log.hpp"

namespace gw::api::ws {
namespace {

namespace asio = boost::asio;

WsError ResultNotFound(const std::string& run_id) {
    WsError error;
    error.code = WsErrorCode::kAgentResultNotFound;
    error.message = "agent run not found: " + run_id;
    return error;
}

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr std::int64_t kDefaultWaitMs = 30'000;
constexpr std::chrono::milliseconds kUnknownRunRetry{200};  ///< agent.wait on a run not started yet
constexpr std::int64_t kMaxWaitMs = 24LL * 3600 * 1000;
/// Slack on top of the run deadline before the terminal `agent` response reports a timeout.
constexpr auto kTerminalGrace = 30s;

std::chrono::milliseconds AgentDeadline(const GatewayServices& services, std::string_view agent_id) {
    for (const auto& agent : services.engine.Agents()) {
        if (agent.id == agent_id && agent.timeout) {
            return *agent.timeout;
        }
    }
    if (services.config.agents.defaults.timeout) {
        return *services.config.agents.defaults.timeout;
    }
    return 600s;
}

/// Waits for the run and sends the `agent` method's second response.
asio::awaitable<void> SendTerminal(GatewayServices& services, std::shared_ptr<ClientConnection> conn,
                                   std::string request_id, std::string tenant, std::string run_id,
                                   std::chrono::milliseconds timeout) {
    auto outcome = co_await services.engine.Wait(tenant, run_id, timeout);
    if (!outcome) {
        if (outcome.error().code == ErrorCode::kDeadlineExceeded) {
            conn->SendResponse(request_id, json::object{{"runId", run_id}, {"status", "timeout"},
                                                        {"summary", "timed out waiting for the run"}});
        } else if (outcome.error().code == ErrorCode::kNotFound) {
            conn->SendErrorResponse(request_id, ResultNotFound(run_id));
        } else {
            conn->SendErrorResponse(request_id, FromError(outcome.error()));
        }
        co_return;
    }
    conn->SendResponse(request_id, AgentTerminalPayload(*outcome));
}

bool IsResetCommand(std::string_view message) {
    auto trimmed = message.substr(0, message.find_first_of(" \t\n"));
    return trimmed == "/new" || trimmed == "/reset";
}

/// The text after a `/new` or `/reset` command (trimmed).
std::string AfterCommand(std::string_view message) {
    const auto space = message.find_first_of(" \t\n");
    if (space == std::string_view::npos) {
        return {};
    }
    auto rest = message.substr(space);
    const auto begin = rest.find_first_not_of(" \t\n");
    if (begin == std::string_view::npos) {
        return {};
    }
    const auto end = rest.find_last_not_of(" \t\n");
    return std::string(rest.substr(begin, end - begin + 1));
}

/// `/new` / `/reset`: points the session at a fresh transcript (sessions.reset). The session is created
/// first when absent so the command always succeeds.
asio::awaitable<std::optional<WsError>> ResetSession(MethodCall& call, const std::string& request_key,
                                                     const std::string& agent_id) {
    auto key = ResolveKey(request_key, agent_id);
    if (auto* error = std::get_if<WsError>(&key)) {
        co_return *error;
    }
    domain::SessionKey resolved = std::get<domain::SessionKey>(key);
    std::string tenant = TenantOf(call);
    std::string user = UserOf(call);
    auto session = co_await call.services.sessions.GetOrCreate(tenant, resolved, user);
    if (!session) {
        co_return FromError(session.error());
    }
    auto reset = co_await call.services.sessions.Reset(tenant, resolved);
    if (!reset) {
        co_return FromError(reset.error());
    }
    call.services.events.PublishSessionsChanged(
        tenant, json::object{{"sessionKey", reset->session_key}, {"reason", "reset"}, {"ts", NowMs(call.services)}}
    );
    co_return std::nullopt;
}

Reply Agent(MethodCall& call) {
    ParamReader p("agent", call.params);
    auto message = p.String("message", true, 4 * 1024 * 1024, true);
    auto ik = p.String("idempotencyKey", true, 256, true);
    auto agent_id = p.String("agentId", false, domain::kMaxAgentIdLength);
    auto session_key = p.String("sessionKey", false, domain::kMaxRequestSessionKeyLength, true);
    auto provider = p.String("provider", false, 128, true);
    auto model = p.String("model", false, domain::kMaxModelOverrideLength, true);
    auto timeout_s = p.Int("timeout", false, 1, 24 * 3600);
    auto extra_prompt = p.String("extraSystemPrompt", false, 64 * 1024);
    p.Enum("promptMode", false, {"full", "minimal", "none"});
    p.String("thinking", false, 64);
    p.Bool("deliver", false);
    p.Bool("bestEffortDeliver", false);
    p.String("label", false, domain::kMaxSessionLabelLength);
    p.Ignore({"sessionId", "channel", "to", "replyTo", "accountId", "threadId", "replyChannel", "replyAccountId",
              "lane", "inputProvenance", "attachments", "groupId", "groupChannel", "groupSpace", "spawnedBy"});
    if (auto error = p.Finish()) {
        co_return *error;
    }
    auto agent = PickAgent(call.services, agent_id, "agent");
    if (auto* error = std::get_if<WsError>(&agent)) {
        co_return *error;
    }
    const std::string agent_name = std::get<std::string>(agent);
    std::string text = *message;
    if (IsResetCommand(text)) {
        if (!ScopeSatisfied(call.conn->Info().scopes, kScopeAdmin)) {
            co_return MissingScope(kScopeAdmin);
        }
        const std::string request_key = session_key.value_or("main");
        if (auto error = co_await ResetSession(call, request_key, agent_name)) {
            co_return *error;
        }
        text = AfterCommand(text);
        if (text.empty()) {
            // Nothing to run: the terminal response reports the reset right after the accepted one.
            auto key = ResolveKey(request_key, agent_name);
            const std::string canonical = std::get<domain::SessionKey>(key).ToString();
            json::object terminal{{"runId", *ik}, {"status", "ok"}, {"summary", "session reset"},
                                  {"result", json::object{{"payloads", json::array()},
                                                          {"meta", json::object{{"durationMs", 0}}}}}};
            auto executor = co_await asio::this_coro::executor;
            asio::post(executor, [conn = call.conn, id = call.request_id, terminal = std::move(terminal)] {
                conn->SendResponse(id, terminal);
            });
            co_return json::object{{"runId", *ik}, {"sessionKey", canonical}, {"agentId", agent_name},
                                   {"status", "accepted"}, {"acceptedAt", NowMs(call.services)}};
        }
    }
    engine::SendRequest send;
    send.tenant_id = TenantOf(call);
    send.user_id = UserOf(call);
    send.agent_id = agent_name;
    send.session_key = session_key.value_or("main");
    send.content.emplace_back(domain::TextBlock{text});
    send.idempotency_key = *ik;
    if (model) {
        send.model_override = provider && model->find('/') == std::string::npos ? *provider + "/" + *model : *model;
    }
    if (extra_prompt && !extra_prompt->empty()) {
        send.extra_system_prompt = *extra_prompt;
    }
    std::chrono::milliseconds deadline = AgentDeadline(call.services, agent_name);
    if (timeout_s) {
        deadline = std::chrono::seconds(*timeout_s);
        send.timeout = deadline;
    }
    const auto content = send.content;
    auto ack = co_await call.services.engine.Submit(std::move(send));
    if (!ack) {
        co_return FromError(ack.error());
    }
    if (ack->events) {
        ack->events->Close();
    }
    std::string tenant = TenantOf(call);
    if (ack->status != engine::SubmitAck::Status::kDuplicate) {
        call.services.events.PublishSessionMessage(
            tenant, ack->session_key,
            json::object{{"sessionKey", ack->session_key},
                         {"message", CommittedMessage(*ack, domain::Role::kUser, content, NowMs(call.services))}}
        );
    }
    if (ack->status == engine::SubmitAck::Status::kDuplicate) {
        std::string run_id = ack->run_id;
        auto outcome = co_await call.services.engine.Wait(tenant, run_id, 0ms);
        if (!outcome) {
            if (outcome.error().code == ErrorCode::kDeadlineExceeded) {
                co_return json::object{{"runId", ack->run_id}, {"status", "in_flight"}};
            }
            co_return FromError(outcome.error());
        }
        co_return AgentTerminalPayload(*outcome);
    }
    // The terminal response must follow the accepted one, which the dispatcher sends when this handler
    // completes on its strand: the wait starts from a handler posted to that strand, so it runs after.
    auto& services = call.services;
    auto executor = co_await asio::this_coro::executor;
    asio::post(executor, [&services, conn = call.conn, request_id = call.request_id, tenant,
                              run_id = ack->run_id, timeout = deadline + kTerminalGrace]() mutable {
        asio::co_spawn(services.ioc,
                       SendTerminal(services, std::move(conn), std::move(request_id), std::move(tenant),
                                    std::move(run_id), timeout),
                       [](std::exception_ptr e) {
                           if (e) {
                               try {
                                   std::rethrow_exception(e);
                               } catch (const std::exception& ex) {
                                   obs::Log(obs::LogLevel::kError, "gw.api.ws", "agent terminal response failed",
                                            {{"error", ex.what()}});
                               }
                           }
                       });
    });
    co_return json::object{{"runId", ack->run_id}, {"sessionKey", ack->session_key}, {"agentId", ack->agent_id},
                           {"status", "accepted"}, {"acceptedAt", NowMs(call.services)}};
}

Reply AgentWait(MethodCall& call) {
    ParamReader p("agent.wait", call.params);
    auto run_id = p.String("runId", true, 256, true);
    auto timeout_ms = p.Int("timeoutMs", false, 0, kMaxWaitMs);
    if (auto error = p.Finish()) {
        co_return *error;
    }
    std::string tenant = TenantOf(call);
    const std::chrono::milliseconds timeout(timeout_ms.value_or(kDefaultWaitMs));
    // A run id may name a run that has not started yet (an `agent` call racing this wait, or a caller
    // waiting on its own idempotency key): an unknown run is looked up again until the deadline, as
    // OpenClaw's wait on the run's lifecycle end does, and then reported as a timeout.
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    boost::asio::steady_timer retry(co_await boost::asio::this_coro::executor);
    Result<engine::RunOutcome> outcome = MakeError(ErrorCode::kNotFound, "not started");
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        const std::chrono::milliseconds budget = std::max(left, std::chrono::milliseconds(0));
        outcome = co_await call.services.engine.Wait(tenant, *run_id, budget);
        if (outcome || outcome.error().code != ErrorCode::kNotFound || budget.count() == 0) {
            break;
        }
        retry.expires_after(std::min(budget, kUnknownRunRetry));
        co_await retry.async_wait(boost::asio::use_awaitable);
    }
    if (!outcome) {
        if (outcome.error().code == ErrorCode::kDeadlineExceeded || outcome.error().code == ErrorCode::kNotFound) {
            co_return json::object{{"runId", *run_id}, {"status", "timeout"}};
        }
        co_return FromError(outcome.error());
    }
    co_return WaitPayload(*outcome);
}

}  // namespace

void RegisterAgentMethods(MethodRegistry& registry) {
    registry.Add({"agent", std::string(kScopeWrite), Agent});
    registry.Add({"agent.wait", std::string(kScopeWrite), AgentWait});
}

}  // namespace gw::api::ws
