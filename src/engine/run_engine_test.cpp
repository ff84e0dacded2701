// RunEngine: text runs, streaming, idempotency, errors, abort, deadline, agents and keys.
#include "engine/run_engine.hpp"

#include <gtest/gtest.h>

#include "engine/engine_test_support.hpp"

namespace gw::engine {
namespace {

using testing::EngineTest;
using testing::Step;
using testing::Text;
using namespace std::chrono_literals;
using Kind = RunEvent::Kind;

class RunEngineTest : public EngineTest {};

TEST_F(RunEngineTest, TextRunCommitsUserAndAssistant) {
    MakeEngine();
    model_.Script({Text("hello back")});
    auto ack = Submit(Message("hello"));
    EXPECT_EQ(ack.status, SubmitAck::Status::kStarted);
    EXPECT_EQ(ack.session_key, "agent:main:main");
    EXPECT_EQ(ack.agent_id, "main");
    auto outcome = WaitRun(ack.run_id);
    EXPECT_EQ(outcome.run.status, domain::RunStatus::kCompleted);
    ASSERT_EQ(outcome.entries.size(), 1u);
    EXPECT_EQ(domain::EntryText(outcome.entries[0]), "hello back");
    EXPECT_EQ(outcome.usage.total, 15);

    auto entries = Transcript();
    ASSERT_EQ(Texts(entries), (std::vector<std::string>{"user:hello", "assistant:hello back"}));
    EXPECT_EQ(entries[0].id, ack.message_id);
    EXPECT_EQ(entries[0].run_id, ack.run_id);
    EXPECT_EQ(entries[1].parent_id, entries[0].id);
    EXPECT_EQ(entries[1].stop_reason, domain::StopReason::kStop);
    EXPECT_EQ(entries[1].provider, "fake");
    EXPECT_EQ(entries[1].model, "model-1");
    auto requests = model_.Requests();
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_EQ(requests[0].model.ToString(), "fake/model-1");
    EXPECT_EQ(testing::MessageTexts(requests[0]), (std::vector<std::string>{"user:hello"}));
    EXPECT_NE(
        registry_.RenderPrometheus().find("openclaw_runs_total{status=\"completed\"} 1"), std::string::npos
    );
}

TEST_F(RunEngineTest, SecondRunSeesFirstTurnAndChainsParents) {
    MakeEngine();
    WaitRun(Submit(Message("one")).run_id);
    auto second = Submit(Message("two"));
    WaitRun(second.run_id);
    auto requests = model_.Requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(
        testing::MessageTexts(requests[1]), (std::vector<std::string>{"user:one", "assistant:ok", "user:two"})
    );
    auto entries = Transcript();
    ASSERT_EQ(entries.size(), 4u);
    for (std::size_t i = 1; i < entries.size(); ++i) {
        EXPECT_EQ(entries[i].parent_id, entries[i - 1].id) << i;
    }
}

TEST_F(RunEngineTest, StreamsEventsInOrderWithPerRunSeq) {
    MakeEngine();
    Step step;
    step.deltas = {"Hel", "lo"};
    model_.Script({step});
    auto ack = Submit(Message("hi"));
    ASSERT_TRUE(ack.events);
    auto events = Drain(ack.events);
    std::vector<Kind> kinds;
    for (std::size_t i = 0; i < events.size(); ++i) {
        kinds.push_back(events[i].kind);
        EXPECT_EQ(events[i].seq, static_cast<std::int64_t>(i + 1));
        EXPECT_EQ(events[i].run_id, ack.run_id);
        EXPECT_EQ(events[i].session_key, "agent:main:main");
    }
    EXPECT_EQ(
        kinds, (std::vector<Kind>{Kind::kStarted, Kind::kDelta, Kind::kDelta, Kind::kUsage, Kind::kFinal})
    );
    EXPECT_EQ(events[1].delta->text, "Hel");
    EXPECT_EQ(events[2].delta->text, "lo");
    ASSERT_EQ(events.back().final_entries.size(), 1u);
    EXPECT_EQ(domain::EntryText(events.back().final_entries[0]), "Hello");
    EXPECT_EQ(events.back().total_usage.total, 15);
    EXPECT_EQ(events.back().model->ToString(), "fake/model-1");
}

TEST_F(RunEngineTest, IdempotentReplayReturnsFirstRunWithoutSecondModelCall) {
    MakeEngine();
    auto first_request = Message("once");
    first_request.idempotency_key = "ik-1";
    auto first = Submit(first_request);
    WaitRun(first.run_id);
    auto again = Submit(first_request);
    EXPECT_EQ(again.status, SubmitAck::Status::kDuplicate);
    EXPECT_EQ(again.run_id, first.run_id);
    EXPECT_FALSE(again.events);
    EXPECT_EQ(model_.calls.load(), 1);
    EXPECT_EQ(Transcript().size(), 2u);
    EXPECT_EQ(WaitRun(again.run_id).run.status, domain::RunStatus::kCompleted);

    auto other_session = first_request;
    other_session.session_key = "elsewhere";
    auto conflict = Run(engine_->Submit(other_session));
    ASSERT_FALSE(conflict);
    EXPECT_EQ(conflict.error().code, ErrorCode::kConflict);
}

TEST_F(RunEngineTest, NoRunCommitsWithoutCallingTheModel) {
    MakeEngine();
    auto request = Message("note");
    request.role = domain::Role::kSystem;
    request.no_run = true;
    auto ack = Submit(request);
    EXPECT_EQ(ack.status, SubmitAck::Status::kCommitted);
    EXPECT_TRUE(ack.run_id.empty());
    EXPECT_EQ(model_.calls.load(), 0);
    EXPECT_EQ(Texts(Transcript()), (std::vector<std::string>{"system:note"}));
}

TEST_F(RunEngineTest, HistoryIsCommittedBeforeTheMessage) {
    MakeEngine();
    auto request = Message("third", "openai:req-1");
    domain::TranscriptEntry earlier;
    earlier.role = domain::Role::kUser;
    earlier.content.emplace_back(domain::TextBlock{"first"});
    domain::TranscriptEntry reply;
    reply.role = domain::Role::kAssistant;
    reply.content.emplace_back(domain::TextBlock{"second"});
    request.history = {earlier, reply};
    auto ack = Submit(request);
    EXPECT_EQ(ack.session_key, "agent:main:openai:req-1");
    WaitRun(ack.run_id);
    EXPECT_EQ(
        Texts(Transcript("agent:main:openai:req-1")),
        (std::vector<std::string>{"user:first", "assistant:second", "user:third", "assistant:ok"})
    );
    EXPECT_EQ(
        testing::MessageTexts(model_.Requests().at(0)),
        (std::vector<std::string>{"user:first", "assistant:second", "user:third"})
    );
}

TEST_F(RunEngineTest, UnknownAgentIsRejectedListingKnownOnes) {
    agents_.entries["ops"].system_prompt = "ops";
    agents_.entries["main"];
    MakeEngine();
    auto request = Message("x");
    request.agent_id = "nobody";
    auto ack = Run(engine_->Submit(request));
    ASSERT_FALSE(ack);
    EXPECT_EQ(ack.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(ack.error().message.find("main, ops"), std::string::npos) << ack.error().message;
    EXPECT_EQ(engine_->Agents().size(), 2u);
    EXPECT_EQ(engine_->Agents()[1].model, "fake/model-1");  // merged from defaults
}

TEST_F(RunEngineTest, KeyOfAnotherAgentRunsThatAgent) {
    agents_.entries["main"];
    agents_.entries["ops"].system_prompt = "You are ops.";
    MakeEngine();
    auto ack = Submit(Message("x", "agent:ops:main"));
    EXPECT_EQ(ack.session_key, "agent:ops:main");
    EXPECT_EQ(ack.agent_id, "ops");
    WaitRun(ack.run_id);
    EXPECT_EQ(model_.Requests().at(0).system_prompt, "You are ops.");
}

TEST_F(RunEngineTest, MissingModelIsReportedWithWhatToConfigure) {
    agents_.defaults.model.reset();
    MakeEngine();
    auto ack = Run(engine_->Submit(Message("x")));
    ASSERT_FALSE(ack);
    EXPECT_NE(ack.error().message.find("agents.defaults.model"), std::string::npos);
    EXPECT_FALSE(Run(engine_->Submit(SendRequest{})));  // empty message
}

TEST_F(RunEngineTest, ModelOverrideIsStrict) {
    agents_.defaults.fallbacks = std::vector<std::string>{"fake/backup"};
    MakeEngine();
    auto request = Message("x");
    request.model_override = "other/model-9";
    WaitRun(Submit(request).run_id);
    WaitRun(Submit(Message("y")).run_id);
    auto requests = model_.Requests();
    EXPECT_EQ(requests[0].model.ToString(), "other/model-9");
    EXPECT_TRUE(requests[0].fallbacks.empty());
    EXPECT_EQ(requests[1].fallbacks.size(), 1u);
}

TEST_F(RunEngineTest, ModelErrorFailsRunWithKind) {
    MakeEngine();
    Step step;
    step.error = testing::ModelErr(domain::ModelErrorKind::kRateLimited, "429 from upstream");
    model_.Script({step});
    auto ack = Submit(Message("x"));
    auto events = Drain(ack.events);
    ASSERT_FALSE(events.empty());
    EXPECT_EQ(events.back().kind, Kind::kError);
    EXPECT_EQ(events.back().error_kind, domain::ModelErrorKind::kRateLimited);
    EXPECT_EQ(events.back().error, "429 from upstream");
    auto outcome = WaitRun(ack.run_id);
    EXPECT_EQ(outcome.run.status, domain::RunStatus::kFailed);
    EXPECT_EQ(outcome.run.error, "429 from upstream");
    EXPECT_EQ(outcome.error_kind, domain::ModelErrorKind::kRateLimited);
    EXPECT_EQ(Texts(Transcript()), (std::vector<std::string>{"user:x"}));
    auto run = Run(transcripts_->GetRun("default", ack.run_id));
    ASSERT_TRUE(run);
    EXPECT_EQ(run->status, domain::RunStatus::kFailed);
}

TEST_F(RunEngineTest, AbortCancelsHangingModelCallAndKeepsPartialText) {
    MakeEngine();
    Step step;
    step.deltas = {"partial "};
    step.hang = true;
    model_.Script({step});
    auto ack = Submit(Message("x"));
    ASSERT_TRUE(RunUntil([&] { return model_.calls.load() == 1; }));
    auto started = std::chrono::steady_clock::now();
    auto aborted = Run(engine_->Abort("default", ack.run_id, "user pressed stop"));
    ASSERT_TRUE(aborted) << aborted.error().message;
    EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
    EXPECT_EQ(aborted->status, domain::RunStatus::kAborted);
    EXPECT_EQ(aborted->error, "user pressed stop");
    EXPECT_EQ(model_.cancelled.load(), 1);
    auto entries = Transcript();
    ASSERT_EQ(Texts(entries), (std::vector<std::string>{"user:x", "assistant:partial "}));
    EXPECT_EQ(entries[1].stop_reason, domain::StopReason::kAborted);
    auto events = Drain(ack.events);
    EXPECT_EQ(events.back().kind, Kind::kAborted);
    // Aborting an ended run returns it unchanged.
    auto again = Run(engine_->Abort("default", ack.run_id, "again"));
    ASSERT_TRUE(again);
    EXPECT_EQ(again->error, "user pressed stop");
    EXPECT_EQ(Run(engine_->Abort("default", "no-such-run", "")).error().code, ErrorCode::kNotFound);
}

TEST_F(RunEngineTest, DeadlineAbortsRunWithDeadlineExceeded) {
    MakeEngine();
    Step step;
    step.hang = true;
    model_.Script({step});
    auto request = Message("x");
    request.timeout = 100ms;
    auto ack = Submit(request);
    auto outcome = WaitRun(ack.run_id);
    EXPECT_EQ(outcome.run.status, domain::RunStatus::kAborted);
    EXPECT_EQ(outcome.run.error, "deadline exceeded");
    EXPECT_EQ(model_.cancelled.load(), 1);
    EXPECT_NE(model_.Requests().at(0).deadline, std::chrono::steady_clock::time_point::max());
}

TEST_F(RunEngineTest, WaitTimesOutWhileRunning) {
    MakeEngine();
    auto gate = NewGate();
    Step step = Text("late");
    step.gate = gate;
    model_.Script({step});
    auto ack = Submit(Message("x"));
    auto waited = Run(engine_->Wait("default", ack.run_id, 50ms));
    ASSERT_FALSE(waited);
    EXPECT_EQ(waited.error().code, ErrorCode::kDeadlineExceeded);
    EXPECT_EQ(engine_->ActiveRuns(), 1u);
    gate->Open();
    EXPECT_EQ(WaitRun(ack.run_id).run.status, domain::RunStatus::kCompleted);
    EXPECT_EQ(Run(engine_->Wait("default", "unknown", 10ms)).error().code, ErrorCode::kNotFound);
}

TEST_F(RunEngineTest, SessionSubscriptionSeesEveryRunOfTheSession) {
    MakeEngine();
    auto sub = engine_->SubscribeSession("default", "main");
    auto all = engine_->SubscribeAll("default");
    auto first = Submit(Message("a"));
    WaitRun(first.run_id);
    auto second = Submit(Message("b"));
    WaitRun(second.run_id);
    RunVoid(engine_->Shutdown(1s));
    auto events = Drain(sub);
    std::vector<std::string> finals;
    for (const auto& e : events) {
        if (e.kind == Kind::kFinal) {
            finals.push_back(e.run_id);
        }
    }
    EXPECT_EQ(finals, (std::vector<std::string>{first.run_id, second.run_id}));
    EXPECT_EQ(Drain(all).size(), events.size());
    EXPECT_EQ(Run(engine_->Submit(Message("late"))).error().code, ErrorCode::kUnavailable);
}

TEST_F(RunEngineTest, ShutdownAbortsActiveAndQueuedRuns) {
    MakeEngine();
    Step step;
    step.hang = true;
    model_.Script({step});
    auto first = Submit(Message("a"));
    auto followup = Message("b");
    followup.queue_mode = QueueMode::kFollowup;
    auto second = Submit(followup);
    EXPECT_EQ(second.status, SubmitAck::Status::kQueued);
    ASSERT_TRUE(RunUntil([&] { return model_.calls.load() == 1; }));
    RunVoid(engine_->Shutdown(50ms));
    auto a = Run(transcripts_->GetRun("default", first.run_id));
    auto b = Run(transcripts_->GetRun("default", second.run_id));
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->status, domain::RunStatus::kAborted);
    EXPECT_EQ(a->error, "gateway shutting down");
    EXPECT_EQ(b->status, domain::RunStatus::kAborted);
    EXPECT_EQ(model_.calls.load(), 1);
    EXPECT_EQ(engine_->ActiveRuns(), 0u);
}

TEST(QueueModeTest, NamesRoundTrip) {
    for (auto m : {QueueMode::kSteer, QueueMode::kFollowup, QueueMode::kCollect, QueueMode::kInterrupt}) {
        EXPECT_EQ(ParseQueueMode(QueueModeName(m)), m);
    }
    EXPECT_FALSE(ParseQueueMode("drop"));
}

}  // namespace
}  // namespace gw::engine
