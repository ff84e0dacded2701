#pragma once
/// @file
/// @brief Port suite: session reset and delete, seen through their transcripts and runs.

#include <vector>

#include "store/session_port_suite_fixture.hpp"

namespace gw::store::port_suite {

using namespace std::chrono_literals;
using domain::Role;

TEST_P(SessionPortTest, ResetStartsAnEmptyTranscriptAndKeepsTheOldOne) {
    const domain::Session before = Open("default", "agent:main:main");
    auto reply = Entry(before, "a1", Role::kAssistant, "hello", "u1");
    reply.usage = domain::TokenUsage{5, 5, 0, 0, 10};
    Append({Entry(before, "u1", Role::kUser, "hi"), reply});
    Advance(1h);
    auto reset = Run(Sessions().Reset("default", Key("agent:main:main")));
    ASSERT_TRUE(reset) << reset.error().message;
    EXPECT_EQ(reset->id, before.id);
    EXPECT_NE(reset->transcript_id, before.transcript_id);
    EXPECT_EQ(reset->transcript_started_at_ms, kStartMs + 3'600'000);
    EXPECT_EQ(reset->created_at_ms, before.created_at_ms);
    EXPECT_EQ(reset->usage, domain::TokenUsage{});
    EXPECT_TRUE(All("default", reset->transcript_id).empty());
    EXPECT_EQ(Ids(All("default", before.transcript_id)), (std::vector<std::string>{"u1", "a1"}));
    EXPECT_TRUE(Run(Transcripts().GetEntry("default", "a1")));

    // A late write to the old transcript is kept there and does not count toward the new usage.
    auto late = Entry(before, "a2", Role::kAssistant, "late", "a1");
    late.usage = domain::TokenUsage{1, 1, 0, 0, 2};
    Append({late});
    auto fresh = Entry(*reset, "n1", Role::kUser, "new topic");
    EXPECT_EQ(Append({fresh})[0].seq, 1);
    auto now = Run(Sessions().Get("default", Key("agent:main:main")));
    ASSERT_TRUE(now);
    EXPECT_EQ(now->usage, domain::TokenUsage{});
    EXPECT_EQ(now->transcript_id, reset->transcript_id);
}

TEST_P(SessionPortTest, DeleteRemovesTheSessionWithItsTranscriptsEntriesAndRuns) {
    const domain::Session s = Open("default", "agent:main:main");
    Append({Entry(s, "u1", Role::kUser, "hi")});
    auto run = Run(Transcripts().StartRun(NewRun(s, "r1", "ik-1")));
    ASSERT_TRUE(run);
    ASSERT_TRUE(Run(Transcripts().FinishRun({"default", "r1", domain::RunStatus::kCompleted, {}, {}, {}})));
    auto reset = Run(Sessions().Reset("default", Key("agent:main:main")));
    ASSERT_TRUE(reset);
    Append({Entry(*reset, "u2", Role::kUser, "hi again")});

    ASSERT_TRUE(Run(Sessions().Delete("default", Key("agent:main:main"))));
    auto gone = Run(Sessions().Get("default", Key("agent:main:main")));
    ASSERT_FALSE(gone);
    EXPECT_EQ(gone.error().code, ErrorCode::kNotFound);
    for (const char* id : {"u1", "u2"}) {
        auto entry = Run(Transcripts().GetEntry("default", id));
        ASSERT_FALSE(entry);
        EXPECT_EQ(entry.error().code, ErrorCode::kNotFound);
    }
    EXPECT_TRUE(All("default", s.transcript_id).empty());
    EXPECT_TRUE(All("default", reset->transcript_id).empty());
    auto old_run = Run(Transcripts().GetRun("default", "r1"));
    ASSERT_FALSE(old_run);
    EXPECT_EQ(old_run.error().code, ErrorCode::kNotFound);

    const domain::Session again = Open("default", "agent:main:main");
    EXPECT_NE(again.id, s.id);
    EXPECT_TRUE(All("default", again.transcript_id).empty());
    EXPECT_TRUE(Append({Entry(again, "u1", Role::kUser, "the id is free again")}).size() == 1);
}

}  // namespace gw::store::port_suite
