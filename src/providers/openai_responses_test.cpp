// openai-responses adapter: request JSON, SSE decoding, non-streaming bodies.
#include <gtest/gtest.h>

#include "providers/testing/fake_upstream.hpp"
#include "providers/testing/wire_test_support.hpp"

namespace gw::providers {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace): test helpers
using domain::ModelDelta;
using domain::ModelErrorKind;
using domain::StopReason;

std::string Created() {
    return Sse(
        "response.created", R"({"type":"response.created","response":{"id":"resp_5","status":"in_progress"}})"
    );
}

TEST(OpenAiResponsesTest, BuildsResponsesRequest) {
    auto wire = internal::MakeOpenAiResponses();
    internal::WireRequest raw;
    auto body = BuildBody(*wire, ConversationRequest(), Provider("openai-responses"), &raw);
    EXPECT_EQ(raw.path, "/responses");
    ASSERT_EQ(raw.headers.size(), 1u);
    EXPECT_EQ(raw.headers[0].second, "Bearer sk-test-key-123456");

    EXPECT_EQ(body.at("instructions"), "You are helpful.");
    EXPECT_EQ(body.at("max_output_tokens"), 256);
    EXPECT_EQ(body.at("stream"), true);
    EXPECT_EQ(body.at("store"), false);
    EXPECT_EQ(body.at("user"), "user-42");
    EXPECT_FALSE(body.contains("seed")) << "not a Responses parameter";
    EXPECT_EQ(body.at("tools").at(0).at("type"), "function");
    EXPECT_EQ(body.at("tools").at(0).at("name"), "get_weather");
    EXPECT_TRUE(body.at("tools").at(0).as_object().contains("parameters"));
    EXPECT_EQ(body.at("tool_choice").at("type"), "function");
    EXPECT_EQ(body.at("tool_choice").at("name"), "get_weather");

    const auto& in = body.at("input").as_array();
    ASSERT_EQ(in.size(), 5u);
    EXPECT_EQ(in[0].at("type"), "message");
    EXPECT_EQ(in[0].at("role"), "user");
    EXPECT_EQ(in[0].at("content").at(0).at("type"), "input_text");
    EXPECT_EQ(in[0].at("content").at(1).at("type"), "input_image");
    EXPECT_EQ(in[1].at("role"), "assistant");
    EXPECT_EQ(in[1].at("content").at(0).at("type"), "output_text");
    EXPECT_EQ(in[2].at("type"), "function_call");
    EXPECT_EQ(in[2].at("call_id"), "call_1");
    EXPECT_EQ(in[2].at("arguments"), R"({"city":"Paris"})");
    EXPECT_EQ(in[3].at("type"), "function_call_output");
    EXPECT_EQ(in[3].at("call_id"), "call_1");
    EXPECT_EQ(in[3].at("output"), "sunny, 21C");
    EXPECT_EQ(in[4].at("role"), "system");
}

TEST(OpenAiResponsesTest, DecodesTextFunctionCallAndUsage) {
    auto wire = internal::MakeOpenAiResponses();
    std::string sse =
        Created() + Sse("response.in_progress", R"({"type":"response.in_progress"})") +
        Sse("response.output_item.added",
            R"({"type":"response.output_item.added","output_index":0,"item":{"type":"reasoning","id":"rs_1"}})"
        ) +
        Sse("response.reasoning_summary_text.delta",
            R"({"type":"response.reasoning_summary_text.delta","output_index":0,"delta":"plan"})") +
        Sse("response.output_item.added",
            R"({"type":"response.output_item.added","output_index":1,"item":{"type":"message","id":"m1"}})") +
        Sse("response.output_text.delta",
            R"({"type":"response.output_text.delta","output_index":1,"delta":"One "})") +
        Sse("response.output_text.delta",
            R"({"type":"response.output_text.delta","output_index":1,"delta":"moment"})") +
        Sse("response.output_item.added",
            R"({"type":"response.output_item.added","output_index":2,"item":{"type":"function_call","id":"fc_1","call_id":"call_r","name":"lookup","arguments":""}})"
        ) +
        Sse("response.function_call_arguments.delta",
            R"({"type":"response.function_call_arguments.delta","output_index":2,"delta":"{\"q\":"})") +
        Sse("response.function_call_arguments.delta",
            R"({"type":"response.function_call_arguments.delta","output_index":2,"delta":"2}"})") +
        Sse("response.function_call_arguments.done",
            R"({"type":"response.function_call_arguments.done","output_index":2,"arguments":"{\"q\":2}"})") +
        Sse("response.output_item.done",
            R"({"type":"response.output_item.done","output_index":2,"item":{"type":"function_call","call_id":"call_r","name":"lookup","arguments":"{\"q\":2}"}})"
        ) +
        Sse("response.completed",
            R"({"type":"response.completed","response":{"id":"resp_5","status":"completed","usage":{"input_tokens":50,"input_tokens_details":{"cached_tokens":10},"output_tokens":6,"total_tokens":56}}})"
        );
    auto d = DecodeSse(*wire, sse);
    ASSERT_FALSE(d.error) << d.error->message;
    EXPECT_TRUE(d.finished);
    ASSERT_EQ(d.response.content.size(), 3u);
    EXPECT_EQ(std::get<domain::ThinkingBlock>(d.response.content[0]).text, "plan");
    EXPECT_EQ(std::get<domain::TextBlock>(d.response.content[1]).text, "One moment");
    const auto& call = std::get<domain::ToolCallBlock>(d.response.content[2]);
    EXPECT_EQ(call.id, "call_r");
    EXPECT_EQ(call.arguments_json, R"({"q":2})") << "done events do not duplicate the arguments";
    EXPECT_EQ(d.response.stop_reason, StopReason::kToolUse);
    EXPECT_EQ(d.response.response_id, "resp_5");
    EXPECT_EQ(d.response.usage.input, 40);
    EXPECT_EQ(d.response.usage.cache_read, 10);
    EXPECT_EQ(d.response.usage.output, 6);
    EXPECT_EQ(d.deltas.back().kind, ModelDelta::Kind::kToolCall);
    EXPECT_EQ(d.deltas.back().arguments_delta, "2}");
}

