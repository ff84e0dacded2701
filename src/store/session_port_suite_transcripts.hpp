#pragma once
/// @file
/// @brief Port suite: transcript entries, reset and delete (included by session_port_suite.hpp).

#include <vector>

#include "store/session_port_suite_fixture.hpp"

namespace gw::store::port_suite {

using namespace std::chrono_literals;
using domain::Role;

TEST_P(TranscriptPortTest, AppendAssignsSeqAndHistoryKeepsOrderAndParents) {
    const domain::Session s = Open("default", "agent:main:main", "alice");
    auto first = Entry(s, "u1", Role::kUser, "ping");
    first.created_at_ms = 1234;
    auto stored = Append(
        {first, Entry(s, "a1", Role::kAssistant, "pong", "u1"), Entry(s, "u2", Role::kUser, "again", "a1")}
    );
    EXPECT_EQ(Seqs(stored), (std::vector<std::int64_t>{1, 2, 3}));
    EXPECT_EQ(stored[0].created_at_ms, 1234);
    EXPECT_EQ(stored[1].created_at_ms, kStartMs);
    EXPECT_EQ(stored[1].user_id, "alice");  // defaults to the session owner
    Advance(1s);
    Append({Entry(s, "a2", Role::kAssistant, "pong again", "u2")});
    const auto all = All("default", s.transcript_id);
    EXPECT_EQ(Ids(all), (std::vector<std::string>{"u1", "a1", "u2", "a2"}));
    EXPECT_EQ(Seqs(all), (std::vector<std::int64_t>{1, 2, 3, 4}));
    EXPECT_FALSE(all[0].parent_id);
    EXPECT_EQ(all[1].parent_id, "u1");
    EXPECT_EQ(all[3].parent_id, "u2");
    EXPECT_EQ(all[0], stored[0]);
    auto session = Run(Sessions().Get("default", Key("agent:main:main")));
    ASSERT_TRUE(session);
    EXPECT_EQ(session->last_activity_ms, kStartMs + 1000);
}

TEST_P(TranscriptPortTest, HistoryPagesBackwardsWithBeforeSeq) {
    const domain::Session s = Open("default", "agent:main:main");
    std::vector<domain::TranscriptEntry> batch;
    for (int i = 1; i <= 7; ++i) {
        batch.push_back(Entry(s, "e" + std::to_string(i), Role::kUser, "m" + std::to_string(i)));
    }
    Append(batch);
    domain::HistoryQuery q{"default", s.transcript_id, 3, std::nullopt};
    std::vector<std::vector<std::int64_t>> pages;
    for (int guard = 0; guard < 5; ++guard) {
        auto page = Run(Transcripts().History(q));
        ASSERT_TRUE(page) << page.error().message;
        EXPECT_EQ(page->total_entries, 7);
        pages.push_back(Seqs(page->entries));
        if (!page->next_before_seq) {
            break;
        }
        q.before_seq = page->next_before_seq;
    }
    EXPECT_EQ(pages, (std::vector<std::vector<std::int64_t>>{{5, 6, 7}, {2, 3, 4}, {1}}));
    auto unknown = Run(Transcripts().History({"default", "no-such-transcript", 10, std::nullopt}));
    ASSERT_TRUE(unknown);
    EXPECT_TRUE(unknown->entries.empty());
    EXPECT_EQ(unknown->total_entries, 0);
}

TEST_P(TranscriptPortTest, EveryBlockKindAndFieldRoundTrips) {
    const domain::Session s = Open("default", "agent:main:main");
    auto assistant = Entry(s, "a1", Role::kAssistant, "Let me look.");
    assistant.content.emplace_back(domain::ThinkingBlock{"user wants a file"});
    assistant.content.emplace_back(domain::ToolCallBlock{
        "call_1", "read", R"({"path":"a.txt","lines":[1,2]})"});
    assistant.content.emplace_back(domain::ToolCallBlock{"call_2", "exec", R"({"cmd": "ls", broken)"});
    assistant.provider = "openai";
    assistant.model = "gpt-5.4";
    assistant.usage = domain::TokenUsage{10, 3, 2, 1, 16};
    assistant.stop_reason = domain::StopReason::kToolUse;
    auto result = Entry(s, "t1", Role::kToolResult, "");
    result.content = {domain::ToolResultBlock{"call_1", "read", "line one\nline two", false}};
    result.parent_id = "a1";
    auto image = Entry(s, "u2", Role::kUser, "what is this? ✓ ünïcode");
    image.content.emplace_back(domain::ImageBlock{"image/png", "iVBORw0KGgo="});
    image.idempotency_key = "ik-1:user";
    image.parent_id = "t1";
    auto failed = Entry(s, "a2", Role::kAssistant, "");
    failed.content = {domain::TextBlock{""}};
    failed.stop_reason = domain::StopReason::kError;
    failed.error_message = "upstream 500";
    failed.parent_id = "u2";
    const auto stored = Append({assistant, result, image, failed});
    ASSERT_EQ(stored.size(), 4U);
    for (const auto& e : stored) {
        auto got = Run(Transcripts().GetEntry("default", e.id));
        ASSERT_TRUE(got) << got.error().message;
        EXPECT_EQ(*got, e) << e.id;
    }
    const auto* args = std::get_if<domain::ToolCallBlock>(&stored[0].content[2]);
    ASSERT_NE(args, nullptr);
    EXPECT_EQ(args->arguments_json, R"({"path":"a.txt","lines":[1,2]})");
    const auto* broken = std::get_if<domain::ToolCallBlock>(&stored[0].content[3]);
    ASSERT_NE(broken, nullptr);
    EXPECT_EQ(broken->arguments_json, R"({"cmd": "ls", broken)");
    auto session = Run(Sessions().Get("default", Key("agent:main:main")));
    ASSERT_TRUE(session);
    EXPECT_EQ(session->usage, (domain::TokenUsage{10, 3, 2, 1, 16}));
}

TEST_P(TranscriptPortTest, FailingEntryLeavesNoneOfItsBatch) {
    const domain::Session s = Open("default", "agent:main:main");
    auto keyed = Entry(s, "u1", Role::kUser, "first");
    keyed.idempotency_key = "ik-1:user";
    Append({keyed});

    auto duplicate_key = Entry(s, "u3", Role::kUser, "dup");
    duplicate_key.idempotency_key = "ik-1:user";
    auto dup = Run(Transcripts().Append({Entry(s, "u2", Role::kUser, "ok", "u1"), duplicate_key}));
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().code, ErrorCode::kConflict);

