// RunEngine tool loop, client tools, skills in the prompt, slow subscribers, session_history.
#include <algorithm>
#include <filesystem>

#include <gtest/gtest.h>

#include "engine/engine_test_support.hpp"
#include "engine/run_engine.hpp"

namespace gw::engine {
namespace {

using testing::EngineTest;
using testing::MessageTexts;
using testing::Step;
using testing::Text;
using testing::ToolCall;
using namespace std::chrono_literals;
using Kind = RunEvent::Kind;

class RunEngineToolsTest : public EngineTest {
protected:
    static std::vector<std::string> ToolNames(const domain::ModelRequest& request) {
        std::vector<std::string> out;
        for (const auto& t : request.tools) {
            out.push_back(t.name);
        }
        return out;
    }
};

TEST_F(RunEngineToolsTest, ToolLoopRunsCurrentTimeAndFeedsTheResultBack) {
    RegisterBuiltins();
    MakeEngine();
    model_.Script({ToolCall("call-1", "current_time", R"({"timezone":"+02:00"})"), Text("It is late.")});
    auto ack = Submit(Message("what time is it?"));
    auto events = Drain(ack.events);
    std::vector<Kind> kinds;
    for (const auto& e : events) {
        if (e.kind != Kind::kDelta) {
            kinds.push_back(e.kind);
        }
    }
    EXPECT_EQ(
        kinds,
        (std::vector<Kind>{
            Kind::kStarted, Kind::kUsage, Kind::kToolCall, Kind::kToolResult, Kind::kUsage, Kind::kFinal})
    );
    auto requests = model_.Requests();
    ASSERT_EQ(requests.size(), 2u);
    auto tools = ToolNames(requests[0]);
    EXPECT_NE(std::find(tools.begin(), tools.end(), "current_time"), tools.end());
    ASSERT_EQ(requests[1].messages.size(), 3u);
    const auto& result_entry = requests[1].messages[2];
    ASSERT_EQ(result_entry.role, domain::Role::kToolResult);
    const auto& block = std::get<domain::ToolResultBlock>(result_entry.content.at(0));
    EXPECT_EQ(block.tool_call_id, "call-1");
    EXPECT_FALSE(block.is_error);
    EXPECT_NE(block.content.find("+02:00"), std::string::npos) << block.content;

    auto outcome = WaitRun(ack.run_id);
    EXPECT_EQ(outcome.entries.size(), 3u);
    EXPECT_EQ(outcome.usage.total, 30);
    auto entries = Transcript();
    ASSERT_EQ(entries.size(), 4u);
    EXPECT_EQ(entries[1].stop_reason, domain::StopReason::kToolUse);
    EXPECT_EQ(entries[2].role, domain::Role::kToolResult);
    EXPECT_EQ(domain::EntryText(entries[3]), "It is late.");
    EXPECT_NE(
        registry_.RenderPrometheus().find("openclaw_tool_calls_total{tool=\"current_time\",outcome=\"ok\"} 1"
        ),
        std::string::npos
    );
}

TEST_F(RunEngineToolsTest, IterationCapFailsTheRun) {
    agents_.defaults.max_tool_iterations = 2;
    RegisterBuiltins();
    MakeEngine();
    model_.RepeatForever(ToolCall("c", "current_time", "{}"));
    auto ack = Submit(Message("loop"));
    auto outcome = WaitRun(ack.run_id);
    EXPECT_EQ(outcome.run.status, domain::RunStatus::kFailed);
    ASSERT_TRUE(outcome.run.error);
    EXPECT_NE(outcome.run.error->find("tool iteration limit"), std::string::npos);
    EXPECT_EQ(model_.calls.load(), 2);
    EXPECT_EQ(Transcript().size(), 5u);  // user + 2 × (assistant toolCall, toolResult)
}

TEST_F(RunEngineToolsTest, ClientToolCallEndsTheRunWithToolUse) {
    RegisterBuiltins();
    MakeEngine();
    model_.Script({ToolCall("call-9", "get_weather", R"({"city":"Oslo"})")});
    auto request = Message("weather?");
    request.client_tools = {domain::ToolSpec{"get_weather", "Weather by city", R"({"type":"object"})"}};
    auto ack = Submit(request);
    auto outcome = WaitRun(ack.run_id);
    EXPECT_EQ(outcome.run.status, domain::RunStatus::kCompleted);
    EXPECT_EQ(outcome.run.stop_reason, domain::StopReason::kToolUse);
    ASSERT_EQ(outcome.entries.size(), 1u);
    const auto& call = std::get<domain::ToolCallBlock>(outcome.entries[0].content.at(0));
    EXPECT_EQ(call.name, "get_weather");
    EXPECT_EQ(model_.calls.load(), 1);
    auto tools = ToolNames(model_.Requests()[0]);
    EXPECT_NE(std::find(tools.begin(), tools.end(), "get_weather"), tools.end());

    // The caller answers with a toolResult message; the model sees it next.
    auto answer = Message("");
    answer.role = domain::Role::kToolResult;
    answer.content = {domain::ToolResultBlock{"call-9", "get_weather", "sunny", false}};
    WaitRun(Submit(answer).run_id);
    auto second = model_.Requests().at(1);
    EXPECT_EQ(second.messages.back().role, domain::Role::kToolResult);
}

TEST_F(RunEngineToolsTest, AgentToolPolicyHidesToolsAndRefusesCalls) {
    agents_.defaults.tools_deny = std::vector<std::string>{"current_time"};
    RegisterBuiltins();
    MakeEngine();
    model_.Script({ToolCall("c1", "current_time", "{}"), Text("fine")});
    auto outcome = WaitRun(Submit(Message("x")).run_id);
    auto requests = model_.Requests();
    auto tools = ToolNames(requests.at(0));
    EXPECT_EQ(std::find(tools.begin(), tools.end(), "current_time"), tools.end());
    EXPECT_NE(std::find(tools.begin(), tools.end(), "skills_list"), tools.end());
    const auto& block = std::get<domain::ToolResultBlock>(requests.at(1).messages.at(2).content.at(0));
    EXPECT_TRUE(block.is_error);
    EXPECT_EQ(outcome.run.status, domain::RunStatus::kCompleted);
}

TEST_F(RunEngineToolsTest, RegistryPolicyDeniesTools) {
    RegisterBuiltins();
    tools_.SetPolicy([](const ToolContext& ctx, std::string_view tool) -> std::optional<std::string> {
        if (tool == "session_history" && ctx.user_id == "default") {
            return "not for you";
        }
        return std::nullopt;
    });
    MakeEngine();
    WaitRun(Submit(Message("x")).run_id);
    auto tools = ToolNames(model_.Requests().at(0));
    EXPECT_EQ(std::find(tools.begin(), tools.end(), "session_history"), tools.end());
}

TEST_F(RunEngineToolsTest, SessionHistoryToolReadsThisSession) {
    RegisterBuiltins();
    MakeEngine();
    WaitRun(Submit(Message("remember the number 42")).run_id);
    model_.Script({ToolCall("c1", "session_history", R"({"limit":5})"), Text("done")});
    WaitRun(Submit(Message("what did I say?")).run_id);
    auto requests = model_.Requests();
    const auto& block = std::get<domain::ToolResultBlock>(requests.at(2).messages.back().content.at(0));
    EXPECT_FALSE(block.is_error);
    EXPECT_NE(block.content.find("user: remember the number 42"), std::string::npos) << block.content;
}

TEST_F(RunEngineToolsTest, SkillsAreListedInTheSystemPrompt) {
    std::filesystem::create_directories(dir_.Path() / "skills" / "greet");
    dir_.Write(
        "skills/greet/SKILL.md",
        "---\nname: greet\ndescription: Greets <people>\n---\nSay hi from {baseDir}.\n"
    );
    agents_.defaults.skills_dirs = std::vector<std::string>{dir_.File("skills")};
    agents_.defaults.system_prompt = "Be nice.";
    MakeEngine();
    auto request = Message("hi");
    request.extra_system_prompt = "Answer briefly.";
    WaitRun(Submit(request).run_id);
    const std::string prompt = model_.Requests().at(0).system_prompt;
    EXPECT_EQ(prompt.find("Be nice.\n\nAnswer briefly.\n\n"), 0u) << prompt;
    EXPECT_NE(
        prompt.find(
            "<available_skills><skill><name>greet</name><description>Greets "
            "&lt;people&gt;</description><location>" +
            dir_.File("skills/greet/SKILL.md") + "</location></skill></available_skills>"
        ),
        std::string::npos
    ) << prompt;
}

TEST_F(RunEngineToolsTest, SlowSubscriberIsCutOff) {
    MakeEngine();
    auto slow = engine_->SubscribeSession("default", "agent:main:main");
    Step flood;
    for (int i = 0; i < 5000; ++i) {
        flood.deltas.push_back("x");
    }
    model_.Script({flood});
    auto ack = Submit(Message("flood"));
    auto outcome = WaitRun(ack.run_id);
    EXPECT_EQ(outcome.run.status, domain::RunStatus::kCompleted);
    std::optional<Error> error;
    auto events = Drain(slow, &error);
    EXPECT_TRUE(events.empty());
    ASSERT_TRUE(error);
    EXPECT_EQ(error->code, ErrorCode::kRateLimited);
    EXPECT_EQ(Transcript().size(), 2u);
}

}  // namespace
}  // namespace gw::engine
