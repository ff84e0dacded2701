// POST /v1/chat/completions: validation, Submit, and the non-streaming answer.
#include <boost/json.hpp>

#include "api/internal/openai_handlers.hpp"
#include "base/ids.hpp"
#include "config/options.hpp"
#include "engine/run_engine.hpp"
#include "obs/log.hpp"

namespace gw::api::internal {
namespace {

json::object ChatCompletionBody(
    const ChatRequest& chat, const engine::RunOutcome& outcome, const std::string& id, std::int64_t created
) {
    json::object message{{"role", "assistant"}};
    const std::string text = FinalText(outcome.entries);
    const auto calls = ClientToolCalls(outcome.entries, chat.client_tool_names);
    if (text.empty() && !calls.empty()) {
        message["content"] = nullptr;
    } else {
        message["content"] = text;
    }
    std::string_view finish = FinishReason(outcome.run.stop_reason);
    if (!calls.empty()) {
        json::array tool_calls;
        for (const auto& call : calls) {
            tool_calls.push_back(json::object{
                {"id", call.id},
                {"type", "function"},
                {"function", json::object{{"name", call.name}, {"arguments", call.arguments_json}}},
            });
        }
        message["tool_calls"] = std::move(tool_calls);
        finish = "tool_calls";
    }
    json::object choice{{"index", 0}, {"message", std::move(message)}, {"finish_reason", finish}};
    return json::object{
        {"id", id},
        {"object", "chat.completion"},
        {"created", created},
        {"model", chat.model},
        {"choices", json::array{std::move(choice)}},
        {"usage", ChatUsage(outcome.usage)},
    };
}

void LogFailure(const net::HttpRequest& request, std::string_view what, const std::string& detail) {
    obs::Log(
        obs::LogLevel::kWarn,
        "gw.api",
        what,
        {{"path", request.path}, {"request_id", request.request_id}, {"detail", detail}}
    );
}

}  // namespace

Awaitable HandleChatCompletions(const ConversationDeps& deps, const net::HttpRequest& request) {
    const auto known = KnownAgents(deps.engine, deps.config);
    auto parsed = ParseChatRequest(request, known, DefaultAgent(deps.config));
    if (!parsed.request) {
        CountError(deps, parsed.error.status);
        co_return OpenAiError(parsed.error);
    }
    ChatRequest chat = std::move(*parsed.request);
    const std::string tenant = chat.send.tenant_id;
    const auto wait_timeout = AgentTimeout(deps.config, chat.send.agent_id) + kWaitMargin;

    auto submitted = co_await deps.engine.Submit(chat.send);
    if (!submitted) {
        LogFailure(request, "chat completion rejected", submitted.error().message);
        auto failure = SubmitFailure(submitted.error());
        CountError(deps, failure.status);
        co_return FailureResponse(failure, false);
    }
    engine::SubmitAck ack = std::move(*submitted);
    if (chat.stream) {
        co_return ChatStreamResponse(deps, std::move(chat), std::move(ack), wait_timeout);
    }
    if (ack.events) {
        ack.events->Close();  // the outcome comes from Wait
    }
    auto outcome = co_await deps.engine.Wait(tenant, ack.run_id, wait_timeout);
    if (!outcome) {
        LogFailure(request, "chat completion wait failed", outcome.error().message);
        auto failure = SubmitFailure(outcome.error());
        CountError(deps, failure.status);
        co_return FailureResponse(failure, false);
    }
    if (outcome->run.status != domain::RunStatus::kCompleted) {
        LogFailure(request, "chat completion run failed", outcome->run.error.value_or(""));
        auto failure = RunFailure(outcome->run.status, outcome->error_kind);
        CountError(deps, failure.status);
        co_return FailureResponse(failure, false);
    }
    const std::string id = "chatcmpl_" + NewUuid();
    co_return JsonResponse(200, ChatCompletionBody(chat, *outcome, id, NowSeconds()));
}

}  // namespace gw::api::internal
