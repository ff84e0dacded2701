#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "api/openai_test_support.hpp"

namespace gw::api {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

class HooksTest : public testing::RoutesFixture {
protected:
    HooksTest() { config.hooks.enabled = true; }

    net::HttpResponse Hook(
        std::string path,
        std::string body,
        std::vector<std::pair<std::string, std::string>> headers = {{"Authorization", "Bearer hook-secret"}},
        std::string ip = "10.1.2.3"
    ) {
        return Call("POST", std::move(path), std::move(body), std::move(headers), std::move(ip));
    }
};

TEST_F(HooksTest, DisabledHooksAreNotRouted) {
    config.hooks.enabled = false;
    EXPECT_EQ(Hook("/hooks/wake", R"({"text":"x"})").status, 404);
    EXPECT_EQ(Hook("/hooks/agent", R"({"message":"x"})").status, 404);
}

TEST_F(HooksTest, QueryTokenIsRejectedWithTheExactText) {
    auto resp = Hook("/hooks/wake?token=hook-secret", R"({"text":"x"})");
    EXPECT_EQ(resp.status, 400);
    EXPECT_EQ(
        json::parse(resp.body).at("error"),
        "Hook token must be provided via Authorization: Bearer <token> or X-OpenClaw-Token header (query "
        "parameters are not allowed)."
    );
    EXPECT_EQ(Hook("/hooks/agent?a=1&token=x", R"({"message":"x"})").status, 400);
    EXPECT_TRUE(engine.submitted.empty());
}

TEST_F(HooksTest, TokenOnlyFromBearerOrHeader) {
    EXPECT_EQ(Hook("/hooks/wake", R"({"text":"x"})", {}).status, 401);
    EXPECT_EQ(Hook("/hooks/wake", R"({"text":"x"})", {{"Authorization", "Bearer secret-token"}}).status, 401);
    EXPECT_EQ(Hook("/hooks/wake", R"({"text":"x"})", {{"x-openclaw-token", "wrong"}}).status, 401);
    EXPECT_TRUE(engine.submitted.empty());
    EXPECT_EQ(Hook("/hooks/wake", R"({"text":"x"})", {{"X-OpenClaw-Token", "hook-secret"}}).status, 200);
    EXPECT_EQ(Hook("/hooks/wake", R"({"text":"x"})").status, 200);
}

TEST_F(HooksTest, TwentyFailuresLockOutForSixtySeconds) {
    for (int i = 0; i < 20; ++i) {
        EXPECT_EQ(Hook("/hooks/wake", R"({"text":"x"})", {{"x-openclaw-token", "bad"}}).status, 401) << i;
    }
    auto locked = Hook("/hooks/wake", R"({"text":"x"})");
    EXPECT_EQ(locked.status, 429);
    EXPECT_EQ(HeaderOf(locked, "Retry-After"), "60");
    now += 60s;
    EXPECT_EQ(Hook("/hooks/wake", R"({"text":"x"})").status, 200);
}

TEST_F(HooksTest, WakeQueuesASystemEventOnTheMainSession) {
    auto resp = Hook("/hooks/wake", R"({"text":"deploy finished"})");
    ASSERT_EQ(resp.status, 200);
    EXPECT_EQ(json::parse(resp.body), json::parse(R"({"ok":true,"mode":"now","eventOutcome":"queued"})"));
    const auto& send = engine.submitted.at(0);
    EXPECT_EQ(send.role, domain::Role::kSystem);
    EXPECT_EQ(send.session_key, "main");
    EXPECT_EQ(send.agent_id, "main");
    EXPECT_FALSE(send.no_run);
    EXPECT_EQ(
        std::get<domain::TextBlock>(send.content.at(0)).text, "[OpenClaw session event] deploy finished"
    );

    auto later = Hook("/hooks/wake", R"({"text":"x","mode":"next-heartbeat","agentId":"ops"})");
    ASSERT_EQ(later.status, 200);
    EXPECT_EQ(json::parse(later.body).at("mode"), "next-heartbeat");
    EXPECT_TRUE(engine.submitted.at(1).no_run);
    EXPECT_EQ(engine.submitted.at(1).agent_id, "ops");
}

TEST_F(HooksTest, WakeRejectsBadInput) {
    for (auto body :
         {"x",
          R"({})",
          R"({"text":"  "})",
          R"({"text":"x","mode":"later"})",
          R"({"text":"x","agentId":"ghost"})",
          R"({"text":"x","sessionKey":"subagent:1"})"}) {
        auto resp = Hook("/hooks/wake", body);
        EXPECT_EQ(resp.status, 400) << body;
        EXPECT_EQ(json::parse(resp.body).at("ok"), false);
    }
    EXPECT_TRUE(engine.submitted.empty());
}

TEST_F(HooksTest, AgentStartsARunInAHookSession) {
    auto resp = Hook("/hooks/agent", R"({"message":"summarise inbox","name":"mail","model":"openai/gpt-4o",
        "timeoutSeconds":30,"idempotencyKey":"hk-1"})");
    ASSERT_EQ(resp.status, 200) << resp.body;
    EXPECT_EQ(json::parse(resp.body), json::parse(R"({"ok":true,"runId":"run-1"})"));
    const auto& send = engine.submitted.at(0);
    EXPECT_TRUE(send.session_key.starts_with("hook:")) << send.session_key;
    EXPECT_GT(send.session_key.size(), 5U);
    EXPECT_EQ(send.model_override, "openai/gpt-4o");
    EXPECT_EQ(send.timeout, std::chrono::milliseconds(30'000));
    EXPECT_EQ(send.idempotency_key, "hk-1");
    EXPECT_EQ(send.role, domain::Role::kUser);
    EXPECT_TRUE(engine.last_stream->closed());
}

TEST_F(HooksTest, AgentPreRunFailuresMapToStatuses) {
    EXPECT_EQ(Hook("/hooks/agent", R"({})").status, 400);
    EXPECT_EQ(Hook("/hooks/agent", R"({"message":"x","sessionMode":"shared"})").status, 400);
    EXPECT_EQ(Hook("/hooks/agent", R"({"message":"x","model":"gpt"})").status, 400);
    EXPECT_EQ(Hook("/hooks/agent", R"({"message":"x","timeoutSeconds":0})").status, 400);

    struct Case {
        ErrorCode code;
        int status;
    };

    for (const auto& c :
         {Case{ErrorCode::kInvalidArgument, 400},
          Case{ErrorCode::kConflict, 409},
          Case{ErrorCode::kInternal, 502},
          Case{ErrorCode::kUnavailable, 503}}) {
        engine.submit_error = MakeError(c.code, "x");
        auto resp = Hook("/hooks/agent", R"({"message":"x","idempotencyKey":"k"})");
        EXPECT_EQ(resp.status, c.status);
        auto body = json::parse(resp.body).as_object();
        EXPECT_EQ(body.at("ok"), false);
        EXPECT_TRUE(body.at("error").is_string());
        EXPECT_EQ(body.at("runId"), "k");
    }
}

TEST_F(HooksTest, AdmissionTimeoutIs503) {
    config.hooks.admission_timeout = 20ms;
    engine.submit_delay = 300ms;
    auto resp = Hook("/hooks/agent", R"({"message":"x"})");
    EXPECT_EQ(resp.status, 503);
    auto body = json::parse(resp.body).as_object();
    EXPECT_EQ(body.at("ok"), false);
    EXPECT_EQ(body.at("error"), "admission timed out");
}

}  // namespace
}  // namespace gw::api
