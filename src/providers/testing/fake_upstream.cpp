#include "providers/testing/fake_upstream.hpp"

#include <atomic>
#include <deque>
#include <mutex>
#include <stdexcept>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include "net/http_server.hpp"
#include "runtime/io_runtime.hpp"

namespace gw::providers::testing {
namespace {

namespace asio = boost::asio;

class NullObserver final : public net::ServerObserver {
public:
    void OnRequest(std::string_view, int, double) override {}

    void OnError(std::string_view) override {}

    void OnConnectionOpened() override {}

    void OnConnectionClosed() override {}
};

/// Waits `d`; false when the server cancelled the wait (the client went away).
asio::awaitable<bool> Wait(std::chrono::milliseconds d) {
    asio::steady_timer timer(co_await asio::this_coro::executor, d);
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    co_return !ec;
}

}  // namespace

struct FakeUpstream::State {
    mutable std::mutex mutex;
    std::deque<FakeReply> queue;            // guarded by mutex
    FakeReply fallback;                     // guarded by mutex
    std::vector<RecordedRequest> requests;  // guarded by mutex
    std::atomic<int> clients_gone{0};
    runtime::IoRuntime runtime;
    net::Router router;
    NullObserver observer;
    std::unique_ptr<net::HttpServer> server;

    FakeReply Next(const net::HttpRequest& req) {
        std::lock_guard lock(mutex);
        requests.push_back(RecordedRequest{req.path, req.headers, req.body});
        if (queue.empty()) {
            return fallback;
        }
        FakeReply r = std::move(queue.front());
        queue.pop_front();
        return r;
    }
};

std::optional<std::string> RecordedRequest::Header(std::string_view name) const {
    for (const auto& [n, v] : headers) {
        if (net::IEquals(n, name)) {
            return v;
        }
    }
    return std::nullopt;
}

FakeUpstream::FakeUpstream() : state_(std::make_shared<State>()) {
    state_->fallback = JsonReply(500, R"({"error":{"message":"no scripted reply","type":"server_error"}})");
    std::weak_ptr<State> weak = state_;
    state_->router
        .AddPrefix("POST", "/", [weak](const net::HttpRequest& req) -> asio::awaitable<net::HttpResponse> {
            auto state = weak.lock();
            if (!state) {
                co_return net::JsonError(503, "gone", "fake upstream stopped", req.request_id);
            }
            FakeReply reply = state->Next(req);
            // The server's connections end before State goes away (~FakeUpstream), so a raw pointer is safe;
            // a shared_ptr held by a pending handler would form a cycle through the io_context.
            std::atomic<int>* gone = &state->clients_gone;
            state.reset();
            if (reply.head_delay.count() > 0) {
                co_await Wait(reply.head_delay);
            }
            net::HttpResponse r;
            r.status = reply.status;
            r.content_type = reply.content_type;
            r.headers = reply.headers;
            if (!reply.stream) {
                for (const auto& c : reply.chunks) {
                    r.body += c;
                }
                co_return r;
            }
            r.stream = [gone, reply = std::move(reply)](net::ResponseStream& out) -> asio::awaitable<void> {
                for (const auto& chunk : reply.chunks) {
                    if (reply.chunk_delay.count() > 0) {
                        const bool waited = co_await Wait(reply.chunk_delay);
                        if (!waited) {
                            ++*gone;
                            co_return;
                        }
                    }
                    const bool written = co_await out.Write(chunk);
                    if (!written) {
                        ++*gone;
                        co_return;
                    }
                }
                if (reply.disconnect_after_chunks) {
                    throw std::runtime_error("fake upstream: scripted disconnect");
                }
                if (reply.hang_after_chunks) {
                    for (int i = 0; i < 1000; ++i) {
                        const bool waited = co_await Wait(10ms);
                        if (!waited || out.ClientGone()) {
                            ++*gone;
                            co_return;
                        }
                    }
                }
            };
            co_return r;
        });
}

FakeUpstream::~FakeUpstream() {
    if (state_->server && thread_.joinable()) {
        state_->server->ForceClose();
        const auto until = std::chrono::steady_clock::now() + 5s;
        while (state_->server->OpenConnections() != 0 && std::chrono::steady_clock::now() < until) {
            std::this_thread::sleep_for(2ms);
        }
    }
    state_->runtime.Stop();
    if (thread_.joinable()) {
        thread_.join();
    }
}

void FakeUpstream::Start() {
    config::ServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.max_body_bytes = 8 * 1024 * 1024;
    options.request_timeout = 30s;
    state_->server = std::make_unique<net::HttpServer>(
        state_->runtime.Context(), options, state_->router, state_->observer, nullptr
    );
    auto started = state_->server->Start();
    ASSERT_TRUE(started) << started.error().message;
    thread_ = std::thread([state = state_.get()] { state->runtime.Run(1); });
}

std::string FakeUpstream::BaseUrl() const {
    return "http://127.0.0.1:" + std::to_string(state_->server->Port()) + "/v1";
}

void FakeUpstream::Enqueue(FakeReply reply) {
    std::lock_guard lock(state_->mutex);
    state_->queue.push_back(std::move(reply));
}

void FakeUpstream::SetDefault(FakeReply reply) {
    std::lock_guard lock(state_->mutex);
    state_->fallback = std::move(reply);
}

std::vector<RecordedRequest> FakeUpstream::Requests() const {
    std::lock_guard lock(state_->mutex);
    return state_->requests;
}

std::size_t FakeUpstream::RequestCount() const {
    std::lock_guard lock(state_->mutex);
    return state_->requests.size();
}

int FakeUpstream::ClientsGone() const noexcept {
    return state_->clients_gone.load();
}

bool FakeUpstream::WaitForClientsGone(int n, std::chrono::milliseconds timeout) const {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (ClientsGone() < n) {
        if (std::chrono::steady_clock::now() > until) {
            return false;
        }
        std::this_thread::sleep_for(2ms);
    }
    return true;
}

std::string Sse(std::string_view data) {
    return "data: " + std::string(data) + "\n\n";
}

std::string Sse(std::string_view event, std::string_view data) {
    return "event: " + std::string(event) + "\ndata: " + std::string(data) + "\n\n";
}

FakeReply JsonReply(int status, std::string body, std::vector<std::pair<std::string, std::string>> headers) {
    FakeReply r;
    r.status = status;
    r.content_type = "application/json";
    r.headers = std::move(headers);
    r.chunks = {std::move(body)};
    r.stream = false;
    return r;
}

FakeReply SseReply(std::vector<std::string> events, std::chrono::milliseconds chunk_delay) {
    FakeReply r;
    r.chunks = std::move(events);
    r.chunk_delay = chunk_delay;
    return r;
}

namespace {

/// JSON string literal (quotes included) for test text.
std::string Quote(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
        }
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out + "\"";
}

}  // namespace

