// anthropic-messages adapter: request JSON, SSE decoding, non-streaming bodies.
#include <gtest/gtest.h>

#include "providers/testing/fake_upstream.hpp"
#include "providers/testing/wire_test_support.hpp"

namespace gw::providers {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace): test helpers
using domain::ModelDelta;
using domain::ModelErrorKind;
using domain::StopReason;

std::string Start() {
    return Sse(
        "message_start",
        R"({"type":"message_start","message":{"id":"msg_7","usage":{"input_tokens":30,"cache_read_input_tokens":5,"cache_creation_input_tokens":2,"output_tokens":1}}})"
    );
}

std::string Ev(std::string_view type, std::string_view json) {
    return Sse(type, json);
}

TEST(AnthropicMessagesTest, BuildsMessagesRequest) {
    auto wire = internal::MakeAnthropicMessages();
    internal::WireRequest raw;
    auto body = BuildBody(*wire, ConversationRequest(), Provider("anthropic-messages"), &raw);
    EXPECT_EQ(raw.path, "/messages");
    ASSERT_EQ(raw.headers.size(), 2u);
    EXPECT_EQ(raw.headers[0].first, "x-api-key");
    EXPECT_EQ(raw.headers[0].second, "sk-test-key-123456");
    EXPECT_EQ(raw.headers[1].first, "anthropic-version");
    EXPECT_EQ(raw.headers[1].second, "2023-06-01");
    EXPECT_EQ(raw.body.find("sk-test-key"), std::string::npos);

    EXPECT_EQ(body.at("model"), "m-1");
    EXPECT_EQ(body.at("system"), "You are helpful.");
    EXPECT_EQ(body.at("max_tokens"), 256);
    EXPECT_EQ(body.at("stream"), true);
    EXPECT_EQ(body.at("stop_sequences").at(0), "END");
    EXPECT_FALSE(body.contains("seed"));
    EXPECT_EQ(body.at("metadata").at("user_id"), "user-42");
    EXPECT_EQ(body.at("tool_choice").at("type"), "tool");
    EXPECT_EQ(body.at("tool_choice").at("name"), "get_weather");
    EXPECT_EQ(body.at("tools").at(0).at("name"), "get_weather");
    EXPECT_EQ(body.at("tools").at(0).at("input_schema").at("type"), "object");

    const auto& m = body.at("messages").as_array();
    ASSERT_EQ(m.size(), 3u);
    EXPECT_EQ(m[0].at("role"), "user");
    EXPECT_EQ(m[0].at("content").at(1).at("type"), "image");
    EXPECT_EQ(m[0].at("content").at(1).at("source").at("media_type"), "image/png");
    EXPECT_EQ(m[1].at("role"), "assistant");
    const auto& assistant = m[1].at("content").as_array();
    ASSERT_EQ(assistant.size(), 2u) << "thinking without a signature is not sent back";
    EXPECT_EQ(assistant[1].at("type"), "tool_use");
    EXPECT_EQ(assistant[1].at("input").at("city"), "Paris");
    // The tool result and the system note merge into one user turn.
    EXPECT_EQ(m[2].at("role"), "user");
    EXPECT_EQ(m[2].at("content").at(0).at("type"), "tool_result");
    EXPECT_EQ(m[2].at("content").at(0).at("tool_use_id"), "call_1");
    EXPECT_EQ(m[2].at("content").at(1).at("text"), "System: Session resumed.");
}

TEST(AnthropicMessagesTest, MaxTokensDefaultsTo4096) {
    auto wire = internal::MakeAnthropicMessages();
    domain::ModelRequest r;
    r.model = {"a", "claude"};
    r.stream = false;
    r.messages.push_back(Entry(domain::Role::kUser, {domain::TextBlock{"hi"}}));
    auto body = BuildBody(*wire, r, Provider("anthropic-messages"));
    EXPECT_EQ(body.at("max_tokens"), 4096);
    EXPECT_FALSE(body.contains("stream"));
    EXPECT_FALSE(body.contains("system"));
}

