#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "api/openai_test_support.hpp"

namespace gw::api {
namespace {

namespace json = boost::json;
using testing::AssistantEntry;
using testing::CompletedOutcome;
using testing::FinalEvent;
using testing::ParseSse;
using testing::TextDelta;
using testing::Usage;

class ResponsesTest : public testing::RoutesFixture {
protected:
    net::HttpResponse Responses(
        std::string body, std::vector<std::pair<std::string, std::string>> headers = {}
    ) {
        return Post("/v1/responses", std::move(body), std::move(headers));
    }
};

TEST_F(ResponsesTest, NonStreamAnswerHasTheResponseShape) {
    engine.outcomes.emplace(
        "run-1", CompletedOutcome({AssistantEntry({domain::TextBlock{"hello"}})}, Usage(7, 2))
    );
    auto resp = Responses(R"({"model":"openclaw","input":"hi","instructions":"Be nice."})");
    ASSERT_EQ(resp.status, 200) << resp.body;
    auto body = json::parse(resp.body).as_object();
    EXPECT_EQ(body.at("id"), "resp_run-1");
    EXPECT_EQ(body.at("object"), "response");
    EXPECT_TRUE(body.at("created_at").is_int64());
    EXPECT_EQ(body.at("status"), "completed");
    EXPECT_EQ(body.at("model"), "openclaw");
    EXPECT_EQ(
        body.at("output"),
        json::parse(R"([{"type":"message","id":"msg_run-1","role":"assistant",
        "status":"completed","content":[{"type":"output_text","text":"hello","annotations":[]}],"phase":"final_answer"}])"
        )
    );
    EXPECT_EQ(body.at("usage").at("input_tokens"), 7);
    EXPECT_EQ(body.at("usage").at("output_tokens"), 2);
    EXPECT_EQ(body.at("usage").at("total_tokens"), 9);

    const auto& send = engine.submitted.at(0);
    EXPECT_TRUE(send.session_key.starts_with("agent:main:openresponses:")) << send.session_key;
    EXPECT_EQ(send.extra_system_prompt, "Be nice.");
    EXPECT_EQ(std::get<domain::TextBlock>(send.content.at(0)).text, "hi");
}

TEST_F(ResponsesTest, InputItemsMapToHistoryAndFunctionCallOutputsToToolResults) {
    engine.outcomes.emplace(
        "run-1", CompletedOutcome({AssistantEntry({domain::TextBlock{"ok"}})}, Usage(1, 1))
    );
    auto resp = Responses(R"({"input":[
        {"role":"user","content":"weather?"},
        {"type":"function_call","call_id":"c1","name":"get_weather","arguments":"{}"},
        {"type":"function_call_output","call_id":"c1","output":"sunny"}],
        "tools":[{"type":"function","name":"get_weather","parameters":{"type":"object"}}]})");
    ASSERT_EQ(resp.status, 200) << resp.body;
    const auto& send = engine.submitted.at(0);
    EXPECT_EQ(send.role, domain::Role::kToolResult);
    EXPECT_EQ(
        std::get<domain::ToolResultBlock>(send.content.at(0)),
        (domain::ToolResultBlock{"c1", "get_weather", "sunny", false})
    );
    ASSERT_EQ(send.history.size(), 2U);
    EXPECT_EQ(send.history[1].role, domain::Role::kAssistant);
    ASSERT_EQ(send.client_tools.size(), 1U);
    EXPECT_EQ(send.client_tools[0].name, "get_weather");
}

TEST_F(ResponsesTest, RejectsBadInputWithTheResponsesErrorShape) {
    for (auto body :
         {"{",
          R"({"model":"openclaw"})",
          R"({"input":[]})",
          R"({"input":[{"type":"web_search_call"}]})",
          R"({"model":"gpt-4o","input":"x"})",
          R"({"input":[{"role":"user","content":[{"type":"input_file","file_id":"f"}]}]})"}) {
        auto resp = Responses(body);
        EXPECT_EQ(resp.status, 400) << body;
        auto error = json::parse(resp.body).at("error").as_object();
        EXPECT_EQ(error.size(), 2U) << resp.body;
        EXPECT_EQ(error.at("type"), "invalid_request_error");
    }
    EXPECT_TRUE(engine.submitted.empty());
}

