// RunEngine queue modes (steer, followup, collect, interrupt), the backlog cap, max_concurrent, AbortSession.
#include <algorithm>

#include <gtest/gtest.h>

#include "engine/engine_test_support.hpp"
#include "engine/run_engine.hpp"

namespace gw::engine {
namespace {

using testing::EngineTest;
using testing::MessageTexts;
using testing::Step;
using testing::Text;
using namespace std::chrono_literals;
using Status = SubmitAck::Status;

class RunEngineQueueTest : public EngineTest {
protected:
    /// Scripts a first answer that waits for the returned gate.
    std::shared_ptr<testing::Gate> HoldFirstCall(std::string text = "first answer") {
        auto gate = NewGate();
        Step step = Text(std::move(text));
        step.gate = gate;
        model_.Script({step});
        return gate;
    }

    SendRequest Mode(std::string text, QueueMode mode, std::string key = "main") {
        auto r = Message(std::move(text), std::move(key));
        r.queue_mode = mode;
        return r;
    }
};

TEST_F(RunEngineQueueTest, SteerJoinsTheActiveRunAtItsNextModelCall) {
    MakeEngine();
    auto gate = HoldFirstCall();
    auto first = Submit(Message("a"));
    ASSERT_TRUE(RunUntil([&] { return model_.calls.load() == 1; }));
    auto steered = Submit(Mode("b", QueueMode::kSteer));
    EXPECT_EQ(steered.status, Status::kSteered);
    EXPECT_EQ(steered.run_id, first.run_id);
    ASSERT_TRUE(steered.events);
    gate->Open();
    auto outcome = WaitRun(first.run_id);
    EXPECT_EQ(outcome.run.status, domain::RunStatus::kCompleted);
    ASSERT_EQ(model_.calls.load(), 2);
    auto requests = model_.Requests();
    EXPECT_EQ(MessageTexts(requests[0]), (std::vector<std::string>{"user:a"}));
    EXPECT_EQ(
        MessageTexts(requests[1]), (std::vector<std::string>{"user:a", "assistant:first answer", "user:b"})
    );
    ASSERT_EQ(outcome.entries.size(), 2u);  // the interrupted answer and the final one
    auto steer_events = Drain(steered.events);
    ASSERT_FALSE(steer_events.empty());
    EXPECT_EQ(steer_events.front().kind, RunEvent::Kind::kSteered);
    EXPECT_EQ(domain::EntryText(*steer_events.front().entry), "b");
    EXPECT_EQ(steer_events.back().kind, RunEvent::Kind::kFinal);
    auto entries = Transcript();
    EXPECT_EQ(entries.size(), 4u);
    for (const auto& e : entries) {
        EXPECT_EQ(e.run_id, first.run_id);
    }
}

TEST_F(RunEngineQueueTest, FollowupRunsAfterTheActiveRun) {
    MakeEngine();
    auto gate = HoldFirstCall();
    auto first = Submit(Message("a"));
    ASSERT_TRUE(RunUntil([&] { return model_.calls.load() == 1; }));
    auto second = Submit(Mode("b", QueueMode::kFollowup));
    EXPECT_EQ(second.status, Status::kQueued);
    EXPECT_NE(second.run_id, first.run_id);
    EXPECT_EQ(model_.calls.load(), 1);
    gate->Open();
    EXPECT_EQ(WaitRun(second.run_id).run.status, domain::RunStatus::kCompleted);
    auto requests = model_.Requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(MessageTexts(requests[0]), (std::vector<std::string>{"user:a"}));  // b is not part of run 1
    EXPECT_EQ(
        MessageTexts(requests[1]), (std::vector<std::string>{"user:a", "assistant:first answer", "user:b"})
    );
    auto entries = Transcript();
    ASSERT_EQ(entries.size(), 4u);
    EXPECT_EQ(entries[1].run_id, second.run_id);  // committed before run 1 answered
}

TEST_F(RunEngineQueueTest, CollectCoalescesMessagesIntoOneQueuedRun) {
    MakeEngine();
    auto gate = HoldFirstCall();
    auto first = Submit(Message("a"));
    ASSERT_TRUE(RunUntil([&] { return model_.calls.load() == 1; }));
    auto b = Submit(Mode("b", QueueMode::kCollect));
    auto c = Submit(Mode("c", QueueMode::kCollect));
    auto d = Submit(Mode("d", QueueMode::kCollect));
    EXPECT_EQ(b.status, Status::kQueued);
    EXPECT_EQ(c.run_id, b.run_id);
    EXPECT_EQ(d.run_id, b.run_id);
    gate->Open();
    WaitRun(b.run_id);
    ASSERT_EQ(model_.calls.load(), 2);
    EXPECT_EQ(
        MessageTexts(model_.Requests()[1]),
        (std::vector<std::string>{"user:a", "assistant:first answer", "user:b", "user:c", "user:d"})
    );
}

TEST_F(RunEngineQueueTest, InterruptAbortsTheActiveRunThenStarts) {
    MakeEngine();
    Step hang;
    hang.deltas = {"half"};
    hang.hang = true;
    model_.Script({hang, Text("fresh")});
    auto first = Submit(Message("a"));
    ASSERT_TRUE(RunUntil([&] { return model_.calls.load() == 1; }));
    auto second = Submit(Mode("b", QueueMode::kInterrupt));
    EXPECT_EQ(second.status, Status::kStarted);
    auto aborted = WaitRun(first.run_id);
    EXPECT_EQ(aborted.run.status, domain::RunStatus::kAborted);
    EXPECT_EQ(aborted.run.error, "interrupted by a new message");
    EXPECT_EQ(model_.cancelled.load(), 1);
    EXPECT_EQ(WaitRun(second.run_id).run.status, domain::RunStatus::kCompleted);
    auto texts = Texts(Transcript());  // the abort's partial answer and b's commit race
    std::sort(texts.begin(), texts.end());
    EXPECT_EQ(texts, (std::vector<std::string>{"assistant:fresh", "assistant:half", "user:a", "user:b"}));
}

TEST_F(RunEngineQueueTest, BacklogCapRejectsMessagesBeyondIt) {
    agents_.queue.cap = 1;
    MakeEngine();
    auto gate = HoldFirstCall();
    auto first = Submit(Message("a"));
    auto queued = Submit(Mode("b", QueueMode::kFollowup));
    auto rejected = Run(engine_->Submit(Mode("c", QueueMode::kFollowup)));
    ASSERT_FALSE(rejected);
    EXPECT_EQ(rejected.error().code, ErrorCode::kRateLimited);
    EXPECT_EQ(rejected.error().message, "session queue full (cap 1)");
    EXPECT_NE(registry_.RenderPrometheus().find("openclaw_run_queue_rejections_total 1"), std::string::npos);
    // Another session has its own backlog; steering never queues.
    Submit(Mode("x", QueueMode::kFollowup, "other"));
    EXPECT_EQ(Submit(Mode("s", QueueMode::kSteer)).status, Status::kSteered);
    gate->Open();
    WaitRun(first.run_id);
    WaitRun(queued.run_id);
    EXPECT_EQ(Texts(Transcript()).size(), 6u);  // a, b, s + three answers; c was never committed
}

TEST_F(RunEngineQueueTest, MaxConcurrentKeepsFurtherRunsQueued) {
    agents_.max_concurrent = 1;
    MakeEngine();
    auto gate = HoldFirstCall();
    auto first = Submit(Message("a", "s1"));
    auto second = Submit(Message("b", "s2"));
    ASSERT_TRUE(RunUntil([&] { return model_.calls.load() == 1; }));
    EXPECT_FALSE(RunUntil([&] { return model_.calls.load() > 1; }, 150ms));
    EXPECT_EQ(engine_->ActiveRuns(), 1u);
    EXPECT_NE(registry_.RenderPrometheus().find("openclaw_runs_in_flight 1"), std::string::npos);
    gate->Open();
    EXPECT_EQ(WaitRun(second.run_id).run.status, domain::RunStatus::kCompleted);
    EXPECT_EQ(model_.calls.load(), 2);
    EXPECT_EQ(WaitRun(first.run_id).run.status, domain::RunStatus::kCompleted);
}

TEST_F(RunEngineQueueTest, AbortSessionAbortsActiveAndQueuedRuns) {
    MakeEngine();
    Step hang;
    hang.hang = true;
    model_.Script({hang});
    auto first = Submit(Message("a"));
    auto second = Submit(Mode("b", QueueMode::kFollowup));
    ASSERT_TRUE(RunUntil([&] { return model_.calls.load() == 1; }));
    auto count = Run(engine_->AbortSession("default", "main"));
    ASSERT_TRUE(count);
    EXPECT_EQ(*count, 2);
    EXPECT_EQ(WaitRun(first.run_id).run.status, domain::RunStatus::kAborted);
    EXPECT_EQ(WaitRun(second.run_id).run.status, domain::RunStatus::kAborted);
    EXPECT_EQ(model_.calls.load(), 1);
    // The session takes new runs afterwards.
    EXPECT_EQ(Submit(Message("c")).status, Status::kStarted);
}

}  // namespace
}  // namespace gw::engine
