#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "api/openai_test_support.hpp"

namespace gw::api {
namespace {

namespace json = boost::json;
using testing::AssistantEntry;
using testing::CompletedOutcome;
using testing::Usage;

class OpenAiChatTest : public testing::RoutesFixture {
protected:
    net::HttpResponse Chat(std::string body, std::vector<std::pair<std::string, std::string>> headers = {}) {
        return Post("/v1/chat/completions", std::move(body), std::move(headers));
    }

    void ExpectInvalid(
        const std::string& body,
        std::string_view param,
        std::vector<std::pair<std::string, std::string>> headers = {}
    ) {
        auto resp = Chat(body, std::move(headers));
        EXPECT_EQ(resp.status, 400) << body;
        boost::system::error_code ec;
        auto parsed = json::parse(resp.body, ec);
        ASSERT_FALSE(ec) << resp.body;
        const auto& error = parsed.at("error").as_object();
        EXPECT_EQ(error.at("type"), "invalid_request_error") << body;
        EXPECT_TRUE(error.at("message").is_string());
        EXPECT_TRUE(error.contains("code"));
        if (param.empty()) {
            EXPECT_TRUE(error.at("param").is_null()) << body;
        } else {
            EXPECT_EQ(error.at("param"), json::value(std::string(param))) << body;
        }
    }

    static std::string ImageParts(int n) {
        std::string parts;
        for (int i = 0; i < n; ++i) {
            parts += std::string(i ? "," : "") +
                     R"({"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}})";
        }
        return R"({"messages":[{"role":"user","content":[)" + parts + "]}]}";
    }

    void ExpectOk() {
        engine.outcomes.emplace(
            "run-1", CompletedOutcome({AssistantEntry({domain::TextBlock{"ok"}})}, Usage(1, 1))
        );
    }
};

TEST_F(OpenAiChatTest, RejectsInvalidRequestsWith400BeforeSubmitting) {
    ExpectInvalid("{not json", "");
    ExpectInvalid("[1,2]", "");
    // Nesting beyond kMaxJsonDepth is refused by the pre-parse scan, naming the limit.
    ExpectInvalid(R"({"messages":[{"role":"user","content":"hi"}],"metadata":)" + std::string(40, '[') +
                      std::string(40, ']') + "}",
                  "");
    ExpectInvalid(R"({"messages":[{"role":"user","content":"hi"}],"max_tokens":1e19})", "max_tokens");
    ExpectInvalid(R"({"model":"openclaw"})", "messages");
    ExpectInvalid(R"({"messages":[]})", "messages");
    ExpectInvalid(R"({"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]})", "model");
    ExpectInvalid(R"({"model":"openclaw/nobody","messages":[{"role":"user","content":"hi"}]})", "model");
    ExpectInvalid(R"({"n":2,"messages":[{"role":"user","content":"hi"}]})", "n");
    ExpectInvalid(R"({"stop":["a","b","c","d","e"],"messages":[{"role":"user","content":"hi"}]})", "stop");
    ExpectInvalid(ImageParts(9), "messages");
    ExpectInvalid(
        R"({"messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{"data":"x"}}]}]})",
        "messages"
    );
    ExpectInvalid(R"({"messages":[{"role":"user","content":[{"type":"file","file":{}}]}]})", "messages");
    ExpectInvalid(R"({"messages":[{"role":"function","content":"x"}]})", "messages");
    ExpectInvalid(R"({"messages":[{"role":"assistant","content":"only me"}]})", "messages");
    ExpectInvalid(
        R"({"tools":[{"type":"web_search"}],"messages":[{"role":"user","content":"hi"}]})", "tools"
    );
    for (auto key : {"subagent:x", "cron:job", "acp:1", "agent:main:cron:job"}) {
        ExpectInvalid(
            R"({"messages":[{"role":"user","content":"hi"}]})",
            "x-openclaw-session-key",
            {{"x-openclaw-session-key", key}}
        );
    }
    ExpectInvalid(
        R"({"messages":[{"role":"user","content":"hi"}]})",
        "x-openclaw-agent-id",
        {{"x-openclaw-agent-id", "ghost"}}
    );
    EXPECT_TRUE(engine.submitted.empty());
}

TEST_F(OpenAiChatTest, AcceptsUpToEightImagesAndFourStops) {
    ExpectOk();
    EXPECT_EQ(Chat(ImageParts(8)).status, 200);
    EXPECT_EQ(Chat(R"({"stop":["a","b","c","d"],"messages":[{"role":"user","content":"hi"}]})").status, 200);
    ASSERT_EQ(engine.submitted.size(), 2U);
    EXPECT_EQ(engine.submitted[0].content.size(), 8U);
    EXPECT_TRUE(std::holds_alternative<domain::ImageBlock>(engine.submitted[0].content[0]));
    EXPECT_EQ(std::get<domain::ImageBlock>(engine.submitted[0].content[0]).mime_type, "image/png");
}

