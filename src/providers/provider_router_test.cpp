// ProviderRouter against the fake upstream: every wire API streaming and not, stream failures,
// timeouts, configuration errors.
#include "providers/provider_router.hpp"

#include <gtest/gtest.h>

#include "providers/testing/fake_upstream.hpp"
#include "providers/testing/router_harness.hpp"

namespace gw::providers {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace): test helpers
using domain::ModelErrorKind;
using domain::StopReason;

struct OneUpstream {
    FakeUpstream upstream;
    RouterHarness h;

    explicit OneUpstream(const std::string& api, int max_retries = 0) {
        upstream.Start();
        auto p = FastProvider(api, upstream.BaseUrl());
        p.max_retries = max_retries;
        h.Add("up", p);
        h.Build();
    }
};

TEST(ProviderRouterTest, OpenAiCompletionsStreamsTextAndUsage) {
    OneUpstream s("openai-completions");
    s.upstream.Enqueue(SseReply(OpenAiTextEvents({"Hel", "lo", " world"}, 11, 7), 5ms));
    auto call = s.h.Run(UserRequest("up", "gpt-test"));
    ASSERT_TRUE(call.result.ok()) << call.result.error->message;
    const auto& r = *call.result.response;
    EXPECT_EQ(call.Text(), "Hello world");
    ASSERT_EQ(call.deltas.size(), 3u);
    EXPECT_EQ(std::get<domain::TextBlock>(r.content.at(0)).text, "Hello world");
    EXPECT_EQ(r.usage.input, 11);
    EXPECT_EQ(r.usage.output, 7);
    EXPECT_EQ(r.stop_reason, StopReason::kStop);
    EXPECT_EQ(r.model, (domain::ModelRef{"up", "gpt-test"}));
    EXPECT_EQ(r.attempts, 1);
    auto req = s.upstream.Requests().at(0);
    EXPECT_EQ(req.path, "/v1/chat/completions");
    EXPECT_EQ(req.Header("Authorization"), std::string("Bearer ") + kTestApiKey);
    EXPECT_EQ(req.Header("Accept"), "text/event-stream");
    EXPECT_NE(req.body.find(R"("model":"gpt-test")"), std::string::npos);
}

TEST(ProviderRouterTest, OpenAiCompletionsNonStreaming) {
    OneUpstream s("openai-completions");
    s.upstream.Enqueue(JsonReply(
        200,
        R"({"id":"chatcmpl-3","choices":[{"index":0,"message":{"role":"assistant","content":"Whole answer"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}})"
    ));
    auto request = UserRequest("up", "gpt-test");
    request.stream = false;
    auto call = s.h.Run(request);
    ASSERT_TRUE(call.result.ok()) << call.result.error->message;
    EXPECT_EQ(call.Text(), "Whole answer") << "the answer is delivered as one delta at the end";
    EXPECT_EQ(call.result.response->usage.total, 5);
    EXPECT_EQ(call.result.response->response_id, "chatcmpl-3");
}

TEST(ProviderRouterTest, AnthropicStreamsAndSendsItsHeaders) {
    OneUpstream s("anthropic-messages");
    s.upstream.Enqueue(SseReply(AnthropicTextEvents({"Bon", "jour"}, 20, 4), 2ms));
    auto call = s.h.Run(UserRequest("up", "claude-test"));
    ASSERT_TRUE(call.result.ok()) << call.result.error->message;
    EXPECT_EQ(call.Text(), "Bonjour");
    EXPECT_EQ(call.result.response->usage.input, 20);
    EXPECT_EQ(call.result.response->usage.output, 4);
    EXPECT_EQ(call.result.response->response_id, "msg_1");
    auto req = s.upstream.Requests().at(0);
    EXPECT_EQ(req.path, "/v1/messages");
    EXPECT_EQ(req.Header("x-api-key"), kTestApiKey);
    EXPECT_EQ(req.Header("anthropic-version"), "2023-06-01");
    EXPECT_FALSE(req.Header("Authorization"));
}

