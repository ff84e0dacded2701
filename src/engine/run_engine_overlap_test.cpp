// The first run of a new session starts its model call while StartRun commits (issue #3 performance):
// the prompt comes from the committed entries, the answer waits for the commit, a failed commit fails
// Submit and ends the run without writing.
#include <atomic>

#include <gtest/gtest.h>

#include "engine/engine_test_support.hpp"
#include "engine/run_engine.hpp"

namespace gw::engine {
namespace {

using testing::EngineTest;
using testing::MessageTexts;
using testing::Text;
using namespace std::chrono_literals;
namespace asio = boost::asio;

/// Forwards to the SQLite repository; StartRun fails while `fail_start` is set.
class FailingStartRun final : public domain::TranscriptRepository {
public:
    explicit FailingStartRun(domain::TranscriptRepository& inner) : inner_(inner) {}

    std::atomic<bool> fail_start{false};
    std::atomic<int> start_calls{0};

    asio::awaitable<Result<std::vector<domain::TranscriptEntry>>> Append(
        std::vector<domain::TranscriptEntry> entries
    ) override {
        co_return co_await inner_.Append(std::move(entries));
    }

    asio::awaitable<Result<domain::HistoryPage>> History(domain::HistoryQuery query) override {
        co_return co_await inner_.History(std::move(query));
    }

    asio::awaitable<Result<std::vector<domain::TranscriptEntry>>> Branch(
        std::string tenant_id, std::string leaf_entry_id, std::size_t limit
    ) override {
        co_return co_await inner_.Branch(std::move(tenant_id), std::move(leaf_entry_id), limit);
    }

    asio::awaitable<Result<domain::TranscriptEntry>> GetEntry(std::string tenant_id, std::string entry_id)
        override {
        co_return co_await inner_.GetEntry(std::move(tenant_id), std::move(entry_id));
    }

    asio::awaitable<Result<domain::StartRunResult>> StartRun(domain::RunStart start) override {
        ++start_calls;
        if (fail_start) {
            co_return MakeError(ErrorCode::kUnavailable, "disk on fire");
        }
        co_return co_await inner_.StartRun(std::move(start));
    }

    asio::awaitable<Result<domain::Run>> FinishRun(domain::RunFinish finish) override {
        co_return co_await inner_.FinishRun(std::move(finish));
    }

    asio::awaitable<Result<domain::Run>> GetRun(std::string tenant_id, std::string run_id) override {
        co_return co_await inner_.GetRun(std::move(tenant_id), std::move(run_id));
    }

    asio::awaitable<Result<int>> RecoverInterruptedRuns() override {
        co_return co_await inner_.RecoverInterruptedRuns();
    }

private:
    domain::TranscriptRepository& inner_;
};

class RunEngineOverlapTest : public EngineTest {
protected:
    void MakeFailingEngine() {
        failing_ = std::make_unique<FailingStartRun>(*transcripts_);
        RunEngineDeps deps{
            ioc_, *sessions_, *failing_, *idempotency_, model_, tools_, registry_, &gateway_metrics_};
        auto engine = RunEngine::Create(std::move(deps), agents_);
        ASSERT_TRUE(engine) << engine.error().message;
        engine_ = std::move(*engine);
    }

    std::unique_ptr<FailingStartRun> failing_;
};

TEST_F(RunEngineOverlapTest, NewSessionPromptIsTheCommittedHistoryAndMessage) {
    MakeEngine();
    model_.Script({Text("fine")});
    SendRequest request = Message("and now?", "fresh-1");
    domain::TranscriptEntry earlier;
    earlier.role = domain::Role::kUser;
    earlier.content.emplace_back(domain::TextBlock{"earlier question"});
    request.history.push_back(earlier);
    domain::TranscriptEntry answer;
    answer.role = domain::Role::kAssistant;
    answer.content.emplace_back(domain::TextBlock{"earlier answer"});
    request.history.push_back(answer);
    auto ack = Submit(std::move(request));
    auto outcome = WaitRun(ack.run_id);
    EXPECT_EQ(outcome.run.status, domain::RunStatus::kCompleted);
    auto requests = model_.Requests();
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_EQ(
        MessageTexts(requests[0]),
        (std::vector<std::string>{"user:earlier question", "assistant:earlier answer", "user:and now?"})
    );
    // Everything was committed, the reply chained after the message.
    auto entries = Transcript("agent:main:fresh-1");
    ASSERT_EQ(
        Texts(entries),
        (std::vector<std::string>{
            "user:earlier question", "assistant:earlier answer", "user:and now?", "assistant:fine"})
    );
    for (std::size_t i = 1; i < entries.size(); ++i) {
        EXPECT_EQ(entries[i].parent_id, entries[i - 1].id) << i;
    }
    auto run = Run(transcripts_->GetRun(std::string(domain::kDefaultTenantId), ack.run_id));
    ASSERT_TRUE(run);
    EXPECT_EQ(run->status, domain::RunStatus::kCompleted);
}

TEST_F(RunEngineOverlapTest, FailedCommitFailsSubmitAndEndsTheRunWithoutWriting) {
    MakeFailingEngine();
    failing_->fail_start = true;
    model_.Script({Text("never shown"), Text("second answer")});
    auto refused = Run(engine_->Submit(Message("lost", "fresh-2")));
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(failing_->start_calls, 1);
    ASSERT_TRUE(RunUntil([&] { return engine_->ActiveRuns() == 0; }));
    EXPECT_TRUE(Transcript("agent:main:fresh-2").empty());

    // The session is free again: the next message runs on its own.
    failing_->fail_start = false;
    auto ack = Submit(Message("again", "fresh-2"));
    EXPECT_EQ(ack.status, SubmitAck::Status::kStarted);
    auto outcome = WaitRun(ack.run_id);
    EXPECT_EQ(outcome.run.status, domain::RunStatus::kCompleted);
    EXPECT_EQ(Texts(Transcript("agent:main:fresh-2")).front(), "user:again");
    auto requests = model_.Requests();
    ASSERT_FALSE(requests.empty());
    EXPECT_EQ(MessageTexts(requests.back()), (std::vector<std::string>{"user:again"}));
}

}  // namespace
}  // namespace gw::engine
