#include "api/ws/internal/event_hub.hpp"

#include <deque>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/channel.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "api/ws/internal/run_event_mapper.hpp"
#include "api/ws/methods_test_support.hpp"

namespace gw::api::ws::testing {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Kind = engine::RunEvent::Kind;

/// A RunStream fed by the test.
class FakeStream final : public engine::RunStream {
public:
    explicit FakeStream(asio::any_io_executor ex) : signal_(std::move(ex), 64) {}

    asio::awaitable<Result<std::optional<engine::RunEvent>>> Next() override {
        for (;;) {
            if (!queue_.empty()) {
                auto next = std::move(queue_.front());
                queue_.pop_front();
                co_return next;
            }
            if (closed_) {
                co_return std::optional<engine::RunEvent>();
            }
            co_await signal_.async_receive(asio::as_tuple(asio::use_awaitable));
        }
    }

    void Close() override {
        closed_ = true;
        signal_.try_send(boost::system::error_code{});
    }

    void Push(Result<std::optional<engine::RunEvent>> item) {
        queue_.push_back(std::move(item));
        signal_.try_send(boost::system::error_code{});
    }

    bool closed_ = false;

private:
    std::deque<Result<std::optional<engine::RunEvent>>> queue_;
    asio::experimental::channel<void(boost::system::error_code)> signal_;
};

/// Only SubscribeAll is used by the hub.
class FakeEngine final : public engine::RunEngine {
public:
    explicit FakeEngine(asio::io_context& ioc) : ioc_(ioc) {}
    asio::awaitable<Result<engine::SubmitAck>> Submit(engine::SendRequest) override {
        co_return MakeError(ErrorCode::kUnavailable, "fake");
    }
    asio::awaitable<Result<domain::Run>> Abort(std::string, std::string, std::string) override {
        co_return MakeError(ErrorCode::kNotFound, "fake");
    }
    asio::awaitable<Result<int>> AbortSession(std::string, std::string) override { co_return 0; }
    asio::awaitable<Result<engine::RunOutcome>> Wait(std::string, std::string, std::chrono::milliseconds) override {
        co_return MakeError(ErrorCode::kNotFound, "fake");
    }
    std::shared_ptr<engine::RunStream> SubscribeSession(std::string, std::string) override { return nullptr; }
    std::shared_ptr<engine::RunStream> SubscribeAll(std::string tenant) override {
        auto stream = std::make_shared<FakeStream>(ioc_.get_executor());
        streams.push_back(stream);
        tenants.push_back(std::move(tenant));
        return stream;
    }
    std::vector<config::AgentOptions> Agents() const override { return {}; }
    std::size_t ActiveRuns() const override { return 0; }
    asio::awaitable<void> Shutdown(std::chrono::milliseconds) override { co_return; }

    std::vector<std::shared_ptr<FakeStream>> streams;
    std::vector<std::string> tenants;

private:
    asio::io_context& ioc_;
};

engine::RunEvent Event(Kind kind, std::string text = {}) {
    engine::RunEvent e;
    e.kind = kind;
    e.run_id = "run-1";
    e.session_key = "agent:main:main";
    e.tenant_id = std::string(domain::kDefaultTenantId);
    e.at_ms = 1000;
    if (kind == Kind::kDelta) {
        domain::ModelDelta d;
        d.text = std::move(text);
        e.delta = d;
    }
    return e;
}

class EventHubTest : public ::testing::Test {
protected:
    void Pump() {
        for (int i = 0; i < 50; ++i) {
            ioc_.poll();
            ioc_.restart();
        }
    }

    std::shared_ptr<RecordingConnection> Attach(std::string id, std::vector<std::string> scopes,
                                                std::vector<std::string> caps = {}) {
        auto conn = std::make_shared<RecordingConnection>(OperatorInfo(std::move(id), std::move(scopes), std::move(caps)));
        hub_.Attach(conn);
        return conn;
    }

