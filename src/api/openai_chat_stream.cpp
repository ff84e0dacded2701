// Streaming /v1/chat/completions: run events → OpenAI chat.completion.chunk SSE events.
#include <algorithm>
#include <map>
#include <set>

#include <boost/json.hpp>

#include "api/internal/openai_handlers.hpp"
#include "base/ids.hpp"
#include "engine/run_engine.hpp"
#include "net/response_stream.hpp"
#include "obs/log.hpp"

namespace gw::api::internal {
namespace {

namespace asio = boost::asio;

struct ChatStreamState {
    ConversationDeps deps;
    ChatRequest chat;
    engine::SubmitAck ack;
    std::chrono::milliseconds wait_timeout;
    std::string id = "chatcmpl_" + NewUuid();
    std::int64_t created = NowSeconds();
};

/// Maps streamed tool-call deltas of client tools to OpenAI `delta.tool_calls` pieces (built-in tool
/// calls are executed by the engine and never shown to the client).
class ToolCallPieces {
public:
    explicit ToolCallPieces(const std::vector<std::string>& client_tools) : client_tools_(client_tools) {}

    std::optional<json::object> OnDelta(const domain::ModelDelta& delta) {
        if (!delta.tool_call_id.empty() || !delta.tool_name.empty()) {
            const bool client =
                std::find(client_tools_.begin(), client_tools_.end(), delta.tool_name) != client_tools_.end();
            if (!client) {
                slots_[delta.tool_index] = -1;
                return std::nullopt;
            }
            const int index = next_index_++;
            slots_[delta.tool_index] = index;
            emitted_.insert(delta.tool_call_id);
            return json::object{
                {"index", index},
                {"id", delta.tool_call_id},
                {"type", "function"},
                {"function", json::object{{"name", delta.tool_name}, {"arguments", delta.arguments_delta}}},
            };
        }
        auto it = slots_.find(delta.tool_index);
        if (it == slots_.end() || it->second < 0 || delta.arguments_delta.empty()) {
            return std::nullopt;
        }
        return json::object{
            {"index", it->second}, {"function", json::object{{"arguments", delta.arguments_delta}}}};
    }

    /// A new model call starts: tool indexes restart.
    void NextModelCall() { slots_.clear(); }

    /// A complete call that was not streamed (non-streaming upstream, replay).
    std::optional<json::object> Missing(const domain::ToolCallBlock& call) {
        if (emitted_.contains(call.id)) {
            return std::nullopt;
        }
        emitted_.insert(call.id);
        return json::object{
            {"index", next_index_++},
            {"id", call.id},
            {"type", "function"},
            {"function", json::object{{"name", call.name}, {"arguments", call.arguments_json}}},
        };
    }

    bool Any() const noexcept { return next_index_ > 0; }

private:
    const std::vector<std::string>& client_tools_;
    std::map<int, int> slots_;  ///< model tool index → OpenAI index (-1: built-in)
    std::set<std::string> emitted_;
    int next_index_ = 0;
};

json::object Chunk(const ChatStreamState& s, json::object delta, json::value finish_reason) {
    json::object choice{
        {"index", 0}, {"delta", std::move(delta)}, {"finish_reason", std::move(finish_reason)}};
    return json::object{
        {"id", s.id},
        {"object", "chat.completion.chunk"},
        {"created", s.created},
        {"model", s.chat.model},
        {"choices", json::array{std::move(choice)}},
    };
}

/// The terminal facts of a run, from its terminal event or from Wait.
struct Ending {
    bool completed = false;
    Failure failure;
    std::optional<domain::StopReason> stop_reason;
    domain::TokenUsage usage;
    std::vector<domain::TranscriptEntry> entries;
};

Ending FromEvent(const engine::RunEvent& ev) {
    Ending end;
    end.completed = ev.kind == engine::RunEvent::Kind::kFinal;
    end.stop_reason = ev.stop_reason;
    end.usage = ev.total_usage;
    end.entries = ev.final_entries;
    if (!end.completed) {
        end.failure = RunFailure(
            ev.kind == engine::RunEvent::Kind::kAborted ? domain::RunStatus::kAborted
                                                        : domain::RunStatus::kFailed,
            ev.error_kind
        );
    }
    return end;
}

class ChatStreamWriter {
public:
    ChatStreamWriter(ChatStreamState& s, net::ResponseStream& out)
        : s_(s), out_(out), pieces_(s.chat.client_tool_names) {}

    asio::awaitable<void> Run() {
        auto role = Chunk(s_, json::object{{"role", "assistant"}}, nullptr);
        const bool sent = co_await Send(std::move(role));
        if (!sent) {
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
             .on_terminal = [this](const engine::RunEvent& ev) { return Finish(FromEvent(ev)); },
             .fail = [this](const Failure& f) { return Fail(f); },
             .abort_run = [this] { return AbortRun(); }}
        );
    }

private:
    asio::awaitable<bool> Send(json::value data) {
        const std::string frame = SseData(data);
        const bool ok = co_await out_.Write(frame);
        co_return ok;
    }