std::vector<std::string> OpenAiTextEvents(
    const std::vector<std::string>& pieces, int prompt_tokens, int completion_tokens
) {
    std::vector<std::string> out;
    const std::string head = R"({"id":"chatcmpl-1","object":"chat.completion.chunk","model":"m","choices":[)";
    out.push_back(
        Sse(head + R"({"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]})")
    );
    for (const auto& p : pieces) {
        out.push_back(
            Sse(head + R"({"index":0,"delta":{"content":)" + Quote(p) + R"(},"finish_reason":null}]})")
        );
    }
    out.push_back(Sse(head + R"({"index":0,"delta":{},"finish_reason":"stop"}]})"));
    out.push_back(
        Sse(R"({"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":)" +
            std::to_string(prompt_tokens) + R"(,"completion_tokens":)" + std::to_string(completion_tokens) +
            R"(,"total_tokens":)" + std::to_string(prompt_tokens + completion_tokens) + "}}")
    );
    out.push_back(Sse("[DONE]"));
    return out;
}

std::vector<std::string> AnthropicTextEvents(
    const std::vector<std::string>& pieces, int input_tokens, int output_tokens
) {
    std::vector<std::string> out;
    out.push_back(Sse(
        "message_start",
        R"({"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"usage":{"input_tokens":)" +
            std::to_string(input_tokens) + R"(,"output_tokens":1}}})"
    ));
    out.push_back(
        Sse("content_block_start",
            R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})")
    );
    out.push_back(Sse("ping", R"({"type":"ping"})"));
    for (const auto& p : pieces) {
        out.push_back(
            Sse("content_block_delta",
                R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":)" + Quote(p) +
                    "}}")
        );
    }
    out.push_back(Sse("content_block_stop", R"({"type":"content_block_stop","index":0})"));
    out.push_back(Sse(
        "message_delta",
        R"({"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":)" +
            std::to_string(output_tokens) + "}}"
    ));
    out.push_back(Sse("message_stop", R"({"type":"message_stop"})"));
    return out;
}

std::vector<std::string> ResponsesTextEvents(
    const std::vector<std::string>& pieces, int input_tokens, int output_tokens
) {
    std::vector<std::string> out;
    out.push_back(
        Sse("response.created",
            R"({"type":"response.created","response":{"id":"resp_1","status":"in_progress","output":[]}})")
    );
    out.push_back(Sse(
        "response.output_item.added",
        R"({"type":"response.output_item.added","output_index":0,"item":{"type":"message","id":"msg_1","role":"assistant","content":[]}})"
    ));
    for (const auto& p : pieces) {
        out.push_back(Sse(
            "response.output_text.delta",
            R"({"type":"response.output_text.delta","item_id":"msg_1","output_index":0,"content_index":0,"delta":)" +
                Quote(p) + "}"
        ));
    }
    out.push_back(Sse(
        "response.output_item.done",
        R"({"type":"response.output_item.done","output_index":0,"item":{"type":"message","id":"msg_1","role":"assistant","content":[]}})"
    ));
    out.push_back(Sse(
        "response.completed",
        R"({"type":"response.completed","response":{"id":"resp_1","status":"completed","usage":{"input_tokens":)" +
            std::to_string(input_tokens) + R"(,"output_tokens":)" + std::to_string(output_tokens) +
            R"(,"total_tokens":)" + std::to_string(input_tokens + output_tokens) + "}}}"
    ));
    return out;
}

}  // namespace gw::providers::testing
