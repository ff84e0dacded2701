#include "edge/client_address.hpp"

#include <random>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace gw::edge {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

IpAddress Ip(std::string_view s) {
    return IpAddress::Parse(s).value();
}

CidrSet Trusted() {
    return CidrSet::Parse({"10.0.0.0/8", "fd00::/8"}).value();
}

IpAddress ResolveXff(std::string_view peer, const Headers& h, std::size_t max_hops = 16) {
    return ResolveClientAddress(Ip(peer), h, Trusted(), ForwardedHeader::kXForwardedFor, max_hops);
}

IpAddress ResolveFwd(std::string_view peer, const Headers& h) {
    return ResolveClientAddress(Ip(peer), h, Trusted(), ForwardedHeader::kForwarded);
}

TEST(ClientAddressTest, SpoofedXffFromUntrustedPeerIsIgnored) {
    const Headers h{{"X-Forwarded-For", "10.0.0.5, 1.1.1.1"}, {"Forwarded", "for=1.1.1.1"}};
    EXPECT_EQ(ResolveXff("203.0.113.9", h), Ip("203.0.113.9"));
    EXPECT_EQ(ResolveFwd("203.0.113.9", h), Ip("203.0.113.9"));
}

TEST(ClientAddressTest, TrustedProxyChainIsHonoured) {
    const Headers h{{"X-Forwarded-For", "198.51.100.7, 10.0.0.7"}};
    EXPECT_EQ(ResolveXff("10.0.0.1", h), Ip("198.51.100.7"));
}

TEST(ClientAddressTest, ClientSuppliedLeftEntriesAreNotBelieved) {
    // The client sent "X-Forwarded-For: 1.1.1.1"; the trusted proxy appended the address it saw.
    const Headers h{{"x-forwarded-for", "1.1.1.1, 198.51.100.4"}};
    EXPECT_EQ(ResolveXff("10.0.0.1", h), Ip("198.51.100.4"));
}

TEST(ClientAddressTest, ClientClaimingATrustedAddressGainsNothing) {
    // A client at 198.51.100.4 claims to be an internal proxy; walking stops at its real address.
    const Headers h{{"X-Forwarded-For", "6.6.6.6, 10.9.9.9, 198.51.100.4"}};
    EXPECT_EQ(ResolveXff("10.0.0.1", h), Ip("198.51.100.4"));
}

TEST(ClientAddressTest, AllTrustedChainYieldsLeftmostAddress) {
    const Headers h{{"X-Forwarded-For", "10.1.1.1, 10.2.2.2"}};
    EXPECT_EQ(ResolveXff("10.0.0.1", h), Ip("10.1.1.1"));
}

TEST(ClientAddressTest, NoHeaderMeansThePeer) {
    EXPECT_EQ(ResolveXff("10.0.0.1", {}), Ip("10.0.0.1"));
    EXPECT_EQ(ResolveXff("10.0.0.1", {{"X-Forwarded-For", " , ,"}}), Ip("10.0.0.1"));
}

TEST(ClientAddressTest, SeveralHeaderLinesFormOneListInOrder) {
    const Headers h{{"X-Forwarded-For", "198.51.100.1"}, {"Other", "x"}, {"X-FORWARDED-FOR", "10.3.3.3"}};
    EXPECT_EQ(ResolveXff("10.0.0.1", h), Ip("198.51.100.1"));
}

TEST(ClientAddressTest, InvalidEntryStopsAtTheLastTrustedHop) {
    EXPECT_EQ(
        ResolveXff("10.0.0.1", {{"X-Forwarded-For", "198.51.100.1, garbage, 10.4.4.4"}}), Ip("10.4.4.4")
    );
    EXPECT_EQ(ResolveXff("10.0.0.1", {{"X-Forwarded-For", "unknown"}}), Ip("10.0.0.1"));
    EXPECT_EQ(ResolveXff("10.0.0.1", {{"X-Forwarded-For", "01.2.3.4"}}), Ip("10.0.0.1"));
}