TEST_F(ResponsesTest, PreviousResponseIdContinuesItsSession) {
    auto previous = CompletedOutcome({}, Usage(0, 0));
    previous.session_key = "agent:ops:openresponses:abc";
    previous.agent_id = "ops";
    engine.outcomes.emplace("run-0", previous);
    engine.outcomes.emplace(
        "run-1", CompletedOutcome({AssistantEntry({domain::TextBlock{"ok"}})}, Usage(1, 1))
    );
    auto resp = Responses(R"({"input":"more","previous_response_id":"resp_run-0"})");
    ASSERT_EQ(resp.status, 200) << resp.body;
    EXPECT_EQ(
        engine.waits.at(0),
        (std::pair<std::string, std::chrono::milliseconds>{"run-0", std::chrono::milliseconds(0)})
    );
    EXPECT_EQ(engine.submitted.at(0).session_key, "agent:ops:openresponses:abc");
    EXPECT_EQ(engine.submitted.at(0).agent_id, "ops");
    EXPECT_EQ(json::parse(resp.body).at("previous_response_id"), "resp_run-0");
}

TEST_F(ResponsesTest, PreviousResponseStillRunningIs409AndUnknownIs400) {
    engine.outcomes.emplace("run-0", MakeError(ErrorCode::kDeadlineExceeded, "still running"));
    EXPECT_EQ(Responses(R"({"input":"more","previous_response_id":"resp_run-0"})").status, 409);
    EXPECT_EQ(Responses(R"({"input":"more","previous_response_id":"resp_nope"})").status, 400);
    EXPECT_EQ(Responses(R"({"input":"more","previous_response_id":"bogus"})").status, 400);
    EXPECT_TRUE(engine.submitted.empty());
}

TEST_F(ResponsesTest, StreamEventsComeInTheReferenceOrder) {
    engine.events = {
        TextDelta("Hel"),
        TextDelta("lo"),
        FinalEvent({AssistantEntry({domain::TextBlock{"Hello"}})}, Usage(4, 2))};
    auto resp = Responses(R"({"model":"openclaw/ops","input":"hi","stream":true})");
    ASSERT_EQ(resp.status, 200);
    EXPECT_EQ(resp.content_type, "text/event-stream; charset=utf-8");
    auto frames = ParseSse(Drain(resp));
    std::vector<std::string> types;
    for (const auto& f : frames) {
        types.push_back(f.event);
    }
    EXPECT_EQ(
        types,
        (std::vector<std::string>{
            "response.created",
            "response.in_progress",
            "response.output_item.added",
            "response.content_part.added",
            "response.output_text.delta",
            "response.output_text.delta",
            "response.output_text.done",
            "response.content_part.done",
            "response.output_item.done",
            "response.completed",
            ""})
    );
    ASSERT_EQ(frames.size(), 11U);
    EXPECT_EQ(frames.back().data, "[DONE]");
    for (std::size_t i = 0; i + 1 < frames.size(); ++i) {
        auto data = json::parse(frames[i].data).as_object();
        EXPECT_EQ(data.at("type"), json::value(frames[i].event));
        EXPECT_EQ(data.at("sequence_number"), static_cast<std::int64_t>(i));
    }
    EXPECT_EQ(json::parse(frames[4].data).at("delta"), "Hel");
    EXPECT_EQ(json::parse(frames[6].data).at("text"), "Hello");
    auto item = json::parse(frames[8].data).at("item").as_object();
    EXPECT_EQ(item.at("phase"), "final_answer");
    EXPECT_EQ(item.at("status"), "completed");
    auto completed = json::parse(frames[9].data).at("response").as_object();
    EXPECT_EQ(completed.at("status"), "completed");
    EXPECT_EQ(completed.at("id"), "resp_run-1");
    EXPECT_EQ(completed.at("model"), "openclaw/ops");
    EXPECT_EQ(completed.at("usage").at("total_tokens"), 6);
    EXPECT_EQ(json::parse(frames[0].data).at("response").at("status"), "in_progress");
}

TEST_F(ResponsesTest, StreamFailureSendsResponseFailed) {
    engine::RunEvent error;
    error.kind = engine::RunEvent::Kind::kError;
    error.error_kind = domain::ModelErrorKind::kTimeout;
    engine.events = {TextDelta("x"), error};
    auto resp = Responses(R"({"input":"hi","stream":true})");
    auto frames = ParseSse(Drain(resp));
    ASSERT_EQ(frames.size(), 7U);
    EXPECT_EQ(frames[5].event, "response.failed");
    auto response = json::parse(frames[5].data).at("response").as_object();
    EXPECT_EQ(response.at("status"), "failed");
    EXPECT_EQ(response.at("error").at("code"), "timeout");
    EXPECT_EQ(frames[6].data, "[DONE]");
}

TEST_F(ResponsesTest, StreamClientGoneAbortsTheRun) {
    engine.events = {TextDelta("x"), TextDelta("y"), FinalEvent({}, Usage(0, 0))};
    auto resp = Responses(R"({"input":"hi","stream":true})");
    testing::RecordingStream out;
    out.fail_after = 5;
    Drain(resp, out);
    EXPECT_EQ(engine.aborted, (std::vector<std::string>{"run-1"}));
}

}  // namespace
}  // namespace gw::api
