#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "api/openai_test_support.hpp"

namespace gw::api {
namespace {

namespace json = boost::json;
using testing::AssistantEntry;
using testing::FinalEvent;
using testing::ParseSse;
using testing::RecordingStream;
using testing::TextDelta;
using testing::Usage;

engine::RunEvent ToolDelta(int index, std::string id, std::string name, std::string args) {
    engine::RunEvent ev;
    ev.kind = engine::RunEvent::Kind::kDelta;
    ev.delta = domain::ModelDelta{
        domain::ModelDelta::Kind::kToolCall, "", index, std::move(id), std::move(name), std::move(args)};
    return ev;
}

class OpenAiChatStreamTest : public testing::RoutesFixture {
protected:
    std::vector<json::object> Chunks(const std::string& sse, bool& saw_done) {
        std::vector<json::object> chunks;
        saw_done = false;
        for (const auto& frame : ParseSse(sse)) {
            EXPECT_TRUE(frame.event.empty());
            EXPECT_FALSE(saw_done) << "data after [DONE]";
            if (frame.data == "[DONE]") {
                saw_done = true;
                continue;
            }
            chunks.push_back(json::parse(frame.data).as_object());
        }
        return chunks;
    }
};

TEST_F(OpenAiChatStreamTest, ChunksComeInTheExactOpenAiOrder) {
    engine::RunEvent started;
    started.kind = engine::RunEvent::Kind::kStarted;
    engine.events = {
        started,
        TextDelta("PONG"),
        TextDelta(" from mock"),
        FinalEvent({AssistantEntry({domain::TextBlock{"PONG from mock"}})}, Usage(10, 3))};
    auto resp = Post(
        "/v1/chat/completions",
        R"({"model":"openclaw/ops","stream":true,"stream_options":{"include_usage":true},
                         "messages":[{"role":"user","content":"ping"}]})"
    );
    ASSERT_EQ(resp.status, 200);
    EXPECT_EQ(resp.content_type, "text/event-stream; charset=utf-8");
    EXPECT_EQ(HeaderOf(resp, "Cache-Control"), "no-cache");
    EXPECT_TRUE(engine.submitted.at(0).stream);

    bool done = false;
    auto chunks = Chunks(Drain(resp), done);
    EXPECT_TRUE(done);
    ASSERT_EQ(chunks.size(), 5U);
    const auto id = chunks[0].at("id");
    EXPECT_TRUE(json::value_to<std::string>(id).starts_with("chatcmpl_"));
    for (const auto& c : chunks) {
        EXPECT_EQ(c.at("id"), id);
        EXPECT_EQ(c.at("object"), "chat.completion.chunk");
        EXPECT_EQ(c.at("model"), "openclaw/ops");
        EXPECT_TRUE(c.at("created").is_int64());
    }
    EXPECT_EQ(
        chunks[0].at("choices"),
        json::parse(R"([{"index":0,"delta":{"role":"assistant"},"finish_reason":null}])")
    );
    EXPECT_EQ(
        chunks[1].at("choices"),
        json::parse(R"([{"index":0,"delta":{"content":"PONG"},"finish_reason":null}])")
    );
    EXPECT_EQ(
        chunks[2].at("choices"),
        json::parse(R"([{"index":0,"delta":{"content":" from mock"},"finish_reason":null}])")
    );
    EXPECT_EQ(chunks[3].at("choices"), json::parse(R"([{"index":0,"delta":{},"finish_reason":"stop"}])"));
    EXPECT_EQ(chunks[4].at("choices"), json::array{});
    EXPECT_EQ(
        chunks[4].at("usage"), json::parse(R"({"prompt_tokens":10,"completion_tokens":3,"total_tokens":13})")
    );
    EXPECT_TRUE(engine.last_stream->closed());
    EXPECT_TRUE(engine.aborted.empty());
}

TEST_F(OpenAiChatStreamTest, NoUsageChunkWithoutIncludeUsageAndFinalTextWhenNothingStreamed) {
    engine.events = {FinalEvent({AssistantEntry({domain::TextBlock{"whole answer"}})}, Usage(1, 2))};
    auto resp = Post("/v1/chat/completions", R"({"stream":true,"messages":[{"role":"user","content":"x"}]})");
    bool done = false;
    auto chunks = Chunks(Drain(resp), done);
    EXPECT_TRUE(done);
    ASSERT_EQ(chunks.size(), 3U);
    EXPECT_EQ(chunks[1].at("choices").at(0).at("delta"), json::parse(R"({"content":"whole answer"})"));
    EXPECT_EQ(chunks[2].at("choices").at(0).at("finish_reason"), "stop");
    EXPECT_FALSE(chunks[2].contains("usage"));
}

