// Streaming /v1/responses: run events → Responses API SSE events, in the order of reference §3.
#include <utility>
#include <vector>

#include <boost/json.hpp>

#include "api/internal/responses_common.hpp"
#include "engine/run_engine.hpp"
#include "net/response_stream.hpp"
#include "obs/log.hpp"

namespace gw::api::internal {
namespace {

namespace asio = boost::asio;

struct ResponsesStreamState {
    ConversationDeps deps;
    ResponsesRequest req;
    engine::SubmitAck ack;
    std::chrono::milliseconds wait_timeout;
    std::int64_t created_at = NowSeconds();
};

class ResponsesStreamWriter {
public:
    ResponsesStreamWriter(ResponsesStreamState& s, net::ResponseStream& out)
        : s_(s), out_(out), id_(ResponseId(s.ack.run_id)), item_id_(MessageId(s.ack.run_id)) {}

    asio::awaitable<void> Run() {
        const bool started = co_await Start();
        if (!started) {
            co_await AbortRun();
            co_return;
        }
        if (!s_.ack.events) {
            co_await Replay();
            co_return;
        }
        co_await internal::PumpRunEvents(
            *s_.ack.events,
            out_,
            {.on_event = [this](const engine::RunEvent& ev) { return OnEvent(ev); },
             .on_terminal = [this](const engine::RunEvent& ev) { return OnTerminal(ev); },
             .fail = [this](const Failure& f) { return Fail(f); },
             .abort_run = [this] { return AbortRun(); }}
        );
    }

private:
    asio::awaitable<void> OnTerminal(const engine::RunEvent& ev) {
        if (ev.kind == engine::RunEvent::Kind::kFinal) {
            co_await Complete(ev.final_entries, ev.total_usage);
        } else {
            co_await Fail(RunFailure(
                ev.kind == engine::RunEvent::Kind::kAborted ? domain::RunStatus::kAborted
                                                            : domain::RunStatus::kFailed,
                ev.error_kind
            ));
        }
    }

    /// Only text deltas reach a Responses stream; false when the write failed.
    asio::awaitable<bool> OnEvent(const engine::RunEvent& ev) {
        if (ev.kind == engine::RunEvent::Kind::kDelta && ev.delta &&
            ev.delta->kind == domain::ModelDelta::Kind::kText && !ev.delta->text.empty()) {
            co_return co_await Delta(ev.delta->text);
        }
        co_return true;
    }

    asio::awaitable<bool> Emit(std::string_view type, json::object data) {
        data["type"] = type;
        data["sequence_number"] = sequence_++;
        const std::string frame = SseTyped(type, data);
        const bool ok = co_await out_.Write(frame);
        co_return ok;
    }

    json::object Snapshot(std::string_view status, json::array output, const domain::TokenUsage* usage)
        const {
        return ResponseObject(s_.req, id_, s_.created_at, status, std::move(output), usage);
    }

    using Events = std::vector<std::pair<std::string_view, json::object>>;

    /// Emits in order; false as soon as one write fails.
    asio::awaitable<bool> EmitAll(Events events) {
        for (auto& [type, data] : events) {
            const bool ok = co_await Emit(type, std::move(data));
            if (!ok) {
                co_return false;
            }
        }
        co_return true;
    }

    asio::awaitable<bool> Start() {
        Events events;
        events.emplace_back(
            "response.created", json::object{{"response", Snapshot("in_progress", {}, nullptr)}}
        );
        events.emplace_back(
            "response.in_progress", json::object{{"response", Snapshot("in_progress", {}, nullptr)}}
        );
        events.emplace_back(
            "response.output_item.added",
            json::object{{"output_index", 0}, {"item", MessageItem(item_id_, "in_progress", nullptr, "")}}
        );
        events.emplace_back(
            "response.content_part.added",
            json::object{
                {"item_id", item_id_},
                {"output_index", 0},
                {"content_index", 0},
                {"part", OutputTextPart("")}}
        );
        const bool ok = co_await EmitAll(std::move(events));
        co_return ok;
    }

    asio::awaitable<bool> Delta(const std::string& text) {
        text_ += text;
        json::object delta{{"item_id", item_id_}, {"output_index", 0}, {"content_index", 0}, {"delta", text}};
        const bool ok = co_await Emit("response.output_text.delta", std::move(delta));
        co_return ok;
    }

