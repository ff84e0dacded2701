// openai-completions adapter: request JSON, SSE decoding, non-streaming bodies.
#include <gtest/gtest.h>

#include "providers/testing/fake_upstream.hpp"
#include "providers/testing/wire_test_support.hpp"

namespace gw::providers {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace): test helpers
using domain::ModelDelta;
using domain::ModelErrorKind;
using domain::StopReason;

std::string Chunk(std::string_view choice) {
    return Sse(
        R"({"id":"chatcmpl-9","object":"chat.completion.chunk","choices":[)" + std::string(choice) + "]}"
    );
}

TEST(OpenAiCompletionsTest, BuildsChatCompletionsRequest) {
    auto wire = internal::MakeOpenAiCompletions();
    internal::WireRequest raw;
    auto body = BuildBody(*wire, ConversationRequest(), Provider("openai-completions"), &raw);
    EXPECT_EQ(raw.path, "/chat/completions");
    ASSERT_EQ(raw.headers.size(), 1u);
    EXPECT_EQ(raw.headers[0].first, "Authorization");
    EXPECT_EQ(raw.headers[0].second, "Bearer sk-test-key-123456");
    EXPECT_EQ(raw.body.find("sk-test-key"), std::string::npos);

    EXPECT_EQ(body.at("model"), "m-1");
    EXPECT_EQ(body.at("stream"), true);
    EXPECT_EQ(body.at("stream_options").at("include_usage"), true);
    EXPECT_EQ(body.at("max_tokens"), 256);
    EXPECT_EQ(body.at("temperature"), 0.5);
    EXPECT_EQ(body.at("top_p"), 0.9);
    EXPECT_EQ(body.at("user"), "user-42");
    EXPECT_EQ(body.at("seed"), 7);
    EXPECT_EQ(body.at("stop").at(0), "END");
    EXPECT_EQ(body.at("presence_penalty"), 0.1);
    EXPECT_FALSE(body.contains("unknown_knob"));
    EXPECT_EQ(body.at("tool_choice").at("function").at("name"), "get_weather");
    const auto& tool = body.at("tools").at(0).as_object();
    EXPECT_EQ(tool.at("type"), "function");
    EXPECT_EQ(tool.at("function").at("name"), "get_weather");
    EXPECT_EQ(tool.at("function").at("parameters").at("properties").at("city").at("type"), "string");

    const auto& m = body.at("messages").as_array();
    ASSERT_EQ(m.size(), 5u);
    EXPECT_EQ(m[0].at("role"), "system");
    EXPECT_EQ(m[0].at("content"), "You are helpful.");
    EXPECT_EQ(m[1].at("role"), "user");
    EXPECT_EQ(m[1].at("content").at(0).at("text"), "What is in this picture?");
    EXPECT_EQ(m[1].at("content").at(1).at("image_url").at("url"), "data:image/png;base64,iVBORw0KGgo=");
    EXPECT_EQ(m[2].at("role"), "assistant");
    EXPECT_EQ(m[2].at("content"), "Checking the weather.");
    EXPECT_EQ(m[2].at("tool_calls").at(0).at("id"), "call_1");
    EXPECT_EQ(m[2].at("tool_calls").at(0).at("function").at("arguments"), R"({"city":"Paris"})");
    EXPECT_EQ(m[3].at("role"), "tool");
    EXPECT_EQ(m[3].at("tool_call_id"), "call_1");
    EXPECT_EQ(m[3].at("content"), "sunny, 21C");
    EXPECT_EQ(m[4].at("role"), "system");
    EXPECT_EQ(m[4].at("content"), "Session resumed.");
}

TEST(OpenAiCompletionsTest, NonStreamingRequestOmitsStreamFieldsAndOpenAiUsesMaxCompletionTokens) {
    auto wire = internal::MakeOpenAiCompletions();
    auto request = ConversationRequest();
    request.stream = false;
    auto provider = Provider("openai-completions", "");
    provider.base_url = "https://api.openai.com/v1";
    internal::WireRequest raw;
    auto body = BuildBody(*wire, request, provider, &raw);
    EXPECT_FALSE(body.contains("stream"));
    EXPECT_FALSE(body.contains("stream_options"));
    EXPECT_EQ(body.at("max_completion_tokens"), 256);
    EXPECT_FALSE(body.contains("max_tokens"));
    EXPECT_TRUE(raw.headers.empty()) << "no key, no Authorization header";
}

