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

boost::asio::awaitable<ResponsesParse> ParseResponsesRequest(
    const ConversationDeps& deps, const net::HttpRequest& http
) {
    const auto known = KnownAgents(deps.engine, deps.config);
    const std::string default_agent = DefaultAgent(deps.config);
    ResponsesParse parsed = ParseResponsesBody(http, known, default_agent);
    if (!parsed.request || !parsed.request->previous_response_id) {
        co_return parsed;
    }
    ResponsesRequest& out = *parsed.request;
    const std::string run_id = out.previous_response_id->substr(5);
    auto previous = co_await deps.engine.Wait(out.send.tenant_id, run_id, std::chrono::milliseconds(0));
    if (!previous) {
        if (previous.error().code == ErrorCode::kDeadlineExceeded) {
            co_return ResponsesParse{std::nullopt, RequestError{
                "the previous response is still in progress",
                "previous_response_id",
                409,
                "invalid_request_error",
                "conflict"}};
        }
        co_return ResponsesParse{std::nullopt, RequestError{
            "previous response not found: " + *out.previous_response_id,
            "previous_response_id",
            400,
            "invalid_request_error",
            "not_found"}};
    }
    if (previous->session_key.empty()) {
        // The run predates this process (the engine read it from the store without its key).
        co_return ResponsesParse{std::nullopt, RequestError{
            "previous response " + *out.previous_response_id +
                " cannot be continued after a gateway restart; start a new conversation",
            "previous_response_id",
            400,
            "invalid_request_error",
            "not_resumable"}};
    }
    out.send.session_key = previous->session_key;
    if (!previous->agent_id.empty()) {
        out.send.agent_id = previous->agent_id;
    }
    co_return parsed;
}


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