TEST_F(OpenAiChatTest, StatelessRequestSendsEarlierMessagesAsHistory) {
    ExpectOk();
    auto resp = Chat(R"({"model":"openclaw","messages":[
        {"role":"system","content":"Be brief."},
        {"role":"developer","content":[{"type":"text","text":"Use metric units."}]},
        {"role":"user","content":"hello"},
        {"role":"assistant","content":"hi there"},
        {"role":"user","content":"weather?"}]})");
    ASSERT_EQ(resp.status, 200) << resp.body;
    ASSERT_EQ(engine.submitted.size(), 1U);
    const auto& send = engine.submitted[0];
    EXPECT_EQ(send.agent_id, "main");
    EXPECT_TRUE(send.session_key.starts_with("agent:main:openai:")) << send.session_key;
    EXPECT_GT(send.session_key.size(), std::string("agent:main:openai:").size());
    EXPECT_EQ(send.role, domain::Role::kUser);
    ASSERT_EQ(send.content.size(), 1U);
    EXPECT_EQ(std::get<domain::TextBlock>(send.content[0]).text, "weather?");
    ASSERT_EQ(send.history.size(), 2U);
    EXPECT_EQ(send.history[0].role, domain::Role::kUser);
    EXPECT_EQ(domain::EntryText(send.history[0]), "hello");
    EXPECT_EQ(send.history[1].role, domain::Role::kAssistant);
    EXPECT_EQ(domain::EntryText(send.history[1]), "hi there");
    EXPECT_FALSE(send.history[0].id.empty());
    EXPECT_NE(send.history[0].id, send.history[1].id);
    EXPECT_EQ(send.extra_system_prompt, "Be brief.\n\nUse metric units.");
    EXPECT_EQ(send.queue_mode, engine::QueueMode::kFollowup);
    EXPECT_FALSE(send.stream);

    // Two stateless requests never share a session.
    Chat(R"({"messages":[{"role":"user","content":"again"}]})");
    ASSERT_EQ(engine.submitted.size(), 2U);
    EXPECT_NE(engine.submitted[0].session_key, engine.submitted[1].session_key);
}

TEST_F(OpenAiChatTest, UserFieldSelectsThePersistentSessionAndSendsOnlyTheNewMessage) {
    ExpectOk();
    auto resp = Chat(R"({"model":"openclaw/ops","user":"Alice","messages":[
        {"role":"user","content":"one"},{"role":"assistant","content":"two"},{"role":"user","content":"three"}]})"
    );
    ASSERT_EQ(resp.status, 200);
    const auto& send = engine.submitted.at(0);
    EXPECT_EQ(send.agent_id, "ops");
    EXPECT_EQ(send.session_key, "agent:ops:openai-user:alice");
    EXPECT_TRUE(send.history.empty());
    EXPECT_EQ(std::get<domain::TextBlock>(send.content.at(0)).text, "three");
}

TEST_F(OpenAiChatTest, HeadersSelectSessionAgentModelAndIdempotency) {
    ExpectOk();
    auto resp = Chat(
        R"({"model":"openclaw","messages":[{"role":"user","content":"a"},{"role":"user","content":"b"}]})",
        {{"x-openclaw-session-key", "agent:ops:custom"},
         {"x-openclaw-agent-id", "ops"},
         {"x-openclaw-model", "openai/gpt-4o-mini"},
         {"Idempotency-Key", "idem-1"}}
    );
    ASSERT_EQ(resp.status, 200);
    const auto& send = engine.submitted.at(0);
    EXPECT_EQ(send.session_key, "agent:ops:custom");
    EXPECT_EQ(send.agent_id, "ops");
    EXPECT_EQ(send.model_override, "openai/gpt-4o-mini");
    EXPECT_EQ(send.idempotency_key, "idem-1");
    EXPECT_TRUE(send.history.empty());  // a header session is persistent
}

TEST_F(OpenAiChatTest, EveryModelTargetFormResolvesTheAgent) {
    ExpectOk();
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"openclaw", "main"},
        {"openclaw/default", "main"},
        {"openclaw/ops", "ops"},
        {"openclaw:ops", "ops"},
        {"agent:ops", "ops"},
        {"OpenClaw/OPS", "ops"}};
    for (const auto& [model, agent] : cases) {
        auto resp = Chat(R"({"model":")" + model + R"(","messages":[{"role":"user","content":"hi"}]})");
        ASSERT_EQ(resp.status, 200) << model;
        EXPECT_EQ(engine.submitted.back().agent_id, agent) << model;
        EXPECT_EQ(json::parse(resp.body).at("model"), json::value(model));
    }
}