TEST(OpenAiCompletionsTest, RejectsInvalidToolSchemaAndExtraParams) {
    auto wire = internal::MakeOpenAiCompletions();
    auto request = ConversationRequest();
    request.tools[0].parameters_json = "{not json";
    auto built = wire->Build(request, Provider("openai-completions"));
    ASSERT_FALSE(built);
    EXPECT_EQ(built.error().code, ErrorCode::kInvalidArgument);
    request = ConversationRequest();
    request.extra_params_json = "[1,2]";
    EXPECT_FALSE(wire->Build(request, Provider("openai-completions")));
}

TEST(OpenAiCompletionsTest, DecodesTextReasoningUsageAndDone) {
    auto wire = internal::MakeOpenAiCompletions();
    std::string sse =
        Chunk(R"({"index":0,"delta":{"role":"assistant","reasoning_content":"think "}})") +
        Chunk(R"({"index":0,"delta":{"reasoning_content":"more"}})") +
        Chunk(R"({"index":0,"delta":{"content":"Hel"}})") + Chunk(R"({"index":0,"delta":{"content":"lo"}})") +
        Chunk(R"({"index":0,"delta":{},"finish_reason":"length"})") +
        Sse(R"({"id":"chatcmpl-9","choices":[],"usage":{"prompt_tokens":20,"completion_tokens":5,"total_tokens":25,"prompt_tokens_details":{"cached_tokens":8}}})"
        ) +
        Sse("[DONE]");
    auto d = DecodeSse(*wire, sse);
    ASSERT_FALSE(d.error) << d.error->message;
    EXPECT_TRUE(d.finished);
    ASSERT_EQ(d.response.content.size(), 2u);
    EXPECT_EQ(std::get<domain::ThinkingBlock>(d.response.content[0]).text, "think more");
    EXPECT_EQ(std::get<domain::TextBlock>(d.response.content[1]).text, "Hello");
    EXPECT_EQ(d.response.stop_reason, StopReason::kLength);
    EXPECT_EQ(d.response.response_id, "chatcmpl-9");
    EXPECT_EQ(d.response.usage.input, 12);
    EXPECT_EQ(d.response.usage.cache_read, 8);
    EXPECT_EQ(d.response.usage.output, 5);
    EXPECT_EQ(d.response.usage.total, 25);
    ASSERT_EQ(d.deltas.size(), 4u);
    EXPECT_EQ(d.deltas[0].kind, ModelDelta::Kind::kThinking);
    EXPECT_EQ(d.deltas[2].kind, ModelDelta::Kind::kText);
    EXPECT_EQ(d.deltas[2].text, "Hel");
}

TEST(OpenAiCompletionsTest, AccumulatesToolCallsPerIndex) {
    auto wire = internal::MakeOpenAiCompletions();
    std::string sse =
        Chunk(
            R"({"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"f","arguments":""}}]}})"
        ) +
        Chunk(
            R"({"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_b","type":"function","function":{"name":"g","arguments":"{\"x\""}}]}})"
        ) +
        Chunk(R"({"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"a\":"}}]}})") +
        Chunk(R"({"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"1}"}}]}})") +
        Chunk(R"({"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":":2}"}}]}})") +
        Chunk(R"({"index":0,"delta":{},"finish_reason":"tool_calls"})") + Sse("[DONE]");
    auto d = DecodeSse(*wire, sse);
    ASSERT_FALSE(d.error) << d.error->message;
    ASSERT_EQ(d.response.content.size(), 2u);
    const auto& a = std::get<domain::ToolCallBlock>(d.response.content[0]);
    const auto& b = std::get<domain::ToolCallBlock>(d.response.content[1]);
    EXPECT_EQ(a.id, "call_a");
    EXPECT_EQ(a.name, "f");
    EXPECT_EQ(a.arguments_json, R"({"a":1})");
    EXPECT_EQ(b.id, "call_b");
    EXPECT_EQ(b.arguments_json, R"({"x":2})");
    EXPECT_EQ(d.response.stop_reason, StopReason::kToolUse);
    ASSERT_GE(d.deltas.size(), 2u);
    EXPECT_EQ(d.deltas[0].kind, ModelDelta::Kind::kToolCall);
    EXPECT_EQ(d.deltas[0].tool_index, 0);
    EXPECT_EQ(d.deltas[0].tool_call_id, "call_a");
    EXPECT_EQ(d.deltas[0].tool_name, "f");
    EXPECT_EQ(d.deltas[1].tool_index, 1);
    EXPECT_EQ(d.deltas.back().arguments_delta, ":2}");
}

