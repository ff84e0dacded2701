// POST /v1/responses: Submit and the non-streaming answer.
#include <boost/json.hpp>

#include "api/internal/responses_common.hpp"
#include "engine/run_engine.hpp"
#include "obs/log.hpp"

namespace gw::api::internal {
namespace {

void LogFailure(const net::HttpRequest& request, std::string_view what, const std::string& detail) {
    obs::Log(obs::LogLevel::kWarn, "gw.api", what, {{"request_id", request.request_id}, {"detail", detail}});
}

}  // namespace

Awaitable HandleResponses(const ConversationDeps& deps, const net::HttpRequest& request) {
    auto parsed = co_await ParseResponsesRequest(deps, request);
    if (!parsed.request) {
        CountError(deps, parsed.error.status);
        co_return ResponsesError(parsed.error);
    }
    ResponsesRequest req = std::move(*parsed.request);
    const auto wait_timeout = AgentTimeout(deps.config, req.send.agent_id) + kWaitMargin;
    auto submitted = co_await deps.engine.Submit(req.send);
    if (!submitted) {
        LogFailure(request, "responses request rejected", submitted.error().message);
        auto failure = SubmitFailure(submitted.error());
        CountError(deps, failure.status);
        co_return FailureResponse(failure, true);
    }
    engine::SubmitAck ack = std::move(*submitted);
    if (req.stream) {
        co_return ResponsesStreamResponse(deps, std::move(req), std::move(ack), wait_timeout);
    }
    if (ack.events) {
        ack.events->Close();
    }
    const auto created_at = NowSeconds();
    auto outcome = co_await deps.engine.Wait(req.send.tenant_id, ack.run_id, wait_timeout);
    if (!outcome) {
        LogFailure(request, "responses wait failed", outcome.error().message);
        auto failure = SubmitFailure(outcome.error());
        CountError(deps, failure.status);
        co_return FailureResponse(failure, true);
    }
    if (outcome->run.status != domain::RunStatus::kCompleted) {
        LogFailure(request, "responses run failed", outcome->run.error.value_or(""));
        auto failure = RunFailure(outcome->run.status, outcome->error_kind);
        CountError(deps, failure.status);
        co_return FailureResponse(failure, true);
    }
    const std::string text = FinalText(outcome->entries);
    const auto calls = ClientToolCalls(outcome->entries, req.client_tool_names);
    json::array output;
    if (!text.empty() || calls.empty()) {
        output.push_back(MessageItem(MessageId(ack.run_id), "completed", &text, "final_answer"));
    }
    for (const auto& call : calls) {
        output.push_back(FunctionCallItem(call, "completed"));
    }
    co_return JsonResponse(
        200,
        ResponseObject(
            req, ResponseId(ack.run_id), created_at, "completed", std::move(output), &outcome->usage
        )
    );
}

}  // namespace gw::api::internal