TEST_F(OpenAiChatTest, ToolMessagesBecomeToolResultsNamedFromTheAssistantCall) {
    ExpectOk();
    auto resp = Chat(R"({"messages":[
        {"role":"user","content":"weather in Paris and Rome?"},
        {"role":"assistant","content":null,"tool_calls":[
            {"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}},
            {"id":"call_2","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Rome\"}"}}]},
        {"role":"tool","tool_call_id":"call_1","content":"sunny"},
        {"role":"tool","tool_call_id":"call_2","content":[{"type":"text","text":"rain"}]}]})");
    ASSERT_EQ(resp.status, 200) << resp.body;
    const auto& send = engine.submitted.at(0);
    EXPECT_EQ(send.role, domain::Role::kToolResult);
    ASSERT_EQ(send.content.size(), 2U);
    EXPECT_EQ(
        std::get<domain::ToolResultBlock>(send.content[0]),
        (domain::ToolResultBlock{"call_1", "get_weather", "sunny", false})
    );
    EXPECT_EQ(
        std::get<domain::ToolResultBlock>(send.content[1]),
        (domain::ToolResultBlock{"call_2", "get_weather", "rain", false})
    );
    ASSERT_EQ(send.history.size(), 2U);
    ASSERT_EQ(send.history[1].content.size(), 2U);
    EXPECT_EQ(
        std::get<domain::ToolCallBlock>(send.history[1].content[0]),
        (domain::ToolCallBlock{"call_1", "get_weather", R"({"city":"Paris"})"})
    );
}

TEST_F(OpenAiChatTest, PassesSamplingToolsAndOptionsThrough) {
    ExpectOk();
    auto resp = Chat(R"({"messages":[{"role":"user","content":"hi"}],
        "tools":[{"type":"function","function":{"name":"lookup","description":"Look up","parameters":{"type":"object"}}}],
        "tool_choice":"auto","max_tokens":50,"max_completion_tokens":100,"temperature":0.2,"top_p":0.9,
        "seed":7,"stop":"END","presence_penalty":0.5,"frequency_penalty":0.1})");
    ASSERT_EQ(resp.status, 200);
    const auto& send = engine.submitted.at(0);
    ASSERT_EQ(send.client_tools.size(), 1U);
    EXPECT_EQ(send.client_tools[0], (domain::ToolSpec{"lookup", "Look up", R"({"type":"object"})"}));
    EXPECT_EQ(send.tool_choice_json, R"("auto")");
    EXPECT_EQ(send.max_output_tokens, 100);
    EXPECT_EQ(send.temperature, 0.2);
    EXPECT_EQ(send.top_p, 0.9);
    ASSERT_TRUE(send.extra_params_json.has_value());
    EXPECT_EQ(
        json::parse(*send.extra_params_json),
        json::parse(R"({"seed":7,"stop":"END","presence_penalty":0.5,"frequency_penalty":0.1})")
    );
}

TEST_F(OpenAiChatTest, NonStreamAnswerHasTheOpenAiShape) {
    auto entry = AssistantEntry({domain::TextBlock{"PONG from mock"}});
    engine.outcomes.emplace("run-1", CompletedOutcome({entry}, Usage(10, 3)));
    auto resp = Chat(R"({"model":"openclaw/default","messages":[{"role":"user","content":"ping"}]})");
    ASSERT_EQ(resp.status, 200);
    EXPECT_EQ(resp.content_type, "application/json");
    auto body = json::parse(resp.body).as_object();
    EXPECT_TRUE(json::value_to<std::string>(body.at("id")).starts_with("chatcmpl_"));
    EXPECT_EQ(body.at("object"), "chat.completion");
    EXPECT_TRUE(body.at("created").is_int64());
    EXPECT_EQ(body.at("model"), "openclaw/default");
    EXPECT_EQ(
        body.at("choices"),
        json::parse(
            R"([{"index":0,"message":{"role":"assistant","content":"PONG from mock"},"finish_reason":"stop"}])"
        )
    );
    EXPECT_EQ(
        body.at("usage"), json::parse(R"({"prompt_tokens":10,"completion_tokens":3,"total_tokens":13})")
    );
    ASSERT_EQ(engine.waits.size(), 1U);
    EXPECT_EQ(engine.waits[0].first, "run-1");
    EXPECT_GE(engine.waits[0].second, std::chrono::minutes(10));  // agent timeout (600 s default) + margin
    ASSERT_TRUE(engine.last_stream);
    EXPECT_TRUE(engine.last_stream->closed());
}