TEST_F(OpenAiChatStreamTest, ClientToolCallsStreamAsToolCallDeltasAndBuiltinsStayHidden) {
    engine::RunEvent tool_result;
    tool_result.kind = engine::RunEvent::Kind::kToolResult;
    engine.events = {
        ToolDelta(0, "call_b", "current_time", "{}"),  // built-in: executed by the engine
        tool_result,
        ToolDelta(0, "call_1", "lookup", "{\"q\":"),
        ToolDelta(0, "", "", "\"x\"}"),
        FinalEvent(
            {AssistantEntry({domain::ToolCallBlock{"call_1", "lookup", R"({"q":"x"})"}})},
            Usage(3, 4),
            domain::StopReason::kToolUse
        )};
    auto resp = Post("/v1/chat/completions", R"({"stream":true,"messages":[{"role":"user","content":"x"}],
        "tools":[{"type":"function","function":{"name":"lookup","parameters":{"type":"object"}}}]})");
    bool done = false;
    auto chunks = Chunks(Drain(resp), done);
    EXPECT_TRUE(done);
    ASSERT_EQ(chunks.size(), 4U);
    EXPECT_EQ(
        chunks[1].at("choices").at(0).at("delta"),
        json::parse(
            R"({"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"lookup","arguments":"{\"q\":"}}]})"
        )
    );
    EXPECT_EQ(
        chunks[2].at("choices").at(0).at("delta"),
        json::parse(R"({"tool_calls":[{"index":0,"function":{"arguments":"\"x\"}"}}]})")
    );
    EXPECT_EQ(chunks[3].at("choices").at(0).at("finish_reason"), "tool_calls");
}

TEST_F(OpenAiChatStreamTest, RunFailureEmitsAnErrorObjectThenDone) {
    engine::RunEvent error;
    error.kind = engine::RunEvent::Kind::kError;
    error.error = "upstream said no (internal detail)";
    error.error_kind = domain::ModelErrorKind::kRateLimited;
    engine.events = {TextDelta("partial"), error};
    auto resp = Post("/v1/chat/completions", R"({"stream":true,"messages":[{"role":"user","content":"x"}]})");
    ASSERT_EQ(resp.status, 200);
    auto frames = ParseSse(Drain(resp));
    ASSERT_EQ(frames.size(), 4U);
    auto err = json::parse(frames[2].data).as_object();
    ASSERT_TRUE(err.contains("error"));
    EXPECT_EQ(err.at("error").at("type"), "rate_limit_error");
    EXPECT_EQ(
        json::value_to<std::string>(err.at("error").at("message")).find("internal detail"), std::string::npos
    );
    EXPECT_EQ(frames[3].data, "[DONE]");
}

TEST_F(OpenAiChatStreamTest, StreamEndingWithoutTerminalEventReportsAnError) {
    engine.events = {TextDelta("a")};
    auto resp = Post("/v1/chat/completions", R"({"stream":true,"messages":[{"role":"user","content":"x"}]})");
    auto frames = ParseSse(Drain(resp));
    ASSERT_EQ(frames.size(), 4U);
    EXPECT_TRUE(json::parse(frames[2].data).as_object().contains("error"));
    EXPECT_EQ(frames[3].data, "[DONE]");
}

TEST_F(OpenAiChatStreamTest, ClientDisconnectAbortsTheRun) {
    engine.events = {TextDelta("a"), TextDelta("b"), FinalEvent({}, Usage(0, 0))};
    auto resp = Post("/v1/chat/completions", R"({"stream":true,"messages":[{"role":"user","content":"x"}]})");
    RecordingStream out;
    out.fail_after = 2;  // role chunk and the first delta get through
    Drain(resp, out);
    EXPECT_EQ(out.chunks.size(), 2U);
    EXPECT_EQ(engine.aborted, (std::vector<std::string>{"run-1"}));
    EXPECT_TRUE(engine.last_stream->closed());
}

TEST_F(OpenAiChatStreamTest, DuplicateSubmitIsAnsweredFromTheRecordedOutcome) {
    engine.submit_status = engine::SubmitAck::Status::kDuplicate;
    engine.outcomes.emplace(
        "run-1", testing::CompletedOutcome({AssistantEntry({domain::TextBlock{"again"}})}, Usage(2, 1))
    );
    auto resp = Post(
        "/v1/chat/completions",
        R"({"stream":true,"messages":[{"role":"user","content":"x"}]})",
        {{"Idempotency-Key", "k1"}}
    );
    bool done = false;
    auto chunks = Chunks(Drain(resp), done);
    EXPECT_TRUE(done);
    ASSERT_EQ(chunks.size(), 3U);
    EXPECT_EQ(chunks[1].at("choices").at(0).at("delta").at("content"), "again");
}

}  // namespace
}  // namespace gw::api