TEST(AnthropicMessagesTest, DecodesTextThinkingToolUseAndUsage) {
    auto wire = internal::MakeAnthropicMessages();
    std::string sse =
        Start() +
        Ev("content_block_start",
           R"({"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}})") +
        Ev("content_block_delta",
           R"({"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"ponder"}})"
        ) +
        Ev("content_block_delta",
           R"({"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"sig"}})"
        ) +
        Ev("content_block_stop", R"({"type":"content_block_stop","index":0})") +
        Ev("ping", R"({"type":"ping"})") +
        Ev("content_block_start",
           R"({"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}})") +
        Ev("content_block_delta",
           R"({"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Let me check."}})"
        ) +
        Ev("content_block_stop", R"({"type":"content_block_stop","index":1})") +
        Ev("content_block_start",
           R"({"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{}}})"
        ) +
        Ev("content_block_delta",
           R"({"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\"city\":"}})"
        ) +
        Ev("content_block_delta",
           R"({"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"\"Oslo\"}"}})"
        ) +
        Ev("content_block_stop", R"({"type":"content_block_stop","index":2})") +
        Ev("some_future_event", R"({"type":"some_future_event"})") +
        Ev("message_delta",
           R"({"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":42}})") +
        Ev("message_stop", R"({"type":"message_stop"})");
    auto d = DecodeSse(*wire, sse);
    ASSERT_FALSE(d.error) << d.error->message;
    EXPECT_TRUE(d.finished);
    ASSERT_EQ(d.response.content.size(), 3u);
    EXPECT_EQ(std::get<domain::ThinkingBlock>(d.response.content[0]).text, "ponder");
    EXPECT_EQ(std::get<domain::TextBlock>(d.response.content[1]).text, "Let me check.");
    const auto& call = std::get<domain::ToolCallBlock>(d.response.content[2]);
    EXPECT_EQ(call.id, "toolu_1");
    EXPECT_EQ(call.name, "get_weather");
    EXPECT_EQ(call.arguments_json, R"({"city":"Oslo"})");
    EXPECT_EQ(d.response.stop_reason, StopReason::kToolUse);
    EXPECT_EQ(d.response.response_id, "msg_7");
    EXPECT_EQ(d.response.usage.input, 30);
    EXPECT_EQ(d.response.usage.cache_read, 5);
    EXPECT_EQ(d.response.usage.cache_write, 2);
    EXPECT_EQ(d.response.usage.output, 42);
    EXPECT_EQ(d.response.usage.total, 79);
    ASSERT_EQ(d.deltas.size(), 5u);
    EXPECT_EQ(d.deltas[2].kind, ModelDelta::Kind::kToolCall);
    EXPECT_EQ(d.deltas[2].tool_index, 0);
    EXPECT_EQ(d.deltas[2].tool_name, "get_weather");
}

TEST(AnthropicMessagesTest, MapsStopReasons) {
    auto wire = internal::MakeAnthropicMessages();
    const std::pair<const char*, StopReason> cases[] = {
        {"end_turn", StopReason::kStop},
        {"max_tokens", StopReason::kLength},
        {"stop_sequence", StopReason::kStop}};
    for (const auto& [wire_reason, expected] : cases) {
        auto d = DecodeSse(
            *wire,
            Start() +
                Ev("message_delta",
                   std::string(R"({"type":"message_delta","delta":{"stop_reason":")") + wire_reason + R"("}})"
                ) +
                Ev("message_stop", "{}")
        );
        ASSERT_FALSE(d.error);
        EXPECT_EQ(d.response.stop_reason, expected) << wire_reason;
    }
}

TEST(AnthropicMessagesTest, EventsBeforeMessageStartAreMalformed) {
    auto wire = internal::MakeAnthropicMessages();
    auto d = DecodeSse(
        *wire,
        Ev("content_block_start",
           R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})")
    );
    ASSERT_TRUE(d.error);
    EXPECT_EQ(d.error->kind, ModelErrorKind::kMalformedStream);
}

TEST(AnthropicMessagesTest, DeltaForUnopenedBlockIsMalformed) {
    auto wire = internal::MakeAnthropicMessages();
    auto d = DecodeSse(
        *wire,
        Start() + Ev("content_block_delta",
                     R"({"type":"content_block_delta","index":4,"delta":{"type":"text_delta","text":"x"}})")
    );
    ASSERT_TRUE(d.error);
    EXPECT_EQ(d.error->kind, ModelErrorKind::kMalformedStream);
}

TEST(AnthropicMessagesTest, OverloadedErrorEventIsClassified) {
    auto wire = internal::MakeAnthropicMessages();
    auto d = DecodeSse(
        *wire,
        Start() +
            Ev("error", R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})")
    );
    ASSERT_TRUE(d.error);
    EXPECT_EQ(d.error->kind, ModelErrorKind::kOverloaded);
    EXPECT_FALSE(d.finished);
}

TEST(AnthropicMessagesTest, StreamWithoutMessageStopIsUnfinished) {
    auto wire = internal::MakeAnthropicMessages();
    auto d = DecodeSse(*wire, Start());
    EXPECT_FALSE(d.error);
    EXPECT_FALSE(d.finished);
}

TEST(AnthropicMessagesTest, ParsesNonStreamingBody) {
    auto wire = internal::MakeAnthropicMessages();
    auto d = DecodeBody(*wire, R"({"id":"msg_9","type":"message","role":"assistant","content":[
        {"type":"text","text":"Calling."},{"type":"tool_use","id":"toolu_9","name":"f","input":{"n":1}}],
        "stop_reason":"tool_use","usage":{"input_tokens":10,"output_tokens":3}})");
    ASSERT_FALSE(d.error) << d.error->message;
    ASSERT_EQ(d.response.content.size(), 2u);
    EXPECT_EQ(std::get<domain::ToolCallBlock>(d.response.content[1]).arguments_json, R"({"n":1})");
    EXPECT_EQ(d.response.stop_reason, StopReason::kToolUse);
    EXPECT_EQ(d.response.usage.total, 13);
}

TEST(AnthropicMessagesTest, NonStreamingErrorBodyIsClassified) {
    auto wire = internal::MakeAnthropicMessages();
    auto d = DecodeBody(
        *wire,
        R"({"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 250000 tokens > 200000 maximum"}})"
    );
    ASSERT_TRUE(d.error);
    EXPECT_EQ(d.error->kind, ModelErrorKind::kContextLength);
}

}  // namespace
}  // namespace gw::providers
