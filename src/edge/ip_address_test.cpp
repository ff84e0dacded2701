#include "edge/ip_address.hpp"

#include <random>

#include <gtest/gtest.h>

#include "edge/cidr.hpp"
#include "edge/internal/range_table.hpp"

namespace gw::edge {
namespace {

IpAddress Ip(std::string_view s) {
    auto ip = IpAddress::Parse(s);
    EXPECT_TRUE(ip.has_value()) << s;
    return ip.value_or(IpAddress{});
}

TEST(IpAddressTest, ParsesDottedQuadIpv4) {
    const auto ip = IpAddress::Parse("1.2.3.4");
    ASSERT_TRUE(ip);
    EXPECT_TRUE(ip->IsV4());
    EXPECT_EQ(ip->V4Value(), 0x01020304U);
    EXPECT_EQ(ip->ToString(), "1.2.3.4");
    EXPECT_EQ(Ip("255.255.255.255").V4Value(), 0xffffffffU);
    EXPECT_EQ(Ip("0.0.0.0").V4Value(), 0U);
}

TEST(IpAddressTest, RejectsMalformedIpv4) {
    for (std::string_view bad :
         {"",
          "1.2.3",
          "1.2.3.4.5",
          "256.1.1.1",
          "01.2.3.4",
          "1.2.3.04",
          " 1.2.3.4",
          "1.2.3.4 ",
          "1..2.3",
          "1.2.3.",
          "a.b.c.d",
          "1.2.3.4/8",
          "1.2.3.4:80",
          "1000.1.1.1",
          "+1.2.3.4",
          "1.2.3.-4"}) {
        EXPECT_FALSE(IpAddress::Parse(bad)) << bad;
    }
}

TEST(IpAddressTest, ParsesIpv6AndFormatsCanonically) {
    const auto ip = IpAddress::Parse("2001:DB8:0:0:0:0:0:1");
    ASSERT_TRUE(ip);
    EXPECT_EQ(ip->family(), IpFamily::kV6);
    EXPECT_EQ(ip->ToString(), "2001:db8::1");
    EXPECT_EQ(Ip("::").ToString(), "::");
    EXPECT_EQ(Ip("::1").ToString(), "::1");
    EXPECT_EQ(Ip("fe80:0:0:0:1:0:0:1").ToString(), "fe80::1:0:0:1");
    EXPECT_EQ(Ip("2001:db8::1"), Ip("2001:0db8:0000::0001"));
}

TEST(IpAddressTest, NormalisesIpv4MappedIpv6ToIpv4) {
    const auto mapped = IpAddress::Parse("::ffff:1.2.3.4");
    ASSERT_TRUE(mapped);
    EXPECT_TRUE(mapped->IsV4());
    EXPECT_EQ(*mapped, Ip("1.2.3.4"));
    EXPECT_EQ(Ip("::FFFF:0102:0304"), Ip("1.2.3.4"));
    // IPv4-compatible (::a.b.c.d, deprecated) is *not* mapped and stays IPv6.
    EXPECT_FALSE(Ip("::1.2.3.4").IsV4());
}

TEST(IpAddressTest, RejectsZoneIdsBracketsPortsAndGarbage) {
    for (std::string_view bad :
         {"fe80::1%eth0",
          "fe80::1%25eth0",
          "[2001:db8::1]",
          "[2001:db8::1]:443",
          "2001:db8::1::2",
          "2001:db8:::1",
          "12345::",
          "1:2:3:4:5:6:7:8:9",
          "::g",
          "::ffff:1.2.3.256",
          ":",
          ":::",
          "0000000000000000000000000000000000000000000000000000:1"}) {
        EXPECT_FALSE(IpAddress::Parse(bad)) << bad;
    }
}

TEST(IpAddressTest, MaskedClearsHostBits) {
    EXPECT_EQ(Ip("10.1.2.3").Masked(8), Ip("10.0.0.0"));
    EXPECT_EQ(Ip("10.1.2.3").Masked(0), Ip("0.0.0.0"));
    EXPECT_EQ(Ip("10.1.2.3").Masked(32), Ip("10.1.2.3"));
    EXPECT_EQ(Ip("10.1.2.255").Masked(25), Ip("10.1.2.128"));
    EXPECT_EQ(Ip("2001:db8:1:2:3:4:5:6").Masked(64), Ip("2001:db8:1:2::"));
    EXPECT_EQ(Ip("2001:db8:1:2:3:4:5:6").Masked(200), Ip("2001:db8:1:2:3:4:5:6"));
}

TEST(IpAddressTest, ClientIdentityGroupsIpv6ByPrefixButNotIpv4) {
    EXPECT_EQ(ClientIdentity(Ip("2001:db8:1:2:aaaa::1"), 64), ClientIdentity(Ip("2001:db8:1:2:bbbb::9"), 64));
    EXPECT_NE(ClientIdentity(Ip("2001:db8:1:2::1"), 64), ClientIdentity(Ip("2001:db8:1:3::1"), 64));
    EXPECT_EQ(ClientIdentity(Ip("1.2.3.4"), 64), Ip("1.2.3.4"));
}

TEST(CidrTest, ParsesBlocksAndBareAddresses) {
    auto c = Cidr::Parse("10.0.0.0/8");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->prefix_length(), 8);
    EXPECT_EQ(c->ToString(), "10.0.0.0/8");
    EXPECT_TRUE(c->Contains(Ip("10.255.0.1")));
    EXPECT_FALSE(c->Contains(Ip("11.0.0.0")));
    EXPECT_EQ(Cidr::Parse("1.2.3.4")->prefix_length(), 32);
    EXPECT_EQ(Cidr::Parse("2001:db8::1")->prefix_length(), 128);
    EXPECT_EQ(Cidr::Parse("2001:db8::/32")->ToString(), "2001:db8::/32");
    EXPECT_EQ(Cidr::Parse("0.0.0.0/0")->prefix_length(), 0);
}

TEST(CidrTest, RejectsHostBitsAndBadPrefixes) {
    for (std::string_view bad :
         {"10.0.0.1/8",
          "10.0.0.0/33",
          "/8",
          "10.0.0.0/",
          "10.0.0.0/08",
          "10.0.0.0/-1",
          "10.0.0.0/8/8",
          "2001:db8::/129",
          "2001:db8::1/32",
          "nonsense",
          "",
          "::ffff:10.0.0.0/95",
          "10.0.0.0/ 8"}) {
        EXPECT_FALSE(Cidr::Parse(bad)) << bad;
    }
    EXPECT_NE(Cidr::Parse("10.0.0.1/8").error().message.find("host bits"), std::string::npos);
}

TEST(CidrTest, MappedIpv6BlockBecomesIpv4) {
    auto c = Cidr::Parse("::ffff:10.0.0.0/104");
    ASSERT_TRUE(c);
    EXPECT_TRUE(c->network().IsV4());
    EXPECT_EQ(c->ToString(), "10.0.0.0/8");
}

TEST(CidrSetTest, ContainsIpv4AndIpv6AtBoundaries) {
    auto set = CidrSet::Parse({"10.0.0.0/8", "192.168.1.0/24", "2001:db8::/32", "::1"});
    ASSERT_TRUE(set);
    EXPECT_TRUE(set->Contains(Ip("10.0.0.0")));
    EXPECT_TRUE(set->Contains(Ip("10.255.255.255")));
    EXPECT_FALSE(set->Contains(Ip("9.255.255.255")));
    EXPECT_FALSE(set->Contains(Ip("11.0.0.0")));
    EXPECT_TRUE(set->Contains(Ip("192.168.1.77")));
    EXPECT_FALSE(set->Contains(Ip("192.168.2.0")));
    EXPECT_TRUE(set->Contains(Ip("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")));
    EXPECT_FALSE(set->Contains(Ip("2001:db9::")));
    EXPECT_TRUE(set->Contains(Ip("::1")));
    EXPECT_FALSE(set->Contains(Ip("::2")));
    EXPECT_TRUE(set->Contains(Ip("::ffff:10.1.1.1")));  // mapped form of an IPv4 member
}

TEST(CidrSetTest, MergesOverlappingAndAdjacentBlocks) {
    auto set = CidrSet::Parse(
        {"10.0.0.0/8", "10.1.0.0/16", "10.1.2.3", "11.0.0.0/8", "2001:db8::/33", "2001:db8:8000::/33"}
    );
    ASSERT_TRUE(set);
    EXPECT_EQ(set->RangeCount(), 2U);
    EXPECT_TRUE(set->Contains(Ip("11.200.0.0")));
}

TEST(CidrSetTest, FullRangesAndFamiliesAreSeparate) {
    auto v4all = CidrSet::Parse({"0.0.0.0/0"});
    ASSERT_TRUE(v4all);
    EXPECT_TRUE(v4all->Contains(Ip("255.255.255.255")));
    EXPECT_TRUE(v4all->Contains(Ip("0.0.0.0")));
    EXPECT_FALSE(v4all->Contains(Ip("::1")));
    auto v6all = CidrSet::Parse({"::/0"});
    ASSERT_TRUE(v6all);
    EXPECT_TRUE(v6all->Contains(Ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")));
    EXPECT_FALSE(v6all->Contains(Ip("1.2.3.4")));  // IPv4 is normalised, so ::/0 does not cover it
    EXPECT_TRUE(CidrSet().empty());
    EXPECT_FALSE(CidrSet().Contains(Ip("1.2.3.4")));
}

TEST(CidrSetTest, ParseErrorNamesTheEntry) {
    auto set = CidrSet::Parse({"10.0.0.0/8", "10.0.0.1/8"});
    ASSERT_FALSE(set);
    EXPECT_NE(set.error().message.find("entry 1"), std::string::npos);
}

IpAddress RandomAddress(std::mt19937_64& rng, bool v4) {
    if (v4) {
        // Cluster addresses so that random blocks overlap often.
        return IpAddress::V4(static_cast<std::uint32_t>(0x0a000000U | (rng() & 0x0000ffffU)));
    }
    std::array<std::uint8_t, 16> b{0x20, 0x01, 0x0d, 0xb8};
    b[14] = static_cast<std::uint8_t>(rng());
    b[15] = static_cast<std::uint8_t>(rng());
    return IpAddress::V6(b);
}

TEST(CidrSetTest, MatchesBruteForceOnRandomBlocks) {
    std::mt19937_64 rng(42);
    for (int round = 0; round < 50; ++round) {
        std::vector<Cidr> blocks;
        for (int i = 0; i < 20; ++i) {
            const bool v4 = (rng() & 1) != 0;
            const int len = v4 ? 16 + static_cast<int>(rng() % 17) : 112 + static_cast<int>(rng() % 17);
            blocks.emplace_back(RandomAddress(rng, v4), len);
        }
        const CidrSet set(blocks);
        for (int q = 0; q < 500; ++q) {
            const IpAddress ip = RandomAddress(rng, (rng() & 1) != 0);
            const bool expected =
                std::any_of(blocks.begin(), blocks.end(), [&](const Cidr& c) { return c.Contains(ip); });
            ASSERT_EQ(set.Contains(ip), expected) << ip.ToString();
        }
    }
}

TEST(RangeTableTest, InnermostBlockWinsOnRandomNestedBlocks) {
    using Table = internal::RangeTable<std::uint32_t, int>;
    std::mt19937_64 rng(7);
    for (int round = 0; round < 50; ++round) {
        std::vector<Cidr> cidrs;
        std::vector<int> values;
        std::vector<Table::Block> blocks;
        for (int i = 0; i < 30; ++i) {
            const Cidr c(RandomAddress(rng, true), 16 + static_cast<int>(rng() % 17));
            const int value = static_cast<int>(rng() % 100);
            cidrs.push_back(c);
            values.push_back(value);
            const auto first = c.network().V4Value();
            blocks.push_back({first, internal::LastV4(first, c.prefix_length()), value});
        }
        const auto table = Table::Build(blocks, [](int a, int b) { return std::max(a, b); });
        for (int q = 0; q < 500; ++q) {
            const IpAddress ip = RandomAddress(rng, true);
            int best_len = -1;
            int expected = -1;
            for (std::size_t i = 0; i < cidrs.size(); ++i) {
                if (!cidrs[i].Contains(ip)) {
                    continue;
                }
                if (cidrs[i].prefix_length() > best_len) {
                    best_len = cidrs[i].prefix_length();
                    expected = values[i];
                } else if (cidrs[i].prefix_length() == best_len) {
                    expected = std::max(expected, values[i]);
                }
            }
            const int* got = table.Find(ip.V4Value());
            if (expected < 0) {
                ASSERT_EQ(got, nullptr) << ip.ToString();
            } else {
                ASSERT_NE(got, nullptr) << ip.ToString();
                ASSERT_EQ(*got, expected) << ip.ToString();
            }
        }
    }
}

TEST(RangeTableTest, HandlesBlocksEndingAtTheTopOfTheSpace) {
    using Table = internal::RangeTable<internal::U128, int>;
    const auto all = internal::U128{0, 0};
    const auto top = internal::V6Key(Ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff00"));
    const auto table = Table::Build(
        {{all, internal::LastV6(all, 0), 1}, {top, internal::LastV6(top, 120), 2}},
        [](int a, int) { return a; }
    );
    EXPECT_EQ(*table.Find(internal::V6Key(Ip("::"))), 1);
    EXPECT_EQ(*table.Find(internal::V6Key(Ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:feff"))), 1);
    EXPECT_EQ(*table.Find(internal::V6Key(Ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"))), 2);
    EXPECT_EQ(table.size(), 2U);
}

}  // namespace
}  // namespace gw::edge