TEST(ProviderRouterTest, AnthropicNonStreaming) {
    OneUpstream s("anthropic-messages");
    s.upstream.Enqueue(JsonReply(
        200,
        R"({"id":"msg_2","type":"message","content":[{"type":"text","text":"Hi!"}],"stop_reason":"max_tokens","usage":{"input_tokens":5,"output_tokens":1}})"
    ));
    auto request = UserRequest("up", "claude-test");
    request.stream = false;
    auto call = s.h.Run(request);
    ASSERT_TRUE(call.result.ok()) << call.result.error->message;
    EXPECT_EQ(call.Text(), "Hi!");
    EXPECT_EQ(call.result.response->stop_reason, StopReason::kLength);
}

TEST(ProviderRouterTest, ResponsesStreams) {
    OneUpstream s("openai-responses");
    s.upstream.Enqueue(SseReply(ResponsesTextEvents({"a", "b", "c"}, 9, 3)));
    auto call = s.h.Run(UserRequest("up", "gpt-resp"));
    ASSERT_TRUE(call.result.ok()) << call.result.error->message;
    EXPECT_EQ(call.Text(), "abc");
    EXPECT_EQ(call.result.response->usage.total, 12);
    EXPECT_EQ(s.upstream.Requests().at(0).path, "/v1/responses");
}

TEST(ProviderRouterTest, ResponsesNonStreaming) {
    OneUpstream s("openai-responses");
    s.upstream.Enqueue(JsonReply(
        200,
        R"({"id":"resp_2","status":"completed","output":[{"type":"message","content":[{"type":"output_text","text":"fine"}]}],"usage":{"input_tokens":1,"output_tokens":1,"total_tokens":2}})"
    ));
    auto request = UserRequest("up", "gpt-resp");
    request.stream = false;
    auto call = s.h.Run(request);
    ASSERT_TRUE(call.result.ok()) << call.result.error->message;
    EXPECT_EQ(call.Text(), "fine");
}

TEST(ProviderRouterTest, StreamsToolCallsAndSendsToolResultsBack) {
    OneUpstream s("openai-completions");
    const std::string head = R"({"id":"c1","choices":[{"index":0,"delta":)";
    s.upstream.Enqueue(SseReply(
        {Sse(head +
             R"({"tool_calls":[{"index":0,"id":"call_w","type":"function","function":{"name":"weather","arguments":""}}]}}]})"
         ),
         Sse(head + R"({"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]}}]})"),
         Sse(head +
             R"({"tool_calls":[{"index":0,"function":{"arguments":"\"Rome\"}"}}]},"finish_reason":"tool_calls"}]})"
         ),
         Sse("[DONE]")},
        3ms
    ));
    auto request = UserRequest("up", "m");
    request.tools.push_back(domain::ToolSpec{"weather", "Weather by city", R"({"type":"object"})"});
    domain::TranscriptEntry result;
    result.role = domain::Role::kToolResult;
    result.content.emplace_back(domain::ToolResultBlock{"call_prev", "weather", "cloudy", false});
    request.messages.push_back(result);
    auto call = s.h.Run(request);
    ASSERT_TRUE(call.result.ok()) << call.result.error->message;
    const auto& r = *call.result.response;
    EXPECT_EQ(r.stop_reason, StopReason::kToolUse);
    const auto& tool = std::get<domain::ToolCallBlock>(r.content.at(0));
    EXPECT_EQ(tool.id, "call_w");
    EXPECT_EQ(tool.name, "weather");
    EXPECT_EQ(tool.arguments_json, R"({"city":"Rome"})");
    ASSERT_EQ(call.deltas.size(), 3u);
    EXPECT_EQ(call.deltas[0].tool_name, "weather");
    EXPECT_EQ(call.deltas[2].arguments_delta, R"("Rome"})");
    const auto body = s.upstream.Requests().at(0).body;
    EXPECT_NE(body.find(R"("role":"tool")"), std::string::npos) << body;
    EXPECT_NE(body.find(R"("tool_call_id":"call_prev")"), std::string::npos) << body;
    EXPECT_NE(body.find(R"("name":"weather")"), std::string::npos) << body;
}