TEST_F(OpenAiChatTest, NonStreamClientToolCallsAndLengthFinish) {
    auto entry = AssistantEntry(
        {domain::ToolCallBlock{"call_9", "lookup", R"({"q":"x"})"},
         domain::ToolCallBlock{"call_8", "current_time", "{}"}}
    );
    engine.outcomes.emplace("run-1", CompletedOutcome({entry}, Usage(5, 2), domain::StopReason::kToolUse));
    auto resp = Chat(R"({"messages":[{"role":"user","content":"hi"}],
        "tools":[{"type":"function","function":{"name":"lookup"}}]})");
    ASSERT_EQ(resp.status, 200);
    auto choice = json::parse(resp.body).at("choices").at(0).as_object();
    EXPECT_EQ(choice.at("finish_reason"), "tool_calls");
    EXPECT_TRUE(choice.at("message").at("content").is_null());
    EXPECT_EQ(
        choice.at("message").at("tool_calls"),
        json::parse(
            R"([{"id":"call_9","type":"function","function":{"name":"lookup","arguments":"{\"q\":\"x\"}"}}])"
        )
    );

    engine.outcomes.clear();
    engine.outcomes.emplace(
        "run-1",
        CompletedOutcome(
            {AssistantEntry({domain::TextBlock{"cut"}})}, Usage(1, 1), domain::StopReason::kLength
        )
    );
    auto cut = Chat(R"({"messages":[{"role":"user","content":"hi"}]})");
    EXPECT_EQ(json::parse(cut.body).at("choices").at(0).at("finish_reason"), "length");
}

TEST_F(OpenAiChatTest, SubmitErrorsMapToStatuses) {
    struct Case {
        ErrorCode code;
        int status;
        bool retry_after;
    };

    for (const auto& c :
         {Case{ErrorCode::kRateLimited, 429, true},
          Case{ErrorCode::kInvalidArgument, 400, false},
          Case{ErrorCode::kUnavailable, 503, true},
          Case{ErrorCode::kConflict, 409, false},
          Case{ErrorCode::kInternal, 502, false}}) {
        engine.submit_error =
            MakeError(c.code, "no model configured for agent main: set agents.defaults.model");
        auto resp = Chat(R"({"messages":[{"role":"user","content":"hi"}]})");
        EXPECT_EQ(resp.status, c.status);
        EXPECT_EQ(HeaderOf(resp, "Retry-After").has_value(), c.retry_after) << c.status;
        auto error = json::parse(resp.body).at("error").as_object();
        EXPECT_TRUE(error.contains("type"));
        const bool shows_message = c.code == ErrorCode::kInvalidArgument;
        EXPECT_EQ(
            json::value_to<std::string>(error.at("message")).find("agents.defaults.model") !=
                std::string::npos,
            shows_message
        );
    }
}

TEST_F(OpenAiChatTest, RunFailuresMapToStatuses) {
    using K = domain::ModelErrorKind;

    struct Case {
        domain::RunStatus status;
        std::optional<K> kind;
        int http;
    };

    for (const auto& c :
         {Case{domain::RunStatus::kFailed, K::kRateLimited, 429},
          Case{domain::RunStatus::kFailed, K::kTimeout, 504},
          Case{domain::RunStatus::kFailed, K::kAuth, 502},
          Case{domain::RunStatus::kFailed, K::kNotConfigured, 502},
          Case{domain::RunStatus::kFailed, K::kServer, 502},
          Case{domain::RunStatus::kFailed, K::kContextLength, 400},
          Case{domain::RunStatus::kAborted, std::nullopt, 503}}) {
        engine::RunOutcome outcome = CompletedOutcome({}, Usage(0, 0));
        outcome.run.status = c.status;
        outcome.error_kind = c.kind;
        engine.outcomes.clear();
        engine.outcomes.emplace("run-1", outcome);
        auto resp = Chat(R"({"messages":[{"role":"user","content":"hi"}]})");
        EXPECT_EQ(resp.status, c.http);
        EXPECT_TRUE(json::parse(resp.body).at("error").at("message").is_string());
    }
    engine.outcomes.clear();
    engine.outcomes.emplace("run-1", MakeError(ErrorCode::kDeadlineExceeded, "wait"));
    EXPECT_EQ(Chat(R"({"messages":[{"role":"user","content":"hi"}]})").status, 504);
}

TEST_F(OpenAiChatTest, DisabledEndpointsAreNotRouted) {
    config.http.chat_completions = false;
    config.http.responses = false;
    EXPECT_EQ(Chat(R"({"messages":[{"role":"user","content":"hi"}]})").status, 404);
    EXPECT_EQ(Post("/v1/responses", R"({"input":"hi"})").status, 404);
    EXPECT_EQ(Call("GET", "/v1/models").status, 200);
}

}  // namespace
}  // namespace gw::api