    asio::awaitable<bool> SendDelta(json::object delta) {
        auto chunk = Chunk(s_, std::move(delta), nullptr);
        const bool ok = co_await Send(std::move(chunk));
        co_return ok;
    }

    asio::awaitable<bool> OnEvent(const engine::RunEvent& ev) {
        using Kind = engine::RunEvent::Kind;
        if (ev.kind == Kind::kToolResult || ev.kind == Kind::kUsage) {
            pieces_.NextModelCall();
            co_return true;
        }
        if (ev.kind != Kind::kDelta || !ev.delta) {
            co_return true;
        }
        const auto& delta = *ev.delta;
        if (delta.kind == domain::ModelDelta::Kind::kText && !delta.text.empty()) {
            streamed_text_ = true;
            json::object d{{"content", delta.text}};
            const bool ok = co_await SendDelta(std::move(d));
            co_return ok;
        }
        if (delta.kind == domain::ModelDelta::Kind::kToolCall) {
            if (auto piece = pieces_.OnDelta(delta)) {
                json::object d{{"tool_calls", json::array{std::move(*piece)}}};
                const bool ok = co_await SendDelta(std::move(d));
                co_return ok;
            }
        }
        co_return true;
    }

    asio::awaitable<void> Finish(Ending end) {
        if (!end.completed) {
            co_await Fail(end.failure);
            co_return;
        }
        if (!streamed_text_) {
            if (auto text = FinalText(end.entries); !text.empty()) {
                json::object d{{"content", text}};
                const bool ok = co_await SendDelta(std::move(d));
                if (!ok) {
                    co_return;
                }
            }
        }
        for (const auto& call : ClientToolCalls(end.entries, s_.chat.client_tool_names)) {
            if (auto piece = pieces_.Missing(call)) {
                json::object d{{"tool_calls", json::array{std::move(*piece)}}};
                const bool ok = co_await SendDelta(std::move(d));
                if (!ok) {
                    co_return;
                }
            }
        }
        const std::string_view finish = pieces_.Any() ? "tool_calls" : FinishReason(end.stop_reason);
        auto finish_chunk = Chunk(s_, json::object{}, json::value(finish));
        const bool finished = co_await Send(std::move(finish_chunk));
        if (!finished) {
            co_return;
        }
        if (s_.chat.include_usage) {
            json::object usage_chunk{
                {"id", s_.id},
                {"object", "chat.completion.chunk"},
                {"created", s_.created},
                {"model", s_.chat.model},
                {"choices", json::array{}},
                {"usage", ChatUsage(end.usage)},
            };
            const bool ok = co_await Send(std::move(usage_chunk));
            if (!ok) {
                co_return;
            }
        }
        co_await out_.Write(kSseDone);
    }

    asio::awaitable<void> Fail(Failure failure) {
        CountError(s_.deps, failure.status);
        json::object body{{"error", FailureJson(failure)}};
        const bool ok = co_await Send(std::move(body));
        if (ok) {
            co_await out_.Write(kSseDone);
        }
    }

    /// A duplicate (idempotent replay) has no event stream: answer from the recorded outcome.
    asio::awaitable<void> Replay() {
        auto outcome = co_await s_.deps.engine.Wait(s_.chat.send.tenant_id, s_.ack.run_id, s_.wait_timeout);
        if (!outcome) {
            co_await Fail(SubmitFailure(outcome.error()));
            co_return;
        }
        Ending end;
        end.completed = outcome->run.status == domain::RunStatus::kCompleted;
        end.failure = RunFailure(outcome->run.status, outcome->error_kind);
        end.stop_reason = outcome->run.stop_reason;
        end.usage = outcome->usage;
        end.entries = outcome->entries;
        co_await Finish(std::move(end));
    }

    asio::awaitable<void> AbortRun() {
        obs::Log(
            obs::LogLevel::kInfo,
            "gw.api",
            "chat stream client gone; aborting run",
            {{"run_id", s_.ack.run_id}}
        );
        auto aborted =
            co_await s_.deps.engine.Abort(s_.chat.send.tenant_id, s_.ack.run_id, "client disconnected");
        if (!aborted) {
            obs::Log(
                obs::LogLevel::kWarn,
                "gw.api",
                "abort after client disconnect failed",
                {{"run_id", s_.ack.run_id}, {"detail", aborted.error().message}}
            );
        }
    }

    ChatStreamState& s_;
    net::ResponseStream& out_;
    ToolCallPieces pieces_;
    bool streamed_text_ = false;
};

asio::awaitable<void> ProduceChatStream(std::shared_ptr<ChatStreamState> state, net::ResponseStream& out) {
    ChatStreamWriter writer(*state, out);
    co_await writer.Run();
}

}  // namespace

net::HttpResponse ChatStreamResponse(
    const ConversationDeps& deps,
    ChatRequest chat,
    engine::SubmitAck ack,
    std::chrono::milliseconds wait_timeout
) {
    auto state = std::make_shared<ChatStreamState>(ChatStreamState{
        deps, std::move(chat), std::move(ack), wait_timeout});
    auto resp = SseResponse();
    resp.stream = [state](net::ResponseStream& out) { return ProduceChatStream(state, out); };
    return resp;
}

}  // namespace gw::api::internal
