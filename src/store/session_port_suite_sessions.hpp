#pragma once
/// @file
/// @brief Port suite: SessionRepository (included by session_port_suite.hpp; see there).

#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "store/session_port_suite_fixture.hpp"

namespace gw::store::port_suite {

using namespace std::chrono_literals;

TEST_P(SessionPortTest, GetOrCreateCreatesOnceAndKeepsTheFirstOwner) {
    const domain::Session first = Open("default", "agent:ops:main", "alice");
    EXPECT_FALSE(first.id.empty());
    EXPECT_FALSE(first.transcript_id.empty());
    EXPECT_EQ(first.tenant_id, "default");
    EXPECT_EQ(first.user_id, "alice");
    EXPECT_EQ(first.session_key, "agent:ops:main");
    EXPECT_EQ(first.agent_id, "ops");
    EXPECT_EQ(first.created_at_ms, kStartMs);
    EXPECT_EQ(first.last_activity_ms, kStartMs);
    EXPECT_EQ(first.transcript_started_at_ms, kStartMs);
    EXPECT_EQ(first.usage, domain::TokenUsage{});
    Advance(1s);
    const domain::Session again = Open("default", "agent:ops:main", "bob");
    EXPECT_EQ(again, first);
    auto got = Run(Sessions().Get("default", Key("agent:ops:main")));
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_EQ(*got, first);
    EXPECT_TRUE(All("default", first.transcript_id).empty());
}

TEST_P(SessionPortTest, GetOrCreateFromManyCoroutinesYieldsOneSession) {
    constexpr int kCallers = 32;
    boost::asio::io_context ioc;
    std::vector<Result<domain::Session>> results(kCallers);
    std::atomic<int> done{0};
    for (int i = 0; i < kCallers; ++i) {
        auto on_done = [&results, &done, i](std::exception_ptr e, Result<domain::Session> r) {
            results[static_cast<std::size_t>(i)] =
                e ? MakeError(ErrorCode::kInternal, "threw") : std::move(r);
            done.fetch_add(1);
        };
        boost::asio::co_spawn(
            ioc,
            Sessions().GetOrCreate("default", Key("agent:main:main"), "user-" + std::to_string(i)),
            on_done
        );
    }
    std::thread second([&ioc] { ioc.run_for(30s); });
    ioc.run_for(30s);
    second.join();
    ASSERT_EQ(done.load(), kCallers);
    std::set<std::string> ids;
    std::set<std::string> owners;
    for (const auto& r : results) {
        ASSERT_TRUE(r) << r.error().message;
        ids.insert(r->id + "/" + r->transcript_id);
        owners.insert(r->user_id);
    }
    EXPECT_EQ(ids.size(), 1U);
    EXPECT_EQ(owners.size(), 1U);
    auto page = Run(Sessions().List("default", {}));
    ASSERT_TRUE(page);
    EXPECT_EQ(page->sessions.size(), 1U);
}

TEST_P(SessionPortTest, UnknownTenantOrSessionIsNotFound) {
    auto created = Run(Sessions().GetOrCreate("no-such-tenant", Key("agent:main:main"), "u1"));
    ASSERT_FALSE(created);
    EXPECT_EQ(created.error().code, ErrorCode::kNotFound);
    auto got = Run(Sessions().Get("default", Key("agent:main:main")));
    ASSERT_FALSE(got);
    EXPECT_EQ(got.error().code, ErrorCode::kNotFound);
    auto touched = Run(Sessions().Touch("default", Key("agent:main:main")));
    ASSERT_FALSE(touched);
    EXPECT_EQ(touched.error().code, ErrorCode::kNotFound);
    auto reset = Run(Sessions().Reset("default", Key("agent:main:main")));
    ASSERT_FALSE(reset);
    EXPECT_EQ(reset.error().code, ErrorCode::kNotFound);
    auto deleted = Run(Sessions().Delete("default", Key("agent:main:main")));
    ASSERT_FALSE(deleted);
    EXPECT_EQ(deleted.error().code, ErrorCode::kNotFound);
}

TEST_P(SessionPortTest, SameKeyInTwoTenantsIsTwoSessions) {
    CreateTenant("acme");
    const domain::Session mine = Open("default", "agent:main:main");
    const domain::Session theirs = Open("acme", "agent:main:main");
    EXPECT_NE(mine.id, theirs.id);
    EXPECT_NE(mine.transcript_id, theirs.transcript_id);
    EXPECT_EQ(theirs.tenant_id, "acme");
    domain::SessionPatch patch;
    patch.label = std::optional<std::string>("acme only");
    ASSERT_TRUE(Run(Sessions().Patch("acme", Key("agent:main:main"), patch)));
    auto reread = Run(Sessions().Get("default", Key("agent:main:main")));
    ASSERT_TRUE(reread);
    EXPECT_FALSE(reread->label);
    Open("acme", "agent:main:acme-only");
    auto missing = Run(Sessions().Get("default", Key("agent:main:acme-only")));
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_P(SessionPortTest, PatchSetsAndClearsFieldsWithoutCountingAsActivity) {
    const domain::Session s = Open("default", "agent:main:main");
    Advance(1s);
    domain::SessionPatch patch;
    patch.label = std::optional<std::string>("  Bug hunt ");
    patch.model_override = std::optional<std::string>("openai/gpt-5.4");
    patch.thinking_level = std::optional<std::string>("high");
    patch.pinned = true;
    patch.metadata = std::map<std::string, std::string>{{"chatType", "direct"}, {"channel", "webchat"}};
    auto patched = Run(Sessions().Patch("default", Key("agent:main:main"), patch));
    ASSERT_TRUE(patched) << patched.error().message;
    EXPECT_EQ(patched->label, "Bug hunt");
    EXPECT_EQ(patched->model_override, "openai/gpt-5.4");
    EXPECT_EQ(patched->thinking_level, "high");
    EXPECT_TRUE(patched->pinned);
    EXPECT_FALSE(patched->archived);
    EXPECT_EQ(patched->metadata.at("channel"), "webchat");
    EXPECT_EQ(patched->last_activity_ms, s.last_activity_ms);

    domain::SessionPatch clear;
    clear.label = std::optional<std::string>();
    clear.model_override = std::optional<std::string>();
    auto cleared = Run(Sessions().Patch("default", Key("agent:main:main"), clear));
    ASSERT_TRUE(cleared);
    EXPECT_FALSE(cleared->label);
    EXPECT_FALSE(cleared->model_override);
    EXPECT_EQ(cleared->thinking_level, "high");
    EXPECT_EQ(cleared->metadata.size(), 2U);
    auto unchanged = Run(Sessions().Patch("default", Key("agent:main:main"), {}));
    ASSERT_TRUE(unchanged);
    EXPECT_EQ(*unchanged, *cleared);
}

TEST_P(SessionPortTest, PatchRefusesInvalidValuesAndLabelsInUseByTheAgent) {
    Open("default", "agent:main:a");
    Open("default", "agent:main:b");
    Open("default", "agent:ops:c");
    domain::SessionPatch label;
    label.label = std::optional<std::string>("Shared");
    ASSERT_TRUE(Run(Sessions().Patch("default", Key("agent:main:a"), label)));
    ASSERT_TRUE(Run(Sessions().Patch("default", Key("agent:main:a"), label)));  // its own label
    auto taken = Run(Sessions().Patch("default", Key("agent:main:b"), label));
    ASSERT_FALSE(taken);
    EXPECT_EQ(taken.error().code, ErrorCode::kConflict);
    EXPECT_TRUE(Run(Sessions().Patch("default", Key("agent:ops:c"), label)));  // another agent

    domain::SessionPatch bad;
    bad.label = std::optional<std::string>(std::string(domain::kMaxSessionLabelLength + 1, 'x'));
    auto refused = Run(Sessions().Patch("default", Key("agent:main:b"), bad));
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
    auto b = Run(Sessions().Get("default", Key("agent:main:b")));
    ASSERT_TRUE(b);
    EXPECT_FALSE(b->label);
}

TEST_P(SessionPortTest, TouchAdvancesLastActivityOnly) {
    const domain::Session s = Open("default", "agent:main:main");
    Advance(5s);
    ASSERT_TRUE(Run(Sessions().Touch("default", Key("agent:main:main"))));
    auto got = Run(Sessions().Get("default", Key("agent:main:main")));
    ASSERT_TRUE(got);
    EXPECT_EQ(got->last_activity_ms, kStartMs + 5000);
    EXPECT_EQ(got->created_at_ms, s.created_at_ms);
    EXPECT_EQ(got->transcript_id, s.transcript_id);
}

}  // namespace gw::store::port_suite