TEST(ProviderRouterTest, JsonAnswerToAStreamingRequestIsAccepted) {
    OneUpstream s("openai-completions");
    s.upstream.Enqueue(JsonReply(
        200,
        R"({"id":"c","choices":[{"index":0,"message":{"content":"not streamed"},"finish_reason":"stop"}]})"
    ));
    auto call = s.h.Run(UserRequest("up", "m"));
    ASSERT_TRUE(call.result.ok()) << call.result.error->message;
    EXPECT_EQ(call.Text(), "not streamed");
}

TEST(ProviderRouterTest, StreamsAMegabyteOfOutput) {
    OneUpstream s("openai-completions");
    std::vector<std::string> pieces(1024, std::string(1024, 'x'));
    s.upstream.Enqueue(SseReply(OpenAiTextEvents(pieces)));
    auto call = s.h.Run(UserRequest("up", "m"));
    ASSERT_TRUE(call.result.ok()) << call.result.error->message;
    EXPECT_EQ(std::get<domain::TextBlock>(call.result.response->content.at(0)).text.size(), 1024u * 1024u);
    EXPECT_EQ(call.deltas.size(), 1024u);
}

TEST(ProviderRouterTest, MidStreamDisconnectIsAConnectionErrorWithOutputStarted) {
    OneUpstream s("openai-completions", 2);
    auto events = OpenAiTextEvents({"partial", "never"});
    events.resize(2);  // role chunk + "partial"
    auto reply = SseReply(events);
    reply.disconnect_after_chunks = true;
    s.upstream.Enqueue(reply);
    auto call = s.h.Run(UserRequest("up", "m"));
    ASSERT_FALSE(call.result.ok());
    EXPECT_EQ(call.result.error->kind, ModelErrorKind::kConnection) << call.result.error->message;
    EXPECT_TRUE(call.result.error->output_started);
    EXPECT_EQ(call.Text(), "partial");
    EXPECT_EQ(s.upstream.RequestCount(), 1u) << "no retry once output was delivered";
}

TEST(ProviderRouterTest, MissingDoneIsAConnectionError) {
    OneUpstream s("openai-completions");
    auto events = OpenAiTextEvents({"x"});
    events.pop_back();  // no [DONE]
    s.upstream.Enqueue(SseReply(events));
    auto call = s.h.Run(UserRequest("up", "m"));
    ASSERT_FALSE(call.result.ok());
    EXPECT_EQ(call.result.error->kind, ModelErrorKind::kConnection);
    EXPECT_NE(call.result.error->message.find("terminal event"), std::string::npos);
}

TEST(ProviderRouterTest, MissingMessageStopIsAConnectionError) {
    OneUpstream s("anthropic-messages");
    auto events = AnthropicTextEvents({"x"});
    events.pop_back();
    s.upstream.Enqueue(SseReply(events));
    auto call = s.h.Run(UserRequest("up", "m"));
    ASSERT_FALSE(call.result.ok());
    EXPECT_EQ(call.result.error->kind, ModelErrorKind::kConnection);
}

TEST(ProviderRouterTest, MalformedChunkIsMalformedStream) {
    OneUpstream s("openai-completions", 2);
    s.upstream.Enqueue(SseReply({Sse("{this is not json"), Sse("[DONE]")}));
    auto call = s.h.Run(UserRequest("up", "m"));
    ASSERT_FALSE(call.result.ok());
    EXPECT_EQ(call.result.error->kind, ModelErrorKind::kMalformedStream);
    EXPECT_EQ(s.upstream.RequestCount(), 1u) << "malformed_stream is not retried";
}

