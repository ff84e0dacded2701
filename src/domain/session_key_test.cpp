#include "domain/session_key.hpp"

#include <set>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace gw::domain {
namespace {

std::string Stored(std::string_view key) {
    auto parsed = ParseSessionKey(key);
    EXPECT_TRUE(parsed) << key << ": " << (parsed ? "" : parsed.error().message);
    return parsed ? parsed->ToString() : std::string();
}

std::string Resolved(
    std::string_view request, std::string_view agent = "main", std::string_view main = "main"
) {
    auto key = ResolveSessionKey(request, agent, main);
    EXPECT_TRUE(key) << request << ": " << (key ? "" : key.error().message);
    return key ? key->ToString() : std::string();
}

void ExpectRejected(std::string_view key, std::string_view message_part) {
    auto parsed = ParseSessionKey(key);
    ASSERT_FALSE(parsed) << "accepted: " << key;
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(parsed.error().message.find(message_part), std::string::npos) << parsed.error().message;
}

TEST(SessionKeyTest, ParseSplitsAgentAndRest) {
    auto key = ParseSessionKey("agent:ops:telegram:group:-100123:topic:7");
    ASSERT_TRUE(key) << key.error().message;
    EXPECT_EQ(key->AgentId(), "ops");
    EXPECT_EQ(key->Rest(), "telegram:group:-100123:topic:7");
    EXPECT_EQ(key->ToString(), "agent:ops:telegram:group:-100123:topic:7");
}

TEST(SessionKeyTest, StoredFormRoundTripsThroughParse) {
    const std::vector<std::string> keys = {
        "agent:main:main",
        "agent:main:openai:8a26059f-1b7e-4a51-9f0e-3f2d0c9b7a11",
        "agent:main:openai-user:alice@example.com",
        "agent:main:openresponses:5e0c",
        "agent:beta:hook:1f0e",
        "agent:main:slack:channel:c0123:thread:1700000000.000100",
        "agent:main:telegram:default:direct:42",
        "agent:main:signal:group:AbCdE=",
        "agent:main:matrix:channel:!RoomAbC:example.org:thread:$EvT",
        "agent:main:openai-user:jörg",
    };
    for (const std::string& key : keys) {
        auto once = ParseSessionKey(key);
        ASSERT_TRUE(once) << key << ": " << once.error().message;
        EXPECT_EQ(once->ToString(), key);
        auto twice = ParseSessionKey(once->ToString());
        ASSERT_TRUE(twice);
        EXPECT_EQ(*twice, *once);
    }
}

TEST(SessionKeyTest, NormalisesCaseWhitespaceAndEmptySegments) {
    EXPECT_EQ(Stored("  Agent:Main:Telegram:Direct:ABC  "), "agent:main:telegram:direct:abc");
    EXPECT_EQ(Stored("agent:main::openai:::X"), "agent:main:openai:x");
    EXPECT_EQ(Stored("agent:main:Slack:Channel:C0ABC"), "agent:main:slack:channel:c0abc");
}

TEST(SessionKeyTest, KeepsCaseOfOpaqueSignalAndMatrixPeerIds) {
    EXPECT_EQ(Stored("AGENT:Main:SIGNAL:GROUP:AbC+d/E="), "agent:main:signal:group:AbC+d/E=");
    EXPECT_EQ(Stored("agent:main:signal:group:AbC:Thread:X"), "agent:main:signal:group:AbC:thread:x");
    EXPECT_EQ(
        Stored("agent:main:Matrix:Group:!Room:Example.ORG:THREAD:$Ev"),
        "agent:main:matrix:group:!Room:Example.ORG:thread:$Ev"
    );
    EXPECT_EQ(Stored("agent:main:matrix:direct:@Bob:srv"), "agent:main:matrix:direct:@bob:srv");
    EXPECT_EQ(NormalizeSessionKeyCase("matrix:channel:!AbC"), "matrix:channel:!AbC");
    EXPECT_EQ(NormalizeSessionKeyCase("x:Signal:Group:Q "), "x:signal:group:Q");
}

TEST(SessionKeyTest, RejectsMalformedKeysWithClearErrors) {
    ExpectRejected("", "empty");
    ExpectRejected("   ", "empty");
    ExpectRejected("main", "agent-scoped");
    ExpectRejected("hook:abc", "agent-scoped");
    ExpectRejected("agent:main", "malformed");
    ExpectRejected("agent::main", "malformed");
    ExpectRejected("agent:Bad Agent!:main", "agent id");
    ExpectRejected("agent:-x:main", "agent id");
    ExpectRejected(std::string("agent:main:a\x01", 13), "control character");
    ExpectRejected("agent:main:a\tb", "control character");
    ExpectRejected("agent:main:\xff", "UTF-8");
    ExpectRejected("agent:main:\xc3", "UTF-8");
    ExpectRejected("agent:main:\xed\xa0\x80", "UTF-8");  // a UTF-16 surrogate
    ExpectRejected("agent:main:" + std::string(kMaxSessionKeyLength, 'x'), "longer than");
    ExpectRejected("agent:" + std::string(kMaxAgentIdLength + 1, 'a') + ":main", "agent id");
}

TEST(SessionKeyTest, ResolveScopesRequestKeysUnderTheAgent) {
    EXPECT_EQ(Resolved(""), "agent:main:main");
    EXPECT_EQ(Resolved("main"), "agent:main:main");
    EXPECT_EQ(Resolved(" MAIN "), "agent:main:main");
    EXPECT_EQ(Resolved("main", "Ops"), "agent:ops:main");
    EXPECT_EQ(Resolved("main", "ops", "Home"), "agent:ops:home");
    EXPECT_EQ(Resolved("", "My Agent!"), "agent:my-agent:main");
    EXPECT_EQ(Resolved("hook:ABC", "ops"), "agent:ops:hook:abc");
    EXPECT_EQ(Resolved("linkedin-invitations"), "agent:main:linkedin-invitations");
    EXPECT_EQ(Resolved("agent:beta:dashboard:7", "ops"), "agent:beta:dashboard:7");
}

TEST(SessionKeyTest, ResolveEnforcesTheRequestLengthLimit) {
    EXPECT_TRUE(ResolveSessionKey(std::string(kMaxRequestSessionKeyLength, 'k')));
    auto too_long = ResolveSessionKey(std::string(kMaxRequestSessionKeyLength + 1, 'k'));
    ASSERT_FALSE(too_long);
    EXPECT_NE(too_long.error().message.find("512"), std::string::npos);
    auto malformed = ResolveSessionKey("agent:ops");
    ASSERT_FALSE(malformed);
    EXPECT_NE(malformed.error().message.find("malformed"), std::string::npos);
    EXPECT_FALSE(ResolveSessionKey("a\nb"));
}

TEST(SessionKeyTest, HttpRefusesReservedPrefixes) {
    for (std::string_view key :
         {"subagent:1",
          "CRON:job",
          " acp:x",
          "agent:main:cron:job:run:1",
          "agent:ops:SUBAGENT:2",
          "agent:main:acp:z"}) {
        auto refused = CheckHttpSessionKey(key);
        ASSERT_FALSE(refused) << key;
        EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
        EXPECT_NE(refused.error().message.find("reserved"), std::string::npos);
    }
    for (std::string_view key :
         {"", "main", "hook:1", "cronjob:1", "my-cron", "agent:main:main", "agent:main:openai-user:cron"}) {
        EXPECT_TRUE(CheckHttpSessionKey(key)) << key;
    }
}

TEST(SessionKeyTest, ClassifiesEveryDocumentedShape) {
    const std::vector<std::pair<std::string, SessionKind>> cases = {
        {"agent:main:main", SessionKind::kMain},
        {"agent:main:direct:42", SessionKind::kDirect},
        {"agent:main:telegram:direct:42", SessionKind::kDirect},
        {"agent:main:telegram:default:direct:42", SessionKind::kDirect},
        {"agent:main:whatsapp:dm:+15550001", SessionKind::kDirect},
        {"agent:main:telegram:group:-1001:topic:3", SessionKind::kGroup},
        {"agent:main:discord:channel:123", SessionKind::kChannel},
        {"agent:main:matrix:room:!r:srv", SessionKind::kChannel},
        {"agent:main:openai:u1", SessionKind::kOpenAi},
        {"agent:main:openai-user:bob", SessionKind::kOpenAiUser},
        {"agent:main:openresponses:u2", SessionKind::kOpenResponses},
        {"agent:main:hook:u3", SessionKind::kHook},
        {"agent:main:cron:job:run:1", SessionKind::kCron},
        {"agent:main:subagent:u4", SessionKind::kSubagent},
        {"agent:main:acp:u5", SessionKind::kAcp},
        {"agent:main:dashboard:u6", SessionKind::kDashboard},
        {"agent:main:pipeline-dashboard", SessionKind::kOther},
        {"agent:main:home", SessionKind::kOther},
    };
    for (const auto& [text, kind] : cases) {
        auto key = ParseSessionKey(text);
        ASSERT_TRUE(key) << text;
        EXPECT_EQ(ClassifySessionKey(*key), kind)
            << text << " -> " << SessionKindName(ClassifySessionKey(*key));
    }
    auto home = ParseSessionKey("agent:main:home");
    ASSERT_TRUE(home);
    EXPECT_EQ(ClassifySessionKey(*home, "Home"), SessionKind::kMain);
    EXPECT_TRUE(IsReservedSessionKind(SessionKind::kCron));
    EXPECT_FALSE(IsReservedSessionKind(SessionKind::kHook));
}

TEST(SessionKeyTest, KindNamesAreDistinct) {
    std::set<std::string_view> names;
    for (int k = 0; k <= static_cast<int>(SessionKind::kOther); ++k) {
        names.insert(SessionKindName(static_cast<SessionKind>(k)));
    }
    EXPECT_EQ(names.size(), static_cast<std::size_t>(SessionKind::kOther) + 1);
}

TEST(SessionKeyTest, HttpBuildersProduceOpenClawKeys) {
    auto openai = OpenAiSessionKey("main", "8A26059F-0000");
    ASSERT_TRUE(openai);
    EXPECT_EQ(openai->ToString(), "agent:main:openai:8a26059f-0000");
    auto user = OpenAiUserSessionKey("Ops", " Alice ");
    ASSERT_TRUE(user);
    EXPECT_EQ(user->ToString(), "agent:ops:openai-user:alice");
    auto responses = OpenResponsesSessionKey("main", "r1");
    ASSERT_TRUE(responses);
    EXPECT_EQ(responses->ToString(), "agent:main:openresponses:r1");
    auto hook = HookSessionKey("main", "h1");
    ASSERT_TRUE(hook);
    EXPECT_EQ(hook->ToString(), "agent:main:hook:h1");
    EXPECT_FALSE(OpenAiUserSessionKey("main", "  "));
    auto main = MainSessionKey("", "");
    ASSERT_TRUE(main);
    EXPECT_EQ(main->ToString(), "agent:main:main");
}

TEST(SessionKeyTest, PeerKeysFollowTheDmScope) {
    PeerRoute route{.agent_id = "main", .channel = "Telegram", .account_id = "", .peer_id = "User42"};
    auto key = [&] {
        auto k = PeerSessionKey(route);
        EXPECT_TRUE(k) << (k ? "" : k.error().message);
        return k ? k->ToString() : std::string();
    };
    EXPECT_EQ(key(), "agent:main:main");
    route.dm_scope = DmScope::kPerPeer;
    EXPECT_EQ(key(), "agent:main:direct:user42");
    route.dm_scope = DmScope::kPerChannelPeer;
    EXPECT_EQ(key(), "agent:main:telegram:direct:user42");
    route.dm_scope = DmScope::kPerAccountChannelPeer;
    EXPECT_EQ(key(), "agent:main:telegram:default:direct:user42");
    route.account_id = "Work Bot";
    EXPECT_EQ(key(), "agent:main:telegram:work-bot:direct:user42");
    route.peer_id = " ";
    EXPECT_EQ(key(), "agent:main:main");
    route.peer_kind = PeerKind::kGroup;
    route.peer_id = "-100";
    EXPECT_EQ(key(), "agent:main:telegram:group:-100");
    route.peer_kind = PeerKind::kChannel;
    route.channel = "";
    route.peer_id = "";
    EXPECT_EQ(key(), "agent:main:unknown:channel:unknown");
}

TEST(SessionKeyTest, ThreadSuffixIsAppendedAndNormalised) {
    auto base = ParseSessionKey("agent:main:slack:channel:c1");
    ASSERT_TRUE(base);
    auto thread = WithThread(*base, "1700.01AB");
    ASSERT_TRUE(thread);
    EXPECT_EQ(thread->ToString(), "agent:main:slack:channel:c1:thread:1700.01ab");
    auto same = WithThread(*base, "  ");
    ASSERT_TRUE(same);
    EXPECT_EQ(*same, *base);
    auto matrix = ParseSessionKey("agent:main:matrix:channel:!R:srv");
    ASSERT_TRUE(matrix);
    auto event = WithThread(*matrix, "$EvT");
    ASSERT_TRUE(event);
    EXPECT_EQ(event->ToString(), "agent:main:matrix:channel:!R:srv:thread:$EvT");
}

TEST(AgentIdTest, NormalisesLikeOpenClaw) {
    EXPECT_EQ(NormalizeAgentId(""), "main");
    EXPECT_EQ(NormalizeAgentId(" Ops "), "ops");
    EXPECT_EQ(NormalizeAgentId("My Agent!"), "my-agent");
    EXPECT_EQ(NormalizeAgentId("--a..b--"), "a-b");
    EXPECT_EQ(NormalizeAgentId("!!!"), "main");
    EXPECT_EQ(NormalizeAgentId(std::string(100, 'x')).size(), kMaxAgentIdLength);
    EXPECT_TRUE(IsValidAgentId("a_b-9"));
    EXPECT_TRUE(IsValidAgentId("Ops"));
    EXPECT_FALSE(IsValidAgentId("_a"));
    EXPECT_FALSE(IsValidAgentId(""));
    EXPECT_FALSE(IsValidAgentId("a b"));
    EXPECT_FALSE(IsValidAgentId(std::string(kMaxAgentIdLength + 1, 'a')));
}

}  // namespace
}  // namespace gw::domain
