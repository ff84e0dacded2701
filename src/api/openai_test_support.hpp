#pragma once
/// @file
/// @brief Test support for the conversation routes: FakeRunEngine (scripted acks, events and outcomes),
/// FakeRunStream, a recording ResponseStream, and helpers that call a route through net::Router and
/// parse the SSE a streaming handler produced. Test-only (included by *_test.cpp).

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "api/conversation_routes.hpp"
#include "api/http_auth_limiter.hpp"
#include "config/options.hpp"
#include "engine/run_engine.hpp"
#include "engine/tools.hpp"
#include "net/router.hpp"
#include "runtime/testing.hpp"

namespace gw::api::testing {

namespace asio = boost::asio;
namespace json = boost::json;

class FakeRunStream : public engine::RunStream {
public:
    explicit FakeRunStream(std::vector<engine::RunEvent> events) : events_(events.begin(), events.end()) {}

    asio::awaitable<Result<std::optional<engine::RunEvent>>> Next() override {
        if (closed_ || events_.empty()) {
            co_return std::optional<engine::RunEvent>{};
        }
        auto ev = std::move(events_.front());
        events_.pop_front();
        co_return std::optional<engine::RunEvent>{std::move(ev)};
    }

    void Close() override { closed_ = true; }

    bool closed() const { return closed_; }

private:
    std::deque<engine::RunEvent> events_;
    bool closed_ = false;
};

/// Scripted RunEngine. Submit records the request and answers `submit_result` (default: kStarted,
/// run "run-1", events = a FakeRunStream over `events`). Wait answers `outcomes[run_id]` (kNotFound else).
class FakeRunEngine : public engine::RunEngine {
public:
    std::vector<engine::SendRequest> submitted;
    std::optional<Error> submit_error;
    engine::SubmitAck::Status submit_status = engine::SubmitAck::Status::kStarted;
    std::string run_id = "run-1";
    std::vector<engine::RunEvent> events;
    std::chrono::milliseconds submit_delay{0};
    std::map<std::string, Result<engine::RunOutcome>> outcomes;
    std::vector<std::pair<std::string, std::chrono::milliseconds>> waits;
    std::vector<std::string> aborted;
    std::vector<config::AgentOptions> agents;
    std::shared_ptr<FakeRunStream> last_stream;

    FakeRunEngine() {
        config::AgentOptions main;
        main.id = "main";
        config::AgentOptions ops;
        ops.id = "ops";
        agents = {main, ops};
    }

    asio::awaitable<Result<engine::SubmitAck>> Submit(engine::SendRequest request) override {
        if (submit_delay.count() > 0) {
            asio::steady_timer timer(co_await asio::this_coro::executor, submit_delay);
            co_await timer.async_wait(asio::use_awaitable);
        }
        submitted.push_back(request);
        if (submit_error) {
            co_return *submit_error;
        }
        engine::SubmitAck ack;
        ack.status = submit_status;
        ack.run_id = run_id;
        ack.session_key = request.session_key;
        ack.agent_id = request.agent_id;
        if (submit_status == engine::SubmitAck::Status::kStarted ||
            submit_status == engine::SubmitAck::Status::kQueued) {
            auto scripted = events;
            for (auto& ev : scripted) {
                ev.run_id = run_id;
            }
            last_stream = std::make_shared<FakeRunStream>(std::move(scripted));
            ack.events = last_stream;
        }
        co_return ack;
    }

    asio::awaitable<Result<domain::Run>> Abort(std::string /*tenant*/, std::string id, std::string /*reason*/)
        override {
        aborted.push_back(id);
        domain::Run run;
        run.id = id;
        run.status = domain::RunStatus::kAborted;
        co_return run;
    }

    asio::awaitable<Result<int>> AbortSession(std::string, std::string) override { co_return 0; }

    asio::awaitable<Result<engine::RunOutcome>> Wait(
        std::string /*tenant*/, std::string id, std::chrono::milliseconds timeout
    ) override {
        waits.emplace_back(id, timeout);
        auto it = outcomes.find(id);
        if (it == outcomes.end()) {
            co_return MakeError(ErrorCode::kNotFound, "no such run");
        }
        co_return it->second;
    }

    std::shared_ptr<engine::RunStream> SubscribeSession(std::string, std::string) override { return nullptr; }

    std::shared_ptr<engine::RunStream> SubscribeAll(std::string) override { return nullptr; }

    std::vector<config::AgentOptions> Agents() const override { return agents; }

    std::size_t ActiveRuns() const override { return 0; }

    asio::awaitable<void> Shutdown(std::chrono::milliseconds) override { co_return; }
};

/// Records what a streaming producer writes; `fail_after` writes succeed, later ones fail (client gone).
class RecordingStream : public net::ResponseStream {
public:
    std::vector<std::string> chunks;
    std::optional<std::size_t> fail_after;

    asio::awaitable<bool> Write(std::string_view chunk) override {
        if (fail_after && chunks.size() >= *fail_after) {
            gone_ = true;
            co_return false;
        }
        chunks.emplace_back(chunk);
        co_return true;
    }

    bool ClientGone() const noexcept override { return gone_; }