    auto dangling =
        Run(Transcripts().Append({Entry(s, "u4", Role::kUser, "ok"), Entry(s, "u5", Role::kUser, "x", "nope")}
        ));
    ASSERT_FALSE(dangling);
    EXPECT_EQ(dangling.error().code, ErrorCode::kInvalidArgument);

    auto same_id =
        Run(Transcripts().Append({Entry(s, "u6", Role::kUser, "ok"), Entry(s, "u1", Role::kUser, "again")}));
    ASSERT_FALSE(same_id);
    EXPECT_EQ(same_id.error().code, ErrorCode::kConflict);

    auto invalid =
        Run(Transcripts().Append({Entry(s, "u7", Role::kUser, "ok"), Entry(s, "", Role::kUser, "no id")}));
    ASSERT_FALSE(invalid);
    EXPECT_EQ(invalid.error().code, ErrorCode::kInvalidArgument);

    for (const char* id : {"u2", "u3", "u4", "u5", "u6", "u7"}) {
        auto got = Run(Transcripts().GetEntry("default", id));
        ASSERT_FALSE(got) << id << " was written";
        EXPECT_EQ(got.error().code, ErrorCode::kNotFound);
    }
    const auto next = Append({Entry(s, "u8", Role::kUser, "next", "u1")});
    EXPECT_EQ(next[0].seq, 2);  // the failed batches reserved nothing
    auto page = Run(Transcripts().History({"default", s.transcript_id, 10, std::nullopt}));
    ASSERT_TRUE(page);
    EXPECT_EQ(page->total_entries, 2);
}