TEST(OpenAiResponsesTest, IncompleteResponseStopsForLength) {
    auto wire = internal::MakeOpenAiResponses();
    auto d = DecodeSse(
        *wire,
        Created() +
            Sse("response.incomplete",
                R"({"type":"response.incomplete","response":{"status":"incomplete","incomplete_details":{"reason":"max_output_tokens"}}})"
            )
    );
    ASSERT_FALSE(d.error);
    EXPECT_TRUE(d.finished);
    EXPECT_EQ(d.response.stop_reason, StopReason::kLength);
}

TEST(OpenAiResponsesTest, DeltaBeforeItsItemIsMalformed) {
    auto wire = internal::MakeOpenAiResponses();
    auto d = DecodeSse(
        *wire,
        Created() + Sse("response.output_text.delta",
                        R"({"type":"response.output_text.delta","output_index":0,"delta":"x"})")
    );
    ASSERT_TRUE(d.error);
    EXPECT_EQ(d.error->kind, ModelErrorKind::kMalformedStream);
}

TEST(OpenAiResponsesTest, EventsBeforeCreatedAreMalformed) {
    auto wire = internal::MakeOpenAiResponses();
    auto d = DecodeSse(*wire, Sse("response.completed", R"({"type":"response.completed","response":{}})"));
    ASSERT_TRUE(d.error);
    EXPECT_EQ(d.error->kind, ModelErrorKind::kMalformedStream);
}

TEST(OpenAiResponsesTest, FailedAndErrorEventsAreClassified) {
    auto wire = internal::MakeOpenAiResponses();
    auto failed = DecodeSse(
        *wire,
        Created() +
            Sse("response.failed",
                R"({"type":"response.failed","response":{"status":"failed","error":{"code":"rate_limit_exceeded","message":"slow down"}}})"
            )
    );
    ASSERT_TRUE(failed.error);
    EXPECT_EQ(failed.error->kind, ModelErrorKind::kRateLimited);
    auto error = DecodeSse(
        *wire,
        Sse("error",
            R"({"type":"error","code":"context_length_exceeded","message":"Your input exceeds the context window of this model."})"
        )
    );
    ASSERT_TRUE(error.error);
    EXPECT_EQ(error.error->kind, ModelErrorKind::kContextLength);
}

TEST(OpenAiResponsesTest, ParsesNonStreamingBody) {
    auto wire = internal::MakeOpenAiResponses();
    auto d = DecodeBody(*wire, R"({"id":"resp_8","status":"completed","error":null,"output":[
        {"type":"reasoning","summary":[{"type":"summary_text","text":"think"}]},
        {"type":"message","role":"assistant","content":[{"type":"output_text","text":"Done."}]},
        {"type":"function_call","call_id":"call_8","name":"f","arguments":"{}"}],
        "usage":{"input_tokens":7,"output_tokens":2,"total_tokens":9}})");
    ASSERT_FALSE(d.error) << d.error->message;
    ASSERT_EQ(d.response.content.size(), 3u);
    EXPECT_EQ(std::get<domain::TextBlock>(d.response.content[1]).text, "Done.");
    EXPECT_EQ(std::get<domain::ToolCallBlock>(d.response.content[2]).id, "call_8");
    EXPECT_EQ(d.response.usage.total, 9);
    EXPECT_EQ(d.response.response_id, "resp_8");
}

}  // namespace
}  // namespace gw::providers
