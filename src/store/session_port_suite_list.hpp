#pragma once
/// @file
/// @brief Port suite: SessionRepository::List (tenant scoping, order, keyset paging, filters).

#include <set>
#include <vector>

#include "store/session_port_suite_fixture.hpp"

namespace gw::store::port_suite {

using namespace std::chrono_literals;

TEST_P(SessionPortTest, ListNeverCrossesTenants) {
    CreateTenant("acme");
    for (const char* key : {"agent:main:main", "agent:main:a", "agent:ops:b"}) {
        Open("default", key);
    }
    for (const char* key : {"agent:main:main", "agent:main:c"}) {
        Open("acme", key);
    }
    auto acme = Run(Sessions().List("acme", {}));
    ASSERT_TRUE(acme) << acme.error().message;
    ASSERT_EQ(acme->sessions.size(), 2U);
    for (const auto& s : acme->sessions) {
        EXPECT_EQ(s.tenant_id, "acme");
    }
    auto mine = Run(Sessions().List("default", {}));
    ASSERT_TRUE(mine);
    EXPECT_EQ(mine->sessions.size(), 3U);
    auto nobody = Run(Sessions().List("no-such-tenant", {}));
    ASSERT_TRUE(nobody);
    EXPECT_TRUE(nobody->sessions.empty());
}

TEST_P(SessionPortTest, ListIsMostRecentFirstAndPagesWithoutGapsOrRepeats) {
    for (int i = 0; i < 5; ++i) {
        Open("default", "agent:main:s" + std::to_string(i));
        Advance(10ms);
    }
    ASSERT_TRUE(Run(Sessions().Touch("default", Key("agent:main:s1"))));
    domain::SessionFilter filter;
    filter.limit = 2;
    std::vector<std::string> keys;
    for (int page_no = 0; page_no < 5; ++page_no) {
        auto page = Run(Sessions().List("default", filter));
        ASSERT_TRUE(page) << page.error().message;
        for (const auto& s : page->sessions) {
            keys.push_back(s.session_key);
        }
        if (!page->next) {
            break;
        }
        EXPECT_EQ(page->sessions.size(), 2U);
        filter.after = page->next;
    }
    const std::vector<std::string> expected = {
        "agent:main:s1", "agent:main:s4", "agent:main:s3", "agent:main:s2", "agent:main:s0"};
    EXPECT_EQ(keys, expected);
}

TEST_P(SessionPortTest, ListFiltersByAgentUserActivitySearchAndArchive) {
    Open("default", "agent:main:alpha", "alice");
    Advance(1min);
    const std::int64_t later = Now();
    Open("default", "agent:ops:beta", "bob");
    Open("default", "agent:ops:gamma", "alice");
    domain::SessionPatch archive;
    archive.archived = true;
    archive.label = std::optional<std::string>("Quarterly Report");
    ASSERT_TRUE(Run(Sessions().Patch("default", Key("agent:ops:gamma"), archive)));

    auto keys = [&](domain::SessionFilter f) {
        auto page = Run(Sessions().List("default", std::move(f)));
        EXPECT_TRUE(page);
        std::set<std::string> out;
        for (const auto& s : page ? page->sessions : std::vector<domain::Session>{}) {
            out.insert(s.session_key);
        }
        return out;
    };
    domain::SessionFilter f;
    EXPECT_EQ(keys(f), (std::set<std::string>{"agent:main:alpha", "agent:ops:beta"}));
    f.archived = domain::ArchivedFilter::kInclude;
    EXPECT_EQ(keys(f).size(), 3U);
    f.archived = domain::ArchivedFilter::kOnly;
    EXPECT_EQ(keys(f), (std::set<std::string>{"agent:ops:gamma"}));
    f = {};
    f.agent_id = "ops";
    EXPECT_EQ(keys(f), (std::set<std::string>{"agent:ops:beta"}));
    f = {};
    f.user_id = "alice";
    f.archived = domain::ArchivedFilter::kInclude;
    EXPECT_EQ(keys(f), (std::set<std::string>{"agent:main:alpha", "agent:ops:gamma"}));
    f = {};
    f.active_since_ms = later;
    EXPECT_EQ(keys(f), (std::set<std::string>{"agent:ops:beta"}));
    f = {};
    f.search = "ALPH";
    EXPECT_EQ(keys(f), (std::set<std::string>{"agent:main:alpha"}));
    f = {};
    f.search = "quarterly";
    f.archived = domain::ArchivedFilter::kInclude;
    EXPECT_EQ(keys(f), (std::set<std::string>{"agent:ops:gamma"}));
}

}  // namespace gw::store::port_suite