TEST_P(TranscriptPortTest, AppendChecksTheTranscriptSessionAndTenant) {
    CreateTenant("acme");
    const domain::Session s = Open("default", "agent:main:main");
    const domain::Session other = Open("default", "agent:main:other");
    auto foreign = Entry(s, "x1", Role::kUser, "hi");
    foreign.tenant_id = "acme";
    auto wrong_tenant = Run(Transcripts().Append({foreign}));
    ASSERT_FALSE(wrong_tenant);
    EXPECT_EQ(wrong_tenant.error().code, ErrorCode::kNotFound);
    auto crossed = Entry(s, "x2", Role::kUser, "hi");
    crossed.transcript_id = other.transcript_id;
    auto wrong_session = Run(Transcripts().Append({crossed}));
    ASSERT_FALSE(wrong_session);
    EXPECT_EQ(wrong_session.error().code, ErrorCode::kNotFound);
    auto mixed =
        Run(Transcripts().Append({Entry(s, "x3", Role::kUser, "a"), Entry(other, "x4", Role::kUser, "b")}));
    ASSERT_FALSE(mixed);
    EXPECT_EQ(mixed.error().code, ErrorCode::kInvalidArgument);
    auto empty = Run(Transcripts().Append({}));
    ASSERT_FALSE(empty);
    EXPECT_EQ(empty.error().code, ErrorCode::kInvalidArgument);
    Append({Entry(s, "mine", Role::kUser, "hi")});
    auto elsewhere = Run(Transcripts().GetEntry("acme", "mine"));
    ASSERT_FALSE(elsewhere);
    EXPECT_EQ(elsewhere.error().code, ErrorCode::kNotFound);
    auto history = Run(Transcripts().History({"acme", s.transcript_id, 10, std::nullopt}));
    ASSERT_TRUE(history);
    EXPECT_TRUE(history->entries.empty());
}

TEST_P(TranscriptPortTest, BranchFollowsParentLinksFromTheLeaf) {
    const domain::Session s = Open("default", "agent:main:main");
    Append({
        Entry(s, "u1", Role::kUser, "q1"),
        Entry(s, "a1", Role::kAssistant, "r1", "u1"),
        Entry(s, "u2", Role::kUser, "q2", "a1"),
        Entry(s, "a2", Role::kAssistant, "r2", "u2"),
        Entry(s, "u2b", Role::kUser, "q2 edited", "a1"),
        Entry(s, "a2b", Role::kAssistant, "r2b", "u2b"),
    });
    auto branch = [&](const std::string& leaf, std::size_t limit) {
        auto r = Run(Transcripts().Branch("default", leaf, limit));
        EXPECT_TRUE(r) << (r ? "" : r.error().message);
        return r ? Ids(*r) : std::vector<std::string>{};
    };
    EXPECT_EQ(branch("a2", 100), (std::vector<std::string>{"u1", "a1", "u2", "a2"}));
    EXPECT_EQ(branch("a2b", 100), (std::vector<std::string>{"u1", "a1", "u2b", "a2b"}));
    EXPECT_EQ(branch("a2b", 2), (std::vector<std::string>{"u2b", "a2b"}));
    EXPECT_EQ(branch("u1", 100), (std::vector<std::string>{"u1"}));
    auto unknown = Run(Transcripts().Branch("default", "nope", 10));
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
    CreateTenant("acme");
    auto foreign = Run(Transcripts().Branch("acme", "a2", 10));
    ASSERT_FALSE(foreign);
    EXPECT_EQ(foreign.error().code, ErrorCode::kNotFound);
}

}  // namespace gw::store::port_suite