TEST(ClientAddressTest, XffAcceptsPortsBracketsAndMappedAddresses) {
    EXPECT_EQ(ResolveXff("10.0.0.1", {{"X-Forwarded-For", "198.51.100.1:5555"}}), Ip("198.51.100.1"));
    EXPECT_EQ(ResolveXff("10.0.0.1", {{"X-Forwarded-For", "[2001:db8::7]:443"}}), Ip("2001:db8::7"));
    EXPECT_EQ(ResolveXff("10.0.0.1", {{"X-Forwarded-For", "[2001:db8::7]"}}), Ip("2001:db8::7"));
    EXPECT_EQ(ResolveXff("10.0.0.1", {{"X-Forwarded-For", "2001:db8::7"}}), Ip("2001:db8::7"));
    EXPECT_EQ(ResolveXff("10.0.0.1", {{"X-Forwarded-For", "::ffff:198.51.100.1"}}), Ip("198.51.100.1"));
    EXPECT_EQ(ResolveXff("10.0.0.1", {{"X-Forwarded-For", "198.51.100.1:99999x"}}), Ip("10.0.0.1"));
    EXPECT_EQ(ResolveXff("10.0.0.1", {{"X-Forwarded-For", "[1.2.3.4]"}}), Ip("10.0.0.1"));
}

TEST(ClientAddressTest, MappedPeerAddressMatchesIpv4TrustedRange) {
    EXPECT_EQ(ResolveXff("::ffff:10.0.0.1", {{"X-Forwarded-For", "198.51.100.1"}}), Ip("198.51.100.1"));
    EXPECT_EQ(ResolveXff("fd00::1", {{"X-Forwarded-For", "2001:db8::9"}}), Ip("2001:db8::9"));
}

TEST(ClientAddressTest, ForwardedHeaderIsParsedPerRfc7239) {
    EXPECT_EQ(
        ResolveFwd("10.0.0.1", {{"Forwarded", "for=192.0.2.60;proto=http;by=203.0.113.43"}}), Ip("192.0.2.60")
    );
    EXPECT_EQ(
        ResolveFwd("10.0.0.1", {{"Forwarded", R"(For="[2001:db8:cafe::17]:4711")"}}), Ip("2001:db8:cafe::17")
    );
    EXPECT_EQ(ResolveFwd("10.0.0.1", {{"Forwarded", R"(for="192.0.2.60:8080")"}}), Ip("192.0.2.60"));
    EXPECT_EQ(
        ResolveFwd("10.0.0.1", {{"Forwarded", R"(for=198.51.100.1, for="[fd00::3]";proto=https)"}}),
        Ip("198.51.100.1")
    );
    EXPECT_EQ(ResolveFwd("10.0.0.1", {{"forwarded", "proto=https; for=192.0.2.9 ; by=x"}}), Ip("192.0.2.9"));
}

TEST(ClientAddressTest, ForwardedObfuscatedOrUnknownNodeStopsTheWalk) {
    EXPECT_EQ(ResolveFwd("10.0.0.1", {{"Forwarded", "for=unknown"}}), Ip("10.0.0.1"));
    EXPECT_EQ(ResolveFwd("10.0.0.1", {{"Forwarded", "for=_hidden, for=10.5.5.5"}}), Ip("10.5.5.5"));
    EXPECT_EQ(ResolveFwd("10.0.0.1", {{"Forwarded", "proto=https"}}), Ip("10.0.0.1"));
    EXPECT_EQ(ResolveFwd("10.0.0.1", {{"Forwarded", "for=1.1.1.1;for=2.2.2.2"}}), Ip("10.0.0.1"));
    EXPECT_EQ(ResolveFwd("10.0.0.1", {{"Forwarded", "for=2001:db8::1"}}), Ip("10.0.0.1"));  // needs brackets
    EXPECT_EQ(ResolveFwd("10.0.0.1", {{"Forwarded", R"(for="[2001:db8::1]:_port")"}}), Ip("2001:db8::1"));
    EXPECT_EQ(ResolveFwd("10.0.0.1", {{"Forwarded", R"(for="\1.2.3.4")"}}), Ip("10.0.0.1"));
}

