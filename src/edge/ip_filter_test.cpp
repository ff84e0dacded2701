#include "edge/ip_filter.hpp"

#include <gtest/gtest.h>

#include "edge/internal/test_support.hpp"
#include "edge/reputation_list.hpp"

namespace gw::edge {
namespace {

using namespace std::chrono_literals;
using testing::TempDir;
using testing::WriteFileAtomically;

IpAddress Ip(std::string_view s) {
    return IpAddress::Parse(s).value();
}

TEST(IpFilterTest, DenyListRefusesAndDenyWinsOverAllow) {
    auto f = IpFilter::Create({.allow = {"10.0.0.0/8"}, .deny = {"10.6.6.0/24", "2001:db8:bad::/48"}});
    ASSERT_TRUE(f);
    EXPECT_TRUE(f->Check(Ip("10.1.1.1")).allowed);
    const auto denied = f->Check(Ip("10.6.6.6"));
    EXPECT_FALSE(denied.allowed);
    EXPECT_EQ(denied.detail, "deny_list");
    EXPECT_FALSE(f->Check(Ip("2001:db8:bad::1")).allowed);
}

TEST(IpFilterTest, NonEmptyAllowListAdmitsOnlyItsMembers) {
    auto f = IpFilter::Create({.allow = {"192.168.0.0/16", "2001:db8::/32"}, .deny = {}});
    ASSERT_TRUE(f);
    EXPECT_TRUE(f->Check(Ip("192.168.3.4")).allowed);
    EXPECT_TRUE(f->Check(Ip("2001:db8::5")).allowed);
    const auto outside = f->Check(Ip("8.8.8.8"));
    EXPECT_FALSE(outside.allowed);
    EXPECT_EQ(outside.detail, "not_in_allow_list");
    EXPECT_FALSE(f->Check(Ip("2001:db9::5")).allowed);
}

TEST(IpFilterTest, EmptyListsAdmitEverything) {
    const IpFilter f;
    EXPECT_FALSE(f.active());
    EXPECT_TRUE(f.Check(Ip("8.8.8.8")).allowed);
    EXPECT_TRUE(f.Check(Ip("::1")).allowed);
}

TEST(IpFilterTest, BadEntryIsReportedWithItsList) {
    auto f = IpFilter::Create({.allow = {}, .deny = {"10.0.0.0/8", "300.1.1.1"}});
    ASSERT_FALSE(f);
    EXPECT_NE(f.error().message.find("deny: entry 1"), std::string::npos) << f.error().message;
}

TEST(ReputationListTest, BlocksAtOrAboveTheThreshold) {
    TempDir dir;
    ASSERT_TRUE(dir.ok());
    const std::string file = dir.File("rep.txt");
    ASSERT_TRUE(WriteFileAtomically(
        file,
        "# feed\n203.0.113.7 90 scanner\n198.51.100.0/24\t50\n192.0.2.1 49\n\n2001:db8:bad::/48 75 # v6\n"
    ));
    auto list = ReputationList::Open({.file = file, .block_threshold = 50, .reload_check_interval = 30s});
    ASSERT_TRUE(list) << list.error().message;
    EXPECT_EQ((*list)->EntryCount(), 4U);
    auto v = (*list)->Check(Ip("203.0.113.7"));
    EXPECT_TRUE(v.blocked);
    EXPECT_EQ(v.score, 90);
    EXPECT_TRUE((*list)->Check(Ip("198.51.100.200")).blocked);
    v = (*list)->Check(Ip("192.0.2.1"));
    EXPECT_FALSE(v.blocked);
    EXPECT_TRUE(v.listed);
    EXPECT_EQ(v.score, 49);
    EXPECT_TRUE((*list)->Check(Ip("2001:db8:bad:1::9")).blocked);
    v = (*list)->Check(Ip("8.8.8.8"));
    EXPECT_FALSE(v.listed);
    EXPECT_EQ(v.score, 0);
}

TEST(ReputationListTest, MostSpecificEntryWinsAndDuplicatesTakeTheHigherScore) {
    auto table = ParseReputationText("10.0.0.0/24 80\n10.0.0.5 0\n10.0.1.0/24 10\n10.0.1.0/24 70\n");
    ASSERT_TRUE(table);
    TempDir dir;
    const std::string file = dir.File("rep.txt");
    ASSERT_TRUE(
        WriteFileAtomically(file, "10.0.0.0/24 80\n10.0.0.5 0 partner\n10.0.1.0/24 10\n10.0.1.0/24 70\n")
    );
    auto list = ReputationList::Open({.file = file, .block_threshold = 50, .reload_check_interval = 30s});
    ASSERT_TRUE(list);
    EXPECT_TRUE((*list)->Check(Ip("10.0.0.4")).blocked);
    EXPECT_FALSE((*list)->Check(Ip("10.0.0.5")).blocked);
    EXPECT_TRUE((*list)->Check(Ip("10.0.0.6")).blocked);
    EXPECT_EQ((*list)->Check(Ip("10.0.1.1")).score, 70);
}

TEST(ReputationListTest, MalformedLinesAreReportedWithLineNumbers) {
    auto table =
        ParseReputationText("# ok\n1.2.3.4 10\nnot-an-ip 20\n5.6.7.8\n9.9.9.9 101\n10.0.0.1/8 30\n1.1.1.1 x\n"
        );
    ASSERT_FALSE(table);
    const std::string& m = table.error().message;
    EXPECT_EQ(m.find("line 2"), std::string::npos) << m;
    for (const char* want : {"line 3:", "line 4: missing score", "line 5:", "line 6: host bits", "line 7:"}) {
        EXPECT_NE(m.find(want), std::string::npos) << want << " in " << m;
    }
}

TEST(ReputationListTest, ReloadPicksUpAChangedFile) {
    TempDir dir;
    const std::string file = dir.File("rep.txt");
    ASSERT_TRUE(WriteFileAtomically(file, "203.0.113.7 90\n"));
    auto list = ReputationList::Open({.file = file, .block_threshold = 50, .reload_check_interval = 30s});
    ASSERT_TRUE(list);
    EXPECT_TRUE((*list)->Check(Ip("203.0.113.7")).blocked);
    EXPECT_FALSE((*list)->Check(Ip("198.51.100.1")).blocked);
    auto unchanged = (*list)->ReloadIfChanged();
    ASSERT_TRUE(unchanged);
    EXPECT_FALSE(*unchanged);

    ASSERT_TRUE(WriteFileAtomically(file, "203.0.113.7 10\n198.51.100.1 95\n"));
    auto reloaded = (*list)->ReloadIfChanged();
    ASSERT_TRUE(reloaded) << reloaded.error().message;
    EXPECT_TRUE(*reloaded);
    EXPECT_FALSE((*list)->Check(Ip("203.0.113.7")).blocked);
    EXPECT_TRUE((*list)->Check(Ip("198.51.100.1")).blocked);
}

TEST(ReputationListTest, BadReloadKeepsThePreviousList) {
    TempDir dir;
    const std::string file = dir.File("rep.txt");
    ASSERT_TRUE(WriteFileAtomically(file, "203.0.113.7 90\n"));
    auto list = ReputationList::Open({.file = file, .block_threshold = 50, .reload_check_interval = 30s});
    ASSERT_TRUE(list);
    ASSERT_TRUE(WriteFileAtomically(file, "198.51.100.1 95\nbroken line\n"));
    auto bad = (*list)->ReloadIfChanged();
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("line 2"), std::string::npos);
    EXPECT_TRUE((*list)->Check(Ip("203.0.113.7")).blocked);
    EXPECT_FALSE((*list)->Check(Ip("198.51.100.1")).blocked);
    // The same bad file is not retried; a fixed one is picked up.
    EXPECT_TRUE((*list)->ReloadIfChanged());
    ASSERT_TRUE(WriteFileAtomically(file, "198.51.100.1 95\n"));
    auto fixed = (*list)->ReloadIfChanged();
    ASSERT_TRUE(fixed);
    EXPECT_TRUE(*fixed);
    EXPECT_TRUE((*list)->Check(Ip("198.51.100.1")).blocked);
}

TEST(ReputationListTest, PollReloadChecksAtMostOncePerInterval) {
    TempDir dir;
    const std::string file = dir.File("rep.txt");
    ASSERT_TRUE(WriteFileAtomically(file, "203.0.113.7 90\n"));
    auto list = ReputationList::Open({.file = file, .block_threshold = 50, .reload_check_interval = 30s});
    ASSERT_TRUE(list);
    const auto t0 = std::chrono::steady_clock::time_point{} + 100h;
    EXPECT_FALSE((*list)->PollReload(t0));  // due, but unchanged
    ASSERT_TRUE(WriteFileAtomically(file, "203.0.113.7 5\n"));
    EXPECT_FALSE((*list)->PollReload(t0 + 10s));  // not due yet
    EXPECT_TRUE((*list)->Check(Ip("203.0.113.7")).blocked);
    EXPECT_TRUE((*list)->PollReload(t0 + 30s));
    EXPECT_FALSE((*list)->Check(Ip("203.0.113.7")).blocked);
}

TEST(ReputationListTest, OpenFailsOnMissingFileOrBadThreshold) {
    TempDir dir;
    EXPECT_FALSE(ReputationList::Open(
        {.file = dir.File("missing.txt"), .block_threshold = 50, .reload_check_interval = 30s}
    ));
    EXPECT_FALSE(ReputationList::Open({.file = "", .block_threshold = 50, .reload_check_interval = 30s}));
    const std::string file = dir.File("rep.txt");
    ASSERT_TRUE(WriteFileAtomically(file, "1.2.3.4 60\n"));
    EXPECT_FALSE(ReputationList::Open({.file = file, .block_threshold = 0, .reload_check_interval = 30s}));
    EXPECT_FALSE(ReputationList::Open({.file = file, .block_threshold = 101, .reload_check_interval = 30s}));
}

}  // namespace
}  // namespace gw::edge