TEST(OpenAiCompletionsTest, MissingDoneLeavesTheStreamUnfinished) {
    auto wire = internal::MakeOpenAiCompletions();
    auto d = DecodeSse(*wire, Chunk(R"({"index":0,"delta":{"content":"hi"},"finish_reason":"stop"})"));
    EXPECT_FALSE(d.error);
    EXPECT_FALSE(d.finished);
}

TEST(OpenAiCompletionsTest, UnparsableChunkIsMalformed) {
    auto wire = internal::MakeOpenAiCompletions();
    auto d = DecodeSse(*wire, Chunk(R"({"index":0,"delta":{"content":"hi"}})") + Sse("{\"choices\":[{"));
    ASSERT_TRUE(d.error);
    EXPECT_EQ(d.error->kind, ModelErrorKind::kMalformedStream);
}

TEST(OpenAiCompletionsTest, ToolArgumentsBeforeTheCallStartedAreMalformed) {
    auto wire = internal::MakeOpenAiCompletions();
    auto d = DecodeSse(
        *wire, Chunk(R"({"index":0,"delta":{"tool_calls":[{"index":3,"function":{"arguments":"{}"}}]}})")
    );
    ASSERT_TRUE(d.error);
    EXPECT_EQ(d.error->kind, ModelErrorKind::kMalformedStream);
}

TEST(OpenAiCompletionsTest, ErrorChunkIsClassified) {
    auto wire = internal::MakeOpenAiCompletions();
    auto d = DecodeSse(
        *wire,
        Sse(R"({"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}})")
    );
    ASSERT_TRUE(d.error);
    EXPECT_EQ(d.error->kind, ModelErrorKind::kRateLimited);
    EXPECT_NE(d.error->message.find("Rate limit reached"), std::string::npos);
}

TEST(OpenAiCompletionsTest, ParsesNonStreamingBody) {
    auto wire = internal::MakeOpenAiCompletions();
    auto d = DecodeBody(
        *wire, R"({"id":"chatcmpl-2","object":"chat.completion","choices":[{"index":0,
        "message":{"role":"assistant","content":"Sure.","reasoning_content":"hmm",
        "tool_calls":[{"id":"call_z","type":"function","function":{"name":"lookup","arguments":"{\"q\":1}"}}]},
        "finish_reason":"tool_calls"}],"usage":{"prompt_tokens":9,"completion_tokens":4,"total_tokens":13}})"
    );
    ASSERT_FALSE(d.error) << d.error->message;
    ASSERT_EQ(d.response.content.size(), 3u);
    EXPECT_EQ(std::get<domain::ThinkingBlock>(d.response.content[0]).text, "hmm");
    EXPECT_EQ(std::get<domain::TextBlock>(d.response.content[1]).text, "Sure.");
    EXPECT_EQ(std::get<domain::ToolCallBlock>(d.response.content[2]).arguments_json, R"({"q":1})");
    EXPECT_EQ(d.response.stop_reason, StopReason::kToolUse);
    EXPECT_EQ(d.response.usage.input, 9);
    EXPECT_EQ(d.response.usage.output, 4);
    EXPECT_EQ(d.response.response_id, "chatcmpl-2");
}

TEST(OpenAiCompletionsTest, NonStreamingBodyWithoutChoicesIsMalformed) {
    auto wire = internal::MakeOpenAiCompletions();
    EXPECT_EQ(DecodeBody(*wire, R"({"id":"x"})").error->kind, ModelErrorKind::kMalformedStream);
    EXPECT_EQ(DecodeBody(*wire, "<html>").error->kind, ModelErrorKind::kMalformedStream);
}

}  // namespace
}  // namespace gw::providers