    asio::awaitable<void> Complete(
        const std::vector<domain::TranscriptEntry>& entries, domain::TokenUsage usage
    ) {
        if (text_.empty()) {
            const std::string final_text = FinalText(entries);
            if (!final_text.empty()) {
                const bool ok = co_await Delta(final_text);
                if (!ok) {
                    co_return;
                }
            }
        }
        Events events;
        events.emplace_back(
            "response.output_text.done",
            json::object{{"item_id", item_id_}, {"output_index", 0}, {"content_index", 0}, {"text", text_}}
        );
        events.emplace_back(
            "response.content_part.done",
            json::object{
                {"item_id", item_id_},
                {"output_index", 0},
                {"content_index", 0},
                {"part", OutputTextPart(text_)}}
        );
        events.emplace_back(
            "response.output_item.done",
            json::object{
                {"output_index", 0}, {"item", MessageItem(item_id_, "completed", &text_, "final_answer")}}
        );
        json::array output{MessageItem(item_id_, "completed", &text_, "final_answer")};
        int index = 1;
        for (const auto& call : ClientToolCalls(entries, s_.req.client_tool_names)) {
            events.emplace_back(
                "response.output_item.added",
                json::object{{"output_index", index}, {"item", FunctionCallItem(call, "in_progress")}}
            );
            events.emplace_back(
                "response.function_call_arguments.done",
                json::object{
                    {"item_id", "fc_" + call.id}, {"output_index", index}, {"arguments", call.arguments_json}}
            );
            events.emplace_back(
                "response.output_item.done",
                json::object{{"output_index", index}, {"item", FunctionCallItem(call, "completed")}}
            );
            output.push_back(FunctionCallItem(call, "completed"));
            ++index;
        }
        events.emplace_back(
            "response.completed", json::object{{"response", Snapshot("completed", std::move(output), &usage)}}
        );
        const bool ok = co_await EmitAll(std::move(events));
        if (ok) {
            co_await out_.Write(kSseDone);
        }
    }

    asio::awaitable<void> Fail(Failure failure) {
        CountError(s_.deps, failure.status);
        auto response = Snapshot("failed", {}, nullptr);
        response["error"] = json::object{{"code", failure.code}, {"message", failure.message}};
        json::object failed{{"response", std::move(response)}};
        const bool ok = co_await Emit("response.failed", std::move(failed));
        if (ok) {
            co_await out_.Write(kSseDone);
        }
    }

    asio::awaitable<void> Replay() {
        auto outcome = co_await s_.deps.engine.Wait(s_.req.send.tenant_id, s_.ack.run_id, s_.wait_timeout);
        if (!outcome) {
            co_await Fail(SubmitFailure(outcome.error()));
            co_return;
        }
        if (outcome->run.status != domain::RunStatus::kCompleted) {
            co_await Fail(RunFailure(outcome->run.status, outcome->error_kind));
            co_return;
        }
        co_await Complete(outcome->entries, outcome->usage);
    }

    asio::awaitable<void> AbortRun() {
        auto aborted =
            co_await s_.deps.engine.Abort(s_.req.send.tenant_id, s_.ack.run_id, "client disconnected");
        obs::Log(
            obs::LogLevel::kInfo,
            "gw.api",
            "responses stream client gone; run aborted",
            {{"run_id", s_.ack.run_id}, {"ok", aborted ? "true" : "false"}}
        );
    }

    ResponsesStreamState& s_;
    net::ResponseStream& out_;
    std::string id_;
    std::string item_id_;
    std::string text_;
    std::int64_t sequence_ = 0;
};

asio::awaitable<void> ProduceResponsesStream(
    std::shared_ptr<ResponsesStreamState> state, net::ResponseStream& out
) {
    ResponsesStreamWriter writer(*state, out);
    co_await writer.Run();
}

}  // namespace

net::HttpResponse ResponsesStreamResponse(
    const ConversationDeps& deps,
    ResponsesRequest req,
    engine::SubmitAck ack,
    std::chrono::milliseconds wait_timeout
) {
    auto state = std::make_shared<ResponsesStreamState>(ResponsesStreamState{
        deps, std::move(req), std::move(ack), wait_timeout});
    auto resp = SseResponse();
    resp.stream = [state](net::ResponseStream& out) { return ProduceResponsesStream(state, out); };
    return resp;
}

}  // namespace gw::api::internal