    std::string Joined() const {
        std::string out;
        for (const auto& c : chunks) {
            out += c;
        }
        return out;
    }

private:
    bool gone_ = false;
};

struct SseFrame {
    std::string event;  ///< empty when the frame had no `event:` line
    std::string data;
};

/// Splits `text/event-stream` text into frames (`event:` and one `data:` line each, as the handlers write).
inline std::vector<SseFrame> ParseSse(const std::string& text) {
    std::vector<SseFrame> frames;
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto end = text.find("\n\n", pos);
        if (end == std::string::npos) {
            ADD_FAILURE() << "unterminated SSE frame: " << text.substr(pos);
            break;
        }
        SseFrame frame;
        std::string_view block(text.data() + pos, end - pos);
        while (!block.empty()) {
            auto nl = block.find('\n');
            auto line = block.substr(0, nl);
            if (line.starts_with("event: ")) {
                frame.event = std::string(line.substr(7));
            } else if (line.starts_with("data: ")) {
                frame.data = std::string(line.substr(6));
            } else {
                ADD_FAILURE() << "unexpected SSE line: " << line;
            }
            block = nl == std::string_view::npos ? std::string_view() : block.substr(nl + 1);
        }
        frames.push_back(std::move(frame));
        pos = end + 2;
    }
    return frames;
}

inline engine::RunEvent TextDelta(std::string text) {
    engine::RunEvent ev;
    ev.kind = engine::RunEvent::Kind::kDelta;
    ev.delta = domain::ModelDelta{domain::ModelDelta::Kind::kText, std::move(text), 0, "", "", ""};
    return ev;
}

inline domain::TranscriptEntry AssistantEntry(std::vector<domain::ContentBlock> content) {
    domain::TranscriptEntry entry;
    entry.id = "e1";
    entry.role = domain::Role::kAssistant;
    entry.content = std::move(content);
    return entry;
}

inline engine::RunEvent FinalEvent(
    std::vector<domain::TranscriptEntry> entries,
    domain::TokenUsage usage,
    domain::StopReason stop = domain::StopReason::kStop
) {
    engine::RunEvent ev;
    ev.kind = engine::RunEvent::Kind::kFinal;
    ev.final_entries = std::move(entries);
    ev.total_usage = usage;
    ev.stop_reason = stop;
    return ev;
}

inline domain::TokenUsage Usage(std::int64_t input, std::int64_t output) {
    domain::TokenUsage u;
    u.input = input;
    u.output = output;
    u.total = input + output;
    return u;
}

inline engine::RunOutcome CompletedOutcome(
    std::vector<domain::TranscriptEntry> entries,
    domain::TokenUsage usage,
    domain::StopReason stop = domain::StopReason::kStop
) {
    engine::RunOutcome outcome;
    outcome.run.id = "run-1";
    outcome.run.status = domain::RunStatus::kCompleted;
    outcome.run.stop_reason = stop;
    outcome.entries = std::move(entries);
    outcome.usage = usage;
    outcome.agent_id = "main";
    return outcome;
}

/// A routed gateway with a fake engine, a real ToolRegistry and a fake clock for the limiters.
class RoutesFixture : public ::testing::Test {
protected:
    FakeRunEngine engine;
    engine::ToolRegistry tools;
    config::GatewayConfig config;
    std::chrono::steady_clock::time_point now =
        std::chrono::steady_clock::time_point() + std::chrono::hours(1);
    std::unique_ptr<HttpAuthLimiter> auth_limiter;
    std::unique_ptr<HttpAuthLimiter> hook_limiter;
    net::Router router;
    bool registered = false;

    RoutesFixture() {
        config.auth.token.value = "secret-token";
        config.auth.token.source = "inline";
        config::AgentOptions ops;
        ops.id = "ops";
        config.agents.entries["ops"] = ops;
        config.hooks.token.value = "hook-secret";
    }

    void Register() {
        auto clock = [this] { return now; };
        auth_limiter = std::make_unique<HttpAuthLimiter>(HttpAuthLimiter::GatewayDefaults(), clock);
        hook_limiter = std::make_unique<HttpAuthLimiter>(HttpAuthLimiter::HookDefaults(), clock);
        RegisterConversationRoutes(
            router, ConversationDeps{engine, tools, config, nullptr, auth_limiter.get(), hook_limiter.get()}
        );
        registered = true;
    }

    net::HttpResponse Call(
        std::string method,
        std::string target,
        std::string body = {},
        std::vector<std::pair<std::string, std::string>> headers = {{"Authorization", "Bearer secret-token"}},
        std::string remote_ip = "10.1.2.3"
    ) {
        if (!registered) {
            Register();
        }
        net::HttpRequest req;
        req.method = std::move(method);
        req.target = target;
        auto q = target.find('?');
        req.path = target.substr(0, q);
        req.query = q == std::string::npos ? "" : target.substr(q + 1);
        req.headers = std::move(headers);
        req.body = std::move(body);
        req.remote_ip = std::move(remote_ip);
        req.request_id = "req-1";
        auto match = router.Match(req.method, req.path);
        if (match.status != 200) {
            net::HttpResponse resp;
            resp.status = match.status;
            return resp;
        }
        return runtime::RunCoro((*match.handler)(req));
    }

    net::HttpResponse Post(
        std::string path,
        std::string body,
        std::vector<std::pair<std::string, std::string>> extra_headers = {}
    ) {
        extra_headers.emplace_back("Authorization", "Bearer secret-token");
        return Call("POST", std::move(path), std::move(body), std::move(extra_headers));
    }

    /// Runs the streaming producer of `resp` and returns what it wrote.
    static std::string Drain(net::HttpResponse& resp, RecordingStream& out) {
        EXPECT_TRUE(static_cast<bool>(resp.stream));
        if (resp.stream) {
            runtime::RunCoro(resp.stream(out));
        }
        return out.Joined();
    }

    static std::string Drain(net::HttpResponse& resp) {
        RecordingStream out;
        return Drain(resp, out);
    }

    static std::optional<std::string> HeaderOf(const net::HttpResponse& resp, std::string_view name) {
        for (const auto& [k, v] : resp.headers) {
            if (net::IEquals(k, name)) {
                return v;
            }
        }
        return std::nullopt;
    }
};

}  // namespace gw::api::testing