TEST(ProviderRouterTest, SlowFirstByteHitsTheIdleTimeout) {
    FakeUpstream upstream;
    upstream.Start();
    RouterHarness h;
    auto p = FastProvider("openai-completions", upstream.BaseUrl());
    p.max_retries = 0;
    p.idle_timeout = 200ms;
    h.Add("up", p);
    h.Build();
    auto reply = SseReply(OpenAiTextEvents({"late"}));
    reply.head_delay = 3s;
    upstream.Enqueue(reply);
    auto call = h.Run(UserRequest("up", "m"));
    ASSERT_FALSE(call.result.ok());
    EXPECT_EQ(call.result.error->kind, ModelErrorKind::kTimeout);
    EXPECT_NE(call.result.error->message.find("idle_timeout"), std::string::npos)
        << call.result.error->message;
    EXPECT_LT(call.took, 2s);
}

TEST(ProviderRouterTest, StalledStreamHitsTheIdleTimeout) {
    FakeUpstream upstream;
    upstream.Start();
    RouterHarness h;
    auto p = FastProvider("anthropic-messages", upstream.BaseUrl());
    p.max_retries = 0;
    p.idle_timeout = 200ms;
    h.Add("up", p);
    h.Build();
    auto events = AnthropicTextEvents({"a"});
    events.resize(2);
    auto reply = SseReply(events);
    reply.hang_after_chunks = true;
    upstream.Enqueue(reply);
    auto call = h.Run(UserRequest("up", "m"));
    ASSERT_FALSE(call.result.ok());
    EXPECT_EQ(call.result.error->kind, ModelErrorKind::kTimeout);
    EXPECT_LT(call.took, 2s);
    EXPECT_TRUE(upstream.WaitForClientsGone(1, 2s)) << "the stalled upstream connection is closed";
}

TEST(ProviderRouterTest, UnknownProviderIsNotConfigured) {
    OneUpstream s("openai-completions");
    auto call = s.h.Run(UserRequest("nope", "m"));
    ASSERT_FALSE(call.result.ok());
    EXPECT_EQ(call.result.error->kind, ModelErrorKind::kNotConfigured);
    EXPECT_NE(call.result.error->message.find("models.providers.nope"), std::string::npos);
    EXPECT_EQ(s.upstream.RequestCount(), 0u);
}

TEST(ProviderRouterTest, InvalidToolSchemaIsABadRequestWithoutAnUpstreamCall) {
    OneUpstream s("openai-completions", 2);
    auto request = UserRequest("up", "m");
    request.tools.push_back(domain::ToolSpec{"t", "", "{broken"});
    auto call = s.h.Run(request);
    ASSERT_FALSE(call.result.ok());
    EXPECT_EQ(call.result.error->kind, ModelErrorKind::kBadRequest);
    EXPECT_EQ(s.upstream.RequestCount(), 0u);
}

TEST(ProviderRouterTest, CreateRejectsUnknownApiAndBadBaseUrl) {
    obs::Registry registry;
    boost::asio::io_context ioc;
    config::ModelsOptions models;
    models.providers["x"] = FastProvider("openai-chat", "http://127.0.0.1:1/v1");
    auto bad_api = ProviderRouter::Create(ioc, models, registry);
    ASSERT_FALSE(bad_api);
    EXPECT_NE(bad_api.error().message.find("models.providers.x.api"), std::string::npos);
    models.providers["x"] = FastProvider("openai-completions", "ftp://example.com");
    auto bad_url = ProviderRouter::Create(ioc, models, registry);
    ASSERT_FALSE(bad_url);
    EXPECT_NE(bad_url.error().message.find("models.providers.x.base_url"), std::string::npos);
    models.providers["x"] = FastProvider("openai-completions", "https://api.example.com/v1/");
    auto ok = ProviderRouter::Create(ioc, models, registry);
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_EQ((*ok)->ProviderIds(), std::vector<std::string>{"x"});
}

}  // namespace
}  // namespace gw::providers
