#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "api/ws/methods_test_support.hpp"
#include "crypto/sha256.hpp"

namespace gw::api::ws::testing {
namespace {

using engine::testing::Step;
using engine::testing::Text;

std::string Str(const json::value& v) { return std::string(v.as_string()); }

/// The chat payloads of one run, in arrival order.
std::vector<json::object> ChatOf(const RecordingConnection& conn, const std::string& run_id) {
    std::vector<json::object> out;
    for (const auto& p : conn.Payloads("chat")) {
        if (p.at("runId") == run_id.c_str()) {
            out.push_back(p.as_object());
        }
    }
    return out;
}

json::object Send(std::string message, std::string ik, std::string key = "main") {
    return json::object{{"sessionKey", key}, {"message", message}, {"idempotencyKey", ik}};
}

class CoreMethodsTest : public MethodsTest {};

TEST_F(CoreMethodsTest, ChatSendAcksThenStreamsDeltaAndFinalWithPerRunSeq) {
    Step step;
    step.deltas = {"Hel", "lo"};
    model_.Script({step});
    auto ack = Ok("chat.send", Send("hi", "ik-1"));
    EXPECT_EQ(ack, (json::value{{"runId", "ik-1"}, {"status", "started"}}));
    ASSERT_TRUE(WaitChatState(conn_, "ik-1", "final"));

    auto chat = ChatOf(*conn_, "ik-1");
    std::vector<std::string> states;
    std::int64_t last_seq = 0;
    for (const auto& p : chat) {
        states.push_back(Str(p.at("state")));
        EXPECT_GT(p.at("seq").as_int64(), last_seq);
        last_seq = p.at("seq").as_int64();
        EXPECT_EQ(p.at("sessionKey"), "agent:main:main");
        EXPECT_EQ(p.at("agentId"), "main");
    }
    EXPECT_EQ(states, (std::vector<std::string>{"status", "delta", "delta", "final"}));
    EXPECT_EQ(chat[1].at("deltaText"), "Hel");
    EXPECT_EQ(chat[2].at("deltaText"), "lo");
    EXPECT_EQ(chat[2].at("message").at("content").at(0).at("text"), "Hello");
    EXPECT_EQ(chat[3].at("message").at("content").at(0).at("text"), "Hello");
    EXPECT_EQ(chat[3].at("stopReason"), "stop");
    EXPECT_EQ(chat[3].at("usage").at("totalTokens"), 15);

    std::vector<std::string> lifecycle;
    for (const auto& p : conn_->Payloads("agent")) {
        if (p.at("runId") == "ik-1" && p.at("stream") == "lifecycle") {
            lifecycle.push_back(Str(p.at("data").at("phase")));
        }
    }
    ASSERT_FALSE(lifecycle.empty());
    EXPECT_EQ(lifecycle.front(), "start");
    EXPECT_EQ(lifecycle.back(), "end");
    EXPECT_NE(std::find(lifecycle.begin(), lifecycle.end(), "finishing"), lifecycle.end());
}

TEST_F(CoreMethodsTest, ChatSendDuplicateIsInFlightWhileRunningThenTerminal) {
    auto gate = NewGate();
    Step step = Text("done");
    step.gate = gate;
    model_.Script({step});
    EXPECT_EQ(Ok("chat.send", Send("hi", "ik-dup")).at("status"), "started");
    ASSERT_TRUE(WaitChatState(conn_, "ik-dup", "status"));
    EXPECT_EQ(Ok("chat.send", Send("hi", "ik-dup")), (json::value{{"runId", "ik-dup"}, {"status", "in_flight"}}));
    gate->Open();
    ASSERT_TRUE(WaitChatState(conn_, "ik-dup", "final"));
    ASSERT_TRUE(RunUntil([&] {
        return Ok("chat.send", Send("hi", "ik-dup")) == json::value{{"runId", "ik-dup"}, {"status", "ok"}};
    }));
    EXPECT_EQ(model_.calls.load(), 1);
}

TEST_F(CoreMethodsTest, ChatSendRejectsInvalidParamsWithSchemaMessages) {
    EXPECT_EQ(Err("chat.send", json::object{{"sessionKey", "main"}, {"idempotencyKey", "k"}}).message,
              "invalid chat.send params: must have required property 'message'");
    auto extra = Send("hi", "k");
    extra["bogus"] = 1;
    EXPECT_EQ(Err("chat.send", extra).message, "invalid chat.send params: at root: unexpected property 'bogus'");
    EXPECT_EQ(Err("chat.send", Send("hi", "k", std::string(513, 'a'))).code, WsErrorCode::kInvalidRequest);
    auto bad_mode = Send("hi", "k");
    bad_mode["queueMode"] = "sideways";
    EXPECT_EQ(Err("chat.send", bad_mode).code, WsErrorCode::kInvalidRequest);
    EXPECT_EQ(Err("chat.send", json::object{{"sessionKey", "main"}, {"message", "hi"}}).message,
              "invalid chat.send params: must have required property 'idempotencyKey'");
    EXPECT_EQ(model_.calls.load(), 0);
}

TEST_F(CoreMethodsTest, ChatHistoryProjectsTranscriptWithOpenClawMeta) {
    model_.Script({Text("pong")});
    Ok("chat.send", Send("ping", "ik-h"));
    ASSERT_TRUE(WaitChatState(conn_, "ik-h", "final"));
    json::value history;
    ASSERT_TRUE(RunUntil([&] {
        history = Ok("chat.history", json::object{{"sessionKey", "main"}});
        return history.at("messages").as_array().size() == 2;
    }));
    EXPECT_EQ(history.at("sessionKey"), "agent:main:main");
    const auto& messages = history.at("messages").as_array();
    EXPECT_EQ(messages[0].at("role"), "user");
    EXPECT_EQ(messages[0].at("content").at(0).at("text"), "ping");
    EXPECT_EQ(messages[1].at("role"), "assistant");
    EXPECT_EQ(messages[1].at("content").at(0).at("text"), "pong");
    EXPECT_EQ(messages[1].at("stopReason"), "stop");
    EXPECT_EQ(messages[1].at("__openclaw").at("runId"), "ik-h");
    EXPECT_LT(messages[0].at("__openclaw").at("seq").as_int64(), messages[1].at("__openclaw").at("seq").as_int64());
    EXPECT_FALSE(Str(messages[0].at("__openclaw").at("id")).empty());
    EXPECT_EQ(history.at("totalMessages"), 2);
    EXPECT_EQ(history.at("hasMore"), false);

    auto limited = Ok("chat.history", json::object{{"sessionKey", "main"}, {"limit", 1}});
    ASSERT_EQ(limited.at("messages").as_array().size(), 1u);
    EXPECT_EQ(limited.at("messages").at(0).at("role"), "assistant");
    EXPECT_EQ(limited.at("hasMore"), true);
    EXPECT_EQ(Err("chat.history", json::object{{"sessionKey", "main"}, {"limit", 1001}}).code,
              WsErrorCode::kInvalidRequest);
    EXPECT_EQ(Ok("chat.history", json::object{{"sessionKey", "never-used"}}).at("messages").as_array().size(), 0u);
}

TEST_F(CoreMethodsTest, ChatAbortStopsTheActiveRun) {
    Step step = Text("partial");
    step.hang = true;
    model_.Script({step});
    Ok("chat.send", Send("hi", "ik-abort"));
    ASSERT_TRUE(WaitChatState(conn_, "ik-abort", "delta"));
    auto result = Ok("chat.abort", json::object{{"sessionKey", "main"}});
    EXPECT_EQ(result.at("ok"), true);
    EXPECT_EQ(result.at("aborted"), true);
    ASSERT_TRUE(WaitChatState(conn_, "ik-abort", "aborted"));
    auto by_id = Ok("chat.abort", json::object{{"sessionKey", "main"}, {"runId", "no-such-run"}});
    EXPECT_EQ(by_id.at("aborted"), false);
}

TEST_F(CoreMethodsTest, ChatInjectCommitsANoteWithoutARun) {
    auto result = Ok("chat.inject", json::object{{"sessionKey", "main"}, {"message", "note"}, {"label", "ops"}});
    EXPECT_EQ(result.at("ok"), true);
    EXPECT_EQ(model_.calls.load(), 0);
    auto history = Ok("chat.history", json::object{{"sessionKey", "main"}});
    ASSERT_EQ(history.at("messages").as_array().size(), 1u);
    EXPECT_EQ(history.at("messages").at(0).at("content").at(0).at("text"), "[ops] note");
}

TEST_F(CoreMethodsTest, AgentSendsAcceptedThenTerminalResponseWithTheSameId) {
    model_.Script({Text("agent reply")});
    auto accepted = Ok("agent", json::object{{"message", "do it"}, {"idempotencyKey", "ik-agent"}});
    EXPECT_EQ(accepted.at("status"), "accepted");
    EXPECT_EQ(accepted.at("runId"), "ik-agent");
    EXPECT_EQ(accepted.at("sessionKey"), "agent:main:main");
    EXPECT_EQ(accepted.at("agentId"), "main");
    EXPECT_TRUE(accepted.at("acceptedAt").is_int64());
    ASSERT_TRUE(RunUntil([&] { return !conn_->Responses().empty(); }));
    const auto terminal = conn_->Responses().front();
    EXPECT_EQ(terminal.id, "r1");
    ASSERT_TRUE(terminal.ok);
    EXPECT_EQ(terminal.payload.at("runId"), "ik-agent");
    EXPECT_EQ(terminal.payload.at("status"), "ok");
    EXPECT_EQ(terminal.payload.at("result").at("payloads").at(0).at("text"), "agent reply");
    const auto& meta = terminal.payload.at("result").at("meta");
    EXPECT_EQ(meta.at("agentMeta").at("usage").at("total"), 15);
    EXPECT_EQ(meta.at("agentMeta").at("provider"), "fake");

    // A duplicate replays the terminal payload.
    auto again = Ok("agent", json::object{{"message", "do it"}, {"idempotencyKey", "ik-agent"}});
    EXPECT_EQ(again.at("status"), "ok");
    EXPECT_EQ(model_.calls.load(), 1);
}

TEST_F(CoreMethodsTest, AgentResetCommandNeedsAdmin) {
    auto writer = Connect("w", {std::string(kScopeWrite)});
    auto error = Err("agent", json::object{{"message", "/reset"}, {"idempotencyKey", "ik-r"}}, writer);
    EXPECT_EQ(error.code, WsErrorCode::kForbidden);
}

TEST_F(CoreMethodsTest, AgentResetCommandStartsAFreshTranscript) {
    model_.Script({Text("before")});
    Ok("chat.send", Send("hi", "ik-before"));
    ASSERT_TRUE(WaitChatState(conn_, "ik-before", "final"));
    const auto before = Ok("chat.history", json::object{{"sessionKey", "main"}});
    auto accepted = Ok("agent", json::object{{"message", "/reset"}, {"idempotencyKey", "ik-reset"}});
    EXPECT_EQ(accepted.at("status"), "accepted");
    ASSERT_TRUE(RunUntil([&] { return !conn_->Responses().empty(); }));
    EXPECT_EQ(conn_->Responses().front().payload.at("summary"), "session reset");
    const auto after = Ok("chat.history", json::object{{"sessionKey", "main"}});
    EXPECT_TRUE(after.at("messages").as_array().empty());
    EXPECT_NE(after.at("sessionId"), before.at("sessionId"));
    EXPECT_EQ(model_.calls.load(), 1);
}

TEST_F(CoreMethodsTest, AgentWaitReportsOutcomeAndTimeoutAlsoForRunsNotStartedYet) {
    model_.Script({Text("waited")});
    Ok("chat.send", Send("hi", "ik-w"));
    auto done = Ok("agent.wait", json::object{{"runId", "ik-w"}, {"timeoutMs", 5000}});
    EXPECT_EQ(done.at("status"), "ok");
    EXPECT_EQ(done.at("stopReason"), "stop");
    EXPECT_EQ(done.at("terminalReply").at("text"), "waited");
    EXPECT_TRUE(done.at("endedAt").is_int64());

    auto gate = NewGate();
    Step slow = Text("slow");
    slow.gate = gate;
    model_.Script({slow});
    Ok("chat.send", Send("again", "ik-slow"));
    auto timeout = Ok("agent.wait", json::object{{"runId", "ik-slow"}, {"timeoutMs", 50}});
    EXPECT_EQ(timeout, (json::value{{"runId", "ik-slow"}, {"status", "timeout"}}));
    gate->Open();

    // A run that never starts within the wait is a timeout (it may be an `agent` call still on its way).
    EXPECT_EQ(Ok("agent.wait", json::object{{"runId", "nope"}, {"timeoutMs", 300}}),
              (json::value{{"runId", "nope"}, {"status", "timeout"}}));
}

TEST_F(CoreMethodsTest, SessionsCreateListPatchResetDeleteRoundTrip) {
    Ok("sessions.subscribe", json::object{});
    auto created = Ok("sessions.create", json::object{{"label", "Board"}});
    const std::string key = Str(created.at("key"));
    EXPECT_TRUE(key.starts_with("agent:main:dashboard:")) << key;
    const std::string first_id = Str(created.at("sessionId"));

    auto list = Ok("sessions.list", json::object{});
    bool found = false;
    for (const auto& row : list.at("sessions").as_array()) {
        if (row.at("key") == key.c_str()) {
            found = true;
            EXPECT_EQ(row.at("label"), "Board");
            EXPECT_EQ(row.at("agentId"), "main");
            EXPECT_EQ(row.at("kind"), "dashboard");
            EXPECT_EQ(row.at("hasActiveRun"), false);
        }
    }
    EXPECT_TRUE(found);

    auto patched = Ok("sessions.patch", json::object{{"key", key}, {"label", "Renamed"}, {"pinned", true}});
    EXPECT_EQ(patched.at("entry").at("label"), "Renamed");
    EXPECT_EQ(patched.at("entry").at("pinned"), true);
    auto cleared = Ok("sessions.patch", json::object{{"key", key}, {"label", nullptr}});
    EXPECT_TRUE(cleared.at("entry").at("label").is_null());

    auto reset = Ok("sessions.reset", json::object{{"key", key}});
    EXPECT_NE(Str(reset.at("entry").at("sessionId")), first_id);

    EXPECT_EQ(Ok("sessions.delete", json::object{{"key", key}}).at("deleted"), true);
    const auto after = Ok("sessions.list", json::object{});
    for (const auto& row : after.at("sessions").as_array()) {
        EXPECT_NE(row.at("key"), key.c_str());
    }
    std::vector<std::string> reasons;
    for (const auto& p : conn_->Payloads("sessions.changed")) {
        if (p.at("sessionKey") == key.c_str()) {
            reasons.push_back(Str(p.at("reason")));
        }
    }
    EXPECT_EQ(reasons, (std::vector<std::string>{"create", "patch", "patch", "reset", "delete"}));
    EXPECT_EQ(Err("sessions.patch", json::object{{"key", key}, {"label", "x"}}).code, WsErrorCode::kInvalidRequest);
}

TEST_F(CoreMethodsTest, SessionsPreviewSummarisesRecentMessages) {
    model_.Script({Text("preview reply")});
    Ok("chat.send", Send("preview me", "ik-p"));
    ASSERT_TRUE(WaitChatState(conn_, "ik-p", "final"));
    json::value out;
    ASSERT_TRUE(RunUntil([&] {
        out = Ok("sessions.preview", json::object{{"keys", json::array{"main", "agent:main:absent"}}});
        return out.at("previews").at(0).at("items").as_array().size() == 2;
    }));
    EXPECT_EQ(out.at("previews").at(0).at("status"), "ok");
    EXPECT_EQ(out.at("previews").at(0).at("items").at(1).at("text"), "preview reply");
    EXPECT_EQ(out.at("previews").at(1).at("status"), "missing");
}

TEST_F(CoreMethodsTest, SessionMessageReachesKeySubscribersOnly) {
    auto other = Connect("other", {std::string(kScopeRead)});
    Ok("sessions.messages.subscribe", json::object{{"key", "main"}});
    model_.Script({Text("hello there")});
    Ok("chat.send", Send("hi", "ik-sm"));
    ASSERT_TRUE(RunUntil([&] { return conn_->Payloads("session.message").size() >= 2; }));
    auto messages = conn_->Payloads("session.message");
    EXPECT_EQ(messages[0].at("sessionKey"), "agent:main:main");
    EXPECT_EQ(messages[0].at("message").at("role"), "user");
    EXPECT_EQ(messages[1].at("message").at("role"), "assistant");
    EXPECT_TRUE(other->Payloads("session.message").empty());
    EXPECT_FALSE(other->Payloads("chat").empty());  // read scope still gets chat events
}

TEST_F(CoreMethodsTest, MethodScopesFollowTheOperatorScopeTable) {
    EXPECT_EQ(registry_.Find("config.get")->scope, kScopeAdmin);
    EXPECT_EQ(registry_.Find("chat.send")->scope, kScopeWrite);
    EXPECT_EQ(registry_.Find("agent")->scope, kScopeWrite);
    EXPECT_EQ(registry_.Find("chat.history")->scope, kScopeRead);
    EXPECT_EQ(registry_.Find("health")->scope, kScopeRead);
    auto reader = Connect("reader", {std::string(kScopeRead)});
    EXPECT_EQ(Err("chat.send", Send("hi", "k"), reader).code, WsErrorCode::kForbidden);
}

TEST_F(CoreMethodsTest, SendIsUnavailableUntilChannelsExist) {
    auto error = Err("send", json::object{{"to", "+1"}, {"message", "x"}, {"idempotencyKey", "k"}});
    EXPECT_EQ(error.code, WsErrorCode::kUnavailable);
    EXPECT_EQ(error.message, "channels are not available on this gateway yet");
}

TEST_F(CoreMethodsTest, ConfigGetRedactsSecretsAndHashesTheRendering) {
    config_.hooks.token = config::Secret{"super-secret-token", "inline"};
    auto out = Ok("config.get", json::object{});
    const std::string raw = Str(out.at("raw"));
    EXPECT_EQ(raw.find("super-secret-token"), std::string::npos);
    EXPECT_NE(raw.find("__OPENCLAW_REDACTED__"), std::string::npos);
    EXPECT_EQ(out.at("hash"), crypto::Sha256Hex(raw).c_str());
}

TEST_F(CoreMethodsTest, HealthAndStatusAndCatalogs) {
    auto health = Ok("health", json::object{{"probe", true}});
    EXPECT_EQ(health.at("ok"), true);
    EXPECT_EQ(health.at("defaultAgentId"), "main");
    for (const char* key : {"ts", "durationMs", "agents", "sessions", "channels", "plugins", "eventLoop"}) {
        EXPECT_TRUE(health.as_object().contains(key)) << key;
    }
    auto status = Ok("status", json::object{});
    EXPECT_EQ(status.at("runtimeVersion"), "test-version");
    auto agents = Ok("agents.list", json::object{});
    EXPECT_EQ(agents.at("defaultId"), "main");
    EXPECT_EQ(Ok("system-presence", json::object{}).at(0).at("reason"), "self");
    EXPECT_TRUE(Ok("models.list", json::object{}).at("models").is_array());
    EXPECT_EQ(Err("status", json::object{{"x", 1}}).code, WsErrorCode::kInvalidRequest);
}

TEST_F(CoreMethodsTest, WakeCommitsASystemEvent) {
    auto out = Ok("wake", json::object{{"mode", "next-heartbeat"}, {"text", "ping from cron"}});
    EXPECT_EQ(out.at("ok"), true);
    auto history = Ok("chat.history", json::object{{"sessionKey", "main"}});
    ASSERT_EQ(history.at("messages").as_array().size(), 1u);
    EXPECT_EQ(history.at("messages").at(0).at("content").at(0).at("text"), "[OpenClaw session event] ping from cron");
    EXPECT_EQ(Err("wake", json::object{{"mode", "later"}, {"text", "x"}}).code, WsErrorCode::kInvalidRequest);
}

TEST_F(CoreMethodsTest, ToolsInvokeFollowsTheHttpPolicy) {
    RegisterBuiltins();
    auto out = Ok("tools.invoke", json::object{{"name", "current_time"}, {"args", json::object{{"timezone", "UTC"}}}});
    EXPECT_EQ(out.at("ok"), true);
    EXPECT_EQ(out.at("toolName"), "current_time");
    EXPECT_FALSE(Str(out.at("output").at("content").at(0).at("text")).empty());
    auto denied = Ok("tools.invoke", json::object{{"name", "exec"}});
    EXPECT_EQ(denied.at("ok"), false);
    EXPECT_EQ(denied.at("error").at("type"), "not_found");
}

}  // namespace
}  // namespace gw::api::ws::testing