    asio::io_context ioc_;
    FakeEngine engine_{ioc_};
    EventHub hub_{ioc_, engine_};
};

TEST_F(EventHubTest, OneSubscriptionPerTenantAndRunEventsOnlyToReaders) {
    auto reader = Attach("a", {std::string(kScopeRead)});
    auto nobody = Attach("b", {});
    ASSERT_EQ(engine_.streams.size(), 1u);
    EXPECT_EQ(engine_.tenants.front(), domain::kDefaultTenantId);
    engine_.streams[0]->Push(std::optional(Event(Kind::kStarted)));
    engine_.streams[0]->Push(std::optional(Event(Kind::kDelta, "hi")));
    Pump();
    EXPECT_EQ(reader->Payloads("chat").size(), 2u);
    EXPECT_FALSE(reader->Payloads("agent").empty());
    EXPECT_TRUE(nobody->Payloads("chat").empty());
    EXPECT_TRUE(nobody->Payloads("agent").empty());
    hub_.Broadcast("tick", json::object{{"ts", 1}});
    EXPECT_EQ(nobody->Payloads("tick").size(), 1u);
    EXPECT_EQ(reader->Payloads("tick").size(), 1u);
}

TEST_F(EventHubTest, AttachAndDetachFromAnIoThreadDoNotDeadlock) {
    // The gateway attaches from its handshake handler, on the io_context the pump is spawned on.
    std::shared_ptr<RecordingConnection> conn;
    asio::post(ioc_, [&] { conn = Attach("a", {std::string(kScopeRead)}); });
    Pump();
    ASSERT_TRUE(conn);
    ASSERT_EQ(engine_.streams.size(), 1u);
    engine_.streams[0]->Push(std::optional(Event(Kind::kDelta, "x")));
    Pump();
    EXPECT_EQ(conn->Payloads("chat").size(), 1u);
    asio::post(ioc_, [&] { hub_.Detach("a"); });
    Pump();
    EXPECT_TRUE(engine_.streams[0]->closed_);
}

TEST_F(EventHubTest, ToolItemsOnlyToConnectionsWithTheToolEventsCap) {
    auto plain = Attach("a", {std::string(kScopeRead)});
    auto tools = Attach("b", {std::string(kScopeRead)}, {"tool-events"});
    auto call = Event(Kind::kToolCall);
    call.tool_call = domain::ToolCallBlock{"call-1", "current_time", "{}"};
    auto result = Event(Kind::kToolResult);
    result.tool_result = domain::ToolResultBlock{"call-1", "current_time", "12:00", false};
    engine_.streams[0]->Push(std::optional(call));
    engine_.streams[0]->Push(std::optional(result));
    Pump();
    EXPECT_TRUE(plain->Payloads("agent").empty());
    auto items = tools->Payloads("agent");
    ASSERT_EQ(items.size(), 2u);
    EXPECT_EQ(items[0].at("stream"), "item");
    EXPECT_EQ(items[0].at("data").at("kind"), "tool");
    EXPECT_EQ(items[0].at("data").at("phase"), "start");
    EXPECT_EQ(items[0].at("data").at("status"), "running");
    EXPECT_EQ(items[1].at("data").at("phase"), "end");
    EXPECT_EQ(items[1].at("data").at("status"), "completed");
    EXPECT_EQ(items[1].at("data").at("toolCallId"), "call-1");
}

TEST_F(EventHubTest, SlowConsumerCutOffResubscribesInsteadOfStopping) {
    auto reader = Attach("a", {std::string(kScopeRead)});
    engine_.streams[0]->Push(MakeError(ErrorCode::kRateLimited, "slow consumer"));
    Pump();
    ASSERT_EQ(engine_.streams.size(), 2u);
    engine_.streams[1]->Push(std::optional(Event(Kind::kDelta, "after")));
    Pump();
    ASSERT_EQ(reader->Payloads("chat").size(), 1u);
    EXPECT_EQ(reader->Payloads("chat")[0].at("deltaText"), "after");
}

TEST_F(EventHubTest, LastConnectionOfTheTenantClosesItsSubscription) {
    Attach("a", {std::string(kScopeRead)});
    Attach("b", {std::string(kScopeRead)});
    hub_.Detach("a");
    EXPECT_FALSE(engine_.streams[0]->closed_);
    hub_.Detach("b");
    EXPECT_TRUE(engine_.streams[0]->closed_);
    EXPECT_EQ(hub_.Attached(), 0u);
    Attach("c", {std::string(kScopeRead)});
    EXPECT_EQ(engine_.streams.size(), 2u);
    Pump();
}

TEST_F(EventHubTest, SessionEventsGoToSubscribersOfTheTenant) {
    auto subscribed = Attach("a", {std::string(kScopeRead)});
    auto other = Attach("b", {std::string(kScopeRead)});
    hub_.SubscribeSessions("a", true);
    hub_.SubscribeSessionMessages("b", "agent:main:main", true);
    engine_.streams[0]->Push(std::optional(Event(Kind::kStarted)));
    auto final_event = Event(Kind::kFinal);
    domain::TranscriptEntry entry;
    entry.id = "e1";
    entry.role = domain::Role::kAssistant;
    entry.content = {domain::TextBlock{"done"}};
    final_event.final_entries = {entry};
    engine_.streams[0]->Push(std::optional(final_event));
    Pump();
    auto changed = subscribed->Payloads("sessions.changed");
    ASSERT_EQ(changed.size(), 2u);
    EXPECT_EQ(changed[0].at("reason"), "run.started");
    EXPECT_EQ(changed[1].at("reason"), "run.ended");
    EXPECT_TRUE(other->Payloads("sessions.changed").empty());
    auto messages = other->Payloads("session.message");
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_EQ(messages[0].at("message").at("content").at(0).at("text"), "done");
    EXPECT_TRUE(subscribed->Payloads("session.message").empty());
    hub_.SubscribeSessions("a", false);
    hub_.PublishSessionsChanged(domain::kDefaultTenantId, json::object{{"sessionKey", "x"}});
    EXPECT_EQ(subscribed->Payloads("sessions.changed").size(), 2u);
}

TEST(RunEventMapperTest, MapsARunToChatAndAgentEventsWithPerRunSeq) {
    RunEventMapper mapper;
    std::vector<MappedEvent> all;
    auto add = [&](const engine::RunEvent& e) {
        for (auto& m : mapper.Map(e, 5)) {
            all.push_back(std::move(m));
        }
    };
    add(Event(Kind::kStarted));
    add(Event(Kind::kDelta, "a"));
    add(Event(Kind::kDelta, "b"));
    auto final_event = Event(Kind::kFinal);
    final_event.model = domain::ModelRef{"fake", "m1"};
    final_event.stop_reason = domain::StopReason::kStop;
    add(final_event);
    EXPECT_EQ(mapper.TrackedRuns(), 0u);
    std::int64_t seq = 0;
    std::vector<std::string> shape;
    for (const auto& m : all) {
        auto p = json::parse(m.payload_json);
        EXPECT_EQ(p.at("seq").as_int64(), seq + 1);
        seq = p.at("seq").as_int64();
        shape.push_back(m.event + ":" +
                        std::string(m.event == "chat" ? p.at("state").as_string()
                                                      : p.at("stream").as_string()) +
                        (p.as_object().contains("data") && p.at("data").as_object().contains("phase")
                             ? ":" + std::string(p.at("data").at("phase").as_string())
                             : std::string()));
        if (m.event == "agent" && p.at("stream") == "lifecycle" && p.at("data").at("phase") == "end") {
            EXPECT_EQ(p.at("data").at("terminalReply").at("text"), "ab");
            EXPECT_EQ(p.at("data").at("aborted"), false);
        }
        if (m.event == "chat" && p.at("state") == "final") {
            EXPECT_EQ(p.at("message").at("content").at(0).at("text"), "ab");
        }
        if (m.event == "agent" && p.at("stream") == "assistant") {
            EXPECT_EQ(p.at("data").at("text"), p.at("data").at("delta") == "a" ? "a" : "ab");
        }
    }
    // The engine reports the answering model with the terminal event, so the model phase comes just before
    // finishing (a delta carrying `model` announces it earlier).
    EXPECT_EQ(shape, (std::vector<std::string>{"agent:lifecycle:start", "chat:status", "chat:delta", "agent:assistant",
                                               "chat:delta", "agent:assistant", "agent:lifecycle:model",
                                               "agent:lifecycle:finishing", "agent:lifecycle:end", "chat:final"}));
}

TEST(RunEventMapperTest, AModelNamedAtStartIsAnnouncedBeforeAnyTextAndOnlyOnce) {
    RunEventMapper mapper;
    auto started = Event(Kind::kStarted);
    started.model = domain::ModelRef{"fake", "m1"};
    std::vector<std::string> phases;
    for (const auto& event : {started, Event(Kind::kDelta, "a"), Event(Kind::kFinal)}) {
        auto final_model = event;
        if (event.kind == Kind::kFinal) {
            final_model.model = domain::ModelRef{"fake", "m1"};
        }
        for (const auto& m : mapper.Map(final_model, 1)) {
            auto p = json::parse(m.payload_json);
            if (m.event == "agent" && p.at("stream") == "lifecycle") {
                phases.emplace_back(p.at("data").at("phase").as_string());
            } else if (m.event == "agent" && p.at("stream") == "assistant") {
                phases.emplace_back("assistant");
            }
        }
    }
    EXPECT_EQ(phases, (std::vector<std::string>{"start", "model", "assistant", "finishing", "end"}));
}

TEST(RunEventMapperTest, ErrorsCarryKindAndAbortsAStopReason) {
    RunEventMapper mapper;
    auto error = Event(Kind::kError);
    error.error = "upstream said no";
    error.error_kind = domain::ModelErrorKind::kRateLimited;
    std::optional<json::value> chat;
    for (const auto& m : mapper.Map(error, 1)) {
        if (m.event == "chat") {
            chat = json::parse(m.payload_json);
        }
    }
    ASSERT_TRUE(chat);
    EXPECT_EQ(chat->at("state"), "error");
    EXPECT_EQ(chat->at("errorMessage"), "upstream said no");
    EXPECT_EQ(chat->at("errorKind"), "rate_limit");
    EXPECT_EQ(ChatErrorKind(domain::ModelErrorKind::kContextLength), "context_length");
    EXPECT_EQ(ChatErrorKind(domain::ModelErrorKind::kTimeout), "timeout");
    EXPECT_EQ(ChatErrorKind(std::nullopt), "unknown");

    auto aborted = mapper.Map(Event(Kind::kAborted), 2);
    ASSERT_EQ(aborted.size(), 2u);
    // The agent lifecycle ends first; the chat terminal is the last event of the run.
    EXPECT_EQ(json::parse(aborted[0].payload_json).at("data").at("aborted"), true);
    auto p = json::parse(aborted[1].payload_json);
    EXPECT_EQ(p.at("state"), "aborted");
    EXPECT_EQ(p.at("stopReason"), "aborted");
}

}  // namespace
}  // namespace gw::api::ws::testing
