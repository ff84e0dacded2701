#pragma once
/// @file
/// @brief Port suite: runs (start with the user message, finish with the reply, fencing, recovery).

#include <vector>

#include "store/session_port_suite_fixture.hpp"

namespace gw::store::port_suite {

using namespace std::chrono_literals;

TEST_P(RunPortTest, StartRunCommitsTheRunWithTheUserMessage) {
    const domain::Session s = Open("default", "agent:main:main", "alice");
    auto start = NewRun(s, "ik-1", "ik-1");
    auto user = Entry(s, "u1", domain::Role::kUser, "ping");
    user.idempotency_key = "ik-1:user";
    start.entries.push_back(user);
    auto started = Run(Transcripts().StartRun(start));
    ASSERT_TRUE(started) << started.error().message;
    EXPECT_TRUE(started->started);
    const domain::Run& run = started->run;
    EXPECT_EQ(run.id, "ik-1");
    EXPECT_EQ(run.status, domain::RunStatus::kRunning);
    EXPECT_EQ(run.started_at_ms, kStartMs);
    EXPECT_FALSE(run.ended_at_ms);
    EXPECT_EQ(run.user_id, "alice");
    EXPECT_EQ(run.transcript_id, s.transcript_id);
    auto got = Run(Transcripts().GetRun("default", "ik-1"));
    ASSERT_TRUE(got);
    EXPECT_EQ(*got, run);
    const auto entries = All("default", s.transcript_id);
    ASSERT_EQ(entries.size(), 1U);
    EXPECT_EQ(entries[0].idempotency_key, "ik-1:user");
    auto session = Run(Sessions().Get("default", Key("agent:main:main")));
    ASSERT_TRUE(session);
    EXPECT_EQ(session->last_run_id, "ik-1");
}

TEST_P(RunPortTest, RepeatedIdempotencyKeyNeverStartsASecondRun) {
    const domain::Session s = Open("default", "agent:main:main");
    auto first = NewRun(s, "r1", "ik-1");
    first.entries.push_back(Entry(s, "u1", domain::Role::kUser, "ping"));
    ASSERT_TRUE(Run(Transcripts().StartRun(first)));
    Advance(1min);
    auto retry = NewRun(s, "r2", "ik-1");
    retry.entries.push_back(Entry(s, "u1-retry", domain::Role::kUser, "ping"));
    auto again = Run(Transcripts().StartRun(retry));
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_FALSE(again->started);
    EXPECT_EQ(again->run.id, "r1");
    EXPECT_EQ(again->run.started_at_ms, kStartMs);
    EXPECT_EQ(All("default", s.transcript_id).size(), 1U);
    auto r2 = Run(Transcripts().GetRun("default", "r2"));
    ASSERT_FALSE(r2);
    EXPECT_EQ(r2.error().code, ErrorCode::kNotFound);

    ASSERT_TRUE(Run(Transcripts().FinishRun({"default", "r1", domain::RunStatus::kCompleted, {}, {}, {}})));
    auto after = Run(Transcripts().StartRun(retry));
    ASSERT_TRUE(after);
    EXPECT_FALSE(after->started);
    EXPECT_EQ(after->run.status, domain::RunStatus::kCompleted);

    CreateTenant("acme");
    const domain::Session theirs = Open("acme", "agent:main:main");
    auto other_tenant = Run(Transcripts().StartRun(NewRun(theirs, "r1", "ik-1")));
    ASSERT_TRUE(other_tenant) << other_tenant.error().message;
    EXPECT_TRUE(other_tenant->started);  // run ids and keys are per tenant
    auto reused_id = Run(Transcripts().StartRun(NewRun(s, "r1", "ik-2")));
    ASSERT_FALSE(reused_id);
    EXPECT_EQ(reused_id.error().code, ErrorCode::kConflict);
}

TEST_P(RunPortTest, FinishRunAppendsTheReplyAndEndsTheRunOnce) {
    const domain::Session s = Open("default", "agent:main:main");
    auto start = NewRun(s, "r1", "ik-1");
    start.entries.push_back(Entry(s, "u1", domain::Role::kUser, "ping"));
    ASSERT_TRUE(Run(Transcripts().StartRun(start)));
    Advance(2s);
    auto reply = Entry(s, "a1", domain::Role::kAssistant, "pong", "u1");
    reply.run_id = "r1";
    reply.usage = domain::TokenUsage{10, 3, 0, 0, 13};
    reply.stop_reason = domain::StopReason::kStop;
    domain::RunFinish finish{
        "default", "r1", domain::RunStatus::kCompleted, domain::StopReason::kStop, {}, {reply}};
    auto finished = Run(Transcripts().FinishRun(finish));
    ASSERT_TRUE(finished) << finished.error().message;
    EXPECT_EQ(finished->status, domain::RunStatus::kCompleted);
    EXPECT_EQ(finished->stop_reason, domain::StopReason::kStop);
    EXPECT_EQ(finished->ended_at_ms, kStartMs + 2000);
    EXPECT_EQ(Ids(All("default", s.transcript_id)), (std::vector<std::string>{"u1", "a1"}));
    auto session = Run(Sessions().Get("default", Key("agent:main:main")));
    ASSERT_TRUE(session);
    EXPECT_EQ(session->usage, (domain::TokenUsage{10, 3, 0, 0, 13}));

    finish.entries = {Entry(s, "a1-dup", domain::Role::kAssistant, "pong again", "a1")};
    auto twice = Run(Transcripts().FinishRun(finish));
    ASSERT_FALSE(twice);
    EXPECT_EQ(twice.error().code, ErrorCode::kConflict);
    EXPECT_EQ(All("default", s.transcript_id).size(), 2U);
    auto not_terminal =
        Run(Transcripts().FinishRun({"default", "r1", domain::RunStatus::kRunning, {}, {}, {}}));
    ASSERT_FALSE(not_terminal);
    EXPECT_EQ(not_terminal.error().code, ErrorCode::kInvalidArgument);
    auto unknown = Run(Transcripts().FinishRun({"default", "nope", domain::RunStatus::kFailed, {}, {}, {}}));
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
}

TEST_P(RunPortTest, EntriesOfARunThatIsNotRunningAreRefused) {
    const domain::Session s = Open("default", "agent:main:main");
    ASSERT_TRUE(Run(Transcripts().StartRun(NewRun(s, "r1", std::nullopt))));
    auto tool = Entry(s, "a1", domain::Role::kAssistant, "calling");
    tool.run_id = "r1";
    Append({tool});  // running: accepted
    ASSERT_TRUE(
        Run(Transcripts().FinishRun({"default", "r1", domain::RunStatus::kAborted, {}, "user abort", {}}))
    );
    auto late = Entry(s, "a2", domain::Role::kAssistant, "too late", "a1");
    late.run_id = "r1";
    auto refused = Run(Transcripts().Append({late}));
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
    auto ghost = Entry(s, "a3", domain::Role::kAssistant, "no such run");
    ghost.run_id = "never-started";
    EXPECT_FALSE(Run(Transcripts().Append({ghost})));
    EXPECT_EQ(All("default", s.transcript_id).size(), 1U);
    auto aborted = Run(Transcripts().GetRun("default", "r1"));
    ASSERT_TRUE(aborted);
    EXPECT_EQ(aborted->status, domain::RunStatus::kAborted);
    EXPECT_EQ(aborted->error, "user abort");
}

TEST_P(RunPortTest, RecoveryMarksRunsLeftRunningAsFailed) {
    const domain::Session s = Open("default", "agent:main:main");
    ASSERT_TRUE(Run(Transcripts().StartRun(NewRun(s, "done", std::nullopt))));
    ASSERT_TRUE(Run(Transcripts().FinishRun({"default", "done", domain::RunStatus::kCompleted, {}, {}, {}})));
    ASSERT_TRUE(Run(Transcripts().StartRun(NewRun(s, "left-1", std::nullopt))));
    CreateTenant("acme");
    const domain::Session theirs = Open("acme", "agent:main:main");
    ASSERT_TRUE(Run(Transcripts().StartRun(NewRun(theirs, "left-2", std::nullopt))));
    Advance(30s);

    auto recovered = Run(Transcripts().RecoverInterruptedRuns());
    ASSERT_TRUE(recovered) << recovered.error().message;
    EXPECT_EQ(*recovered, 2);
    for (const auto& [tenant, id] : {std::pair{"default", "left-1"}, std::pair{"acme", "left-2"}}) {
        auto run = Run(Transcripts().GetRun(tenant, id));
        ASSERT_TRUE(run);
        EXPECT_EQ(run->status, domain::RunStatus::kFailed);
        EXPECT_EQ(run->error, std::string(domain::kRunInterruptedError));
        EXPECT_EQ(run->ended_at_ms, kStartMs + 30'000);
    }
    auto done = Run(Transcripts().GetRun("default", "done"));
    ASSERT_TRUE(done);
    EXPECT_EQ(done->status, domain::RunStatus::kCompleted);
    EXPECT_EQ(done->ended_at_ms, kStartMs);
    auto late_finish =
        Run(Transcripts().FinishRun({"default", "left-1", domain::RunStatus::kCompleted, {}, {}, {}}));
    ASSERT_FALSE(late_finish);
    EXPECT_EQ(late_finish.error().code, ErrorCode::kConflict);
    auto again = Run(Transcripts().RecoverInterruptedRuns());
    ASSERT_TRUE(again);
    EXPECT_EQ(*again, 0);
    ASSERT_TRUE(Run(Sessions().Delete("default", Key("agent:main:main"))));  // nothing running any more
}

TEST_P(RunPortTest, DeleteRefusesWhileARunIsRunning) {
    const domain::Session s = Open("default", "agent:main:main");
    ASSERT_TRUE(Run(Transcripts().StartRun(NewRun(s, "r1", std::nullopt))));
    auto refused = Run(Sessions().Delete("default", Key("agent:main:main")));
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
    ASSERT_TRUE(Run(Transcripts().FinishRun({"default", "r1", domain::RunStatus::kAborted, {}, {}, {}})));
    EXPECT_TRUE(Run(Sessions().Delete("default", Key("agent:main:main"))));
}

}  // namespace gw::store::port_suite