TEST(ClientAddressTest, UnclosedQuoteCannotSwallowEntriesAProxyAppended) {
    // The client opens a quote; the proxy appends the real address after it.
    EXPECT_EQ(
        ResolveFwd("10.0.0.1", {{"Forwarded", R"(for="1.1.1.1, for=198.51.100.2)"}}), Ip("198.51.100.2")
    );
}

TEST(ClientAddressTest, OnlyTheConfiguredHeaderIsRead) {
    const Headers h{{"X-Forwarded-For", "198.51.100.1"}, {"Forwarded", "for=198.51.100.2"}};
    EXPECT_EQ(ResolveXff("10.0.0.1", h), Ip("198.51.100.1"));
    EXPECT_EQ(ResolveFwd("10.0.0.1", h), Ip("198.51.100.2"));
    EXPECT_EQ(ResolveClientAddress(Ip("10.0.0.1"), h, Trusted(), ForwardedHeader::kNone), Ip("10.0.0.1"));
}

TEST(ClientAddressTest, MaxHopsBoundsTheWalk) {
    const Headers h{{"X-Forwarded-For", "198.51.100.1, 10.1.1.1, 10.2.2.2, 10.3.3.3"}};
    EXPECT_EQ(ResolveXff("10.0.0.1", h, 16), Ip("198.51.100.1"));
    EXPECT_EQ(ResolveXff("10.0.0.1", h, 2), Ip("10.2.2.2"));
    EXPECT_EQ(ResolveXff("10.0.0.1", h, 0), Ip("10.0.0.1"));
}

TEST(ClientAddressTest, HugeHeaderIsHandledWithBoundedWork) {
    std::string big;
    for (int i = 0; i < 100'000; ++i) {
        big += "10.0.0.9, ";
    }
    big += "198.51.100.3";
    EXPECT_EQ(ResolveXff("10.0.0.1", {{"X-Forwarded-For", big}}), Ip("198.51.100.3"));
    // All trusted and longer than the cap: the walk stops after the cap on a trusted address.
    std::string all_trusted;
    for (int i = 0; i < 100'000; ++i) {
        all_trusted += "10.0.0.9, ";
    }
    all_trusted = "198.51.100.3, " + all_trusted;
    EXPECT_EQ(ResolveXff("10.0.0.1", {{"X-Forwarded-For", all_trusted}}, 64), Ip("10.0.0.9"));
    EXPECT_TRUE(Trusted().Contains(ResolveFwd("10.0.0.1", {{"Forwarded", std::string(200'000, '"')}})));
    std::string escaped = "for=\"";  // one unclosed quote followed by many escaped quotes
    for (int i = 0; i < 100'000; ++i) {
        escaped += "\\\"";
    }
    EXPECT_EQ(ResolveFwd("10.0.0.1", {{"Forwarded", escaped + ", for=198.51.100.8"}}), Ip("198.51.100.8"));
}

TEST(ClientAddressTest, RandomInputNeverCrashes) {
    std::mt19937 rng(1234);
    const std::string alphabet = "0123456789abcdef:.,;=\"[]_ \t%fornwadFOR-x";
    for (int i = 0; i < 20'000; ++i) {
        std::string value(rng() % 80, ' ');
        for (char& c : value) {
            c = alphabet[rng() % alphabet.size()];
        }
        const Headers h{{"X-Forwarded-For", value}, {"Forwarded", value}};
        (void)ResolveXff("10.0.0.1", h);
        (void)ResolveFwd("10.0.0.1", h);
        (void)ParseXffEntry(value);
        (void)ParseForwardedFor(value);
    }
    SUCCEED();
}

}  // namespace
}  // namespace gw::edge
