#include "domain/transcript.hpp"

#include <map>
#include <string>

#include <gtest/gtest.h>

#include "domain/idempotency.hpp"
#include "domain/run.hpp"
#include "domain/session.hpp"

namespace gw::domain {
namespace {

TranscriptEntry Entry(Role role, ContentBlock block) {
    TranscriptEntry e;
    e.id = "e1";
    e.transcript_id = "t1";
    e.session_id = "s1";
    e.tenant_id = "default";
    e.role = role;
    e.content.push_back(std::move(block));
    return e;
}

void ExpectInvalid(const TranscriptEntry& e, std::string_view part) {
    auto r = ValidateEntry(e);
    ASSERT_FALSE(r) << "accepted";
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(r.error().message.find(part), std::string::npos) << r.error().message;
}

TEST(TranscriptEntryTest, AcceptsEachRoleWithItsBlocks) {
    EXPECT_TRUE(ValidateEntry(Entry(Role::kUser, TextBlock{"hi"})));
    EXPECT_TRUE(ValidateEntry(Entry(Role::kUser, ImageBlock{"image/png", "iVBO"})));
    auto assistant = Entry(Role::kAssistant, ThinkingBlock{"hmm"});
    assistant.content.push_back(ToolCallBlock{"c1", "read", R"({"path":"a"})"});
    assistant.usage = TokenUsage{10, 3, 0, 0, 13};
    assistant.stop_reason = StopReason::kToolUse;
    EXPECT_TRUE(ValidateEntry(assistant));
    EXPECT_TRUE(ValidateEntry(Entry(Role::kToolResult, ToolResultBlock{"c1", "read", "ok", false})));
    EXPECT_TRUE(ValidateEntry(Entry(Role::kSystem, TextBlock{"[OpenClaw session event]"})));
}

TEST(TranscriptEntryTest, RejectsBlocksThatDoNotBelongToTheRole) {
    ExpectInvalid(Entry(Role::kUser, ToolCallBlock{"c1", "read", "{}"}), "toolCall");
    ExpectInvalid(Entry(Role::kUser, ThinkingBlock{"x"}), "thinking");
    ExpectInvalid(Entry(Role::kAssistant, ToolResultBlock{"c1", "read", "x", false}), "toolResult");
    ExpectInvalid(Entry(Role::kToolResult, TextBlock{"x"}), "toolResult");
    ExpectInvalid(Entry(Role::kAssistant, ToolCallBlock{"", "read", "{}"}), "id and a name");
    ExpectInvalid(Entry(Role::kToolResult, ToolResultBlock{"", "read", "x", false}), "tool_call_id");
    ExpectInvalid(Entry(Role::kUser, ImageBlock{"", "x"}), "mime");
}

TEST(TranscriptEntryTest, RejectsMissingIdsSelfParentsAndBadUsage) {
    auto e = Entry(Role::kUser, TextBlock{"x"});
    e.id.clear();
    ExpectInvalid(e, "without an id");
    e = Entry(Role::kUser, TextBlock{"x"});
    e.transcript_id.clear();
    ExpectInvalid(e, "required");
    e = Entry(Role::kUser, TextBlock{"x"});
    e.parent_id = "e1";
    ExpectInvalid(e, "parent");
    e = Entry(Role::kUser, TextBlock{"x"});
    e.content.clear();
    ExpectInvalid(e, "no content");
    e = Entry(Role::kUser, TextBlock{"x"});
    e.usage = TokenUsage{};
    ExpectInvalid(e, "assistant");
    e = Entry(Role::kAssistant, TextBlock{"x"});
    e.usage = TokenUsage{-1, 0, 0, 0, 0};
    ExpectInvalid(e, "negative");
    e = Entry(Role::kUser, TextBlock{"x"});
    e.idempotency_key = "";
    ExpectInvalid(e, "idempotency");
}

TEST(TranscriptEntryTest, EntryTextJoinsTextBlocksOnly) {
    auto e = Entry(Role::kAssistant, TextBlock{"a"});
    e.content.push_back(ThinkingBlock{"secret"});
    e.content.push_back(TextBlock{"b"});
    EXPECT_EQ(EntryText(e), "a\nb");
}

TEST(EnumNamesTest, RoundTripAndRejectUnknownNames) {
    for (Role r : {Role::kUser, Role::kAssistant, Role::kToolResult, Role::kSystem}) {
        EXPECT_EQ(ParseRole(RoleName(r)), r);
    }
    EXPECT_EQ(RoleName(Role::kToolResult), "toolResult");
    EXPECT_FALSE(ParseRole("tool"));
    for (StopReason s :
         {StopReason::kStop,
          StopReason::kLength,
          StopReason::kToolUse,
          StopReason::kError,
          StopReason::kAborted}) {
        EXPECT_EQ(ParseStopReason(StopReasonName(s)), s);
    }
    EXPECT_EQ(StopReasonName(StopReason::kToolUse), "toolUse");
    EXPECT_FALSE(ParseStopReason("tool_calls"));
    for (RunStatus s :
         {RunStatus::kRunning, RunStatus::kCompleted, RunStatus::kFailed, RunStatus::kAborted}) {
        EXPECT_EQ(ParseRunStatus(RunStatusName(s)), s);
    }
    EXPECT_FALSE(ParseRunStatus("ok"));
}

TEST(TokenUsageTest, AddsFieldByField) {
    TokenUsage u{1, 2, 3, 4, 10};
    u += TokenUsage{10, 20, 30, 40, 100};
    EXPECT_EQ(u, (TokenUsage{11, 22, 33, 44, 110}));
}

TEST(SessionPatchTest, TrimsLabelAndEnforcesLimits) {
    SessionPatch patch;
    patch.label = std::optional<std::string>("  Bug hunt ");
    auto ok = NormalizeSessionPatch(patch);
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_EQ(**ok->label, "Bug hunt");

    patch.label = std::optional<std::string>("   ");
    EXPECT_FALSE(NormalizeSessionPatch(patch));
    patch.label = std::optional<std::string>(std::string(kMaxSessionLabelLength + 1, 'x'));
    EXPECT_FALSE(NormalizeSessionPatch(patch));
    patch.label = std::optional<std::string>();  // clearing is always fine
    EXPECT_TRUE(NormalizeSessionPatch(patch));

    patch.model_override = std::optional<std::string>("openai/gpt\n");
    EXPECT_FALSE(NormalizeSessionPatch(patch));
    patch.model_override.reset();
    std::map<std::string, std::string> meta;
    for (std::size_t i = 0; i <= kMaxMetadataEntries; ++i) {
        meta["k" + std::to_string(i)] = "v";
    }
    patch.metadata = meta;
    EXPECT_FALSE(NormalizeSessionPatch(patch));
    patch.metadata = std::map<std::string, std::string>{{"", "v"}};
    EXPECT_FALSE(NormalizeSessionPatch(patch));
    patch.metadata = std::map<std::string, std::string>{{"chatType", "direct"}};
    EXPECT_TRUE(NormalizeSessionPatch(patch));
    EXPECT_FALSE(patch.Empty());
    EXPECT_TRUE(SessionPatch{}.Empty());
}

TEST(IdempotencyTest, MinimumTtlIsAtLeastFiveMinutes) {
    EXPECT_GE(kMinIdempotencyTtl, std::chrono::minutes(5));
    EXPECT_GE(kDefaultIdempotencyTtl, kMinIdempotencyTtl);
    IdempotencyRecord r;
    EXPECT_FALSE(r.Completed());
    r.result = "{}";
    EXPECT_TRUE(r.Completed());
}

}  // namespace
}  // namespace gw::domain
