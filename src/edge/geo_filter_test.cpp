#include "edge/geo_filter.hpp"

#include <gtest/gtest.h>

#include "edge/internal/test_support.hpp"

namespace gw::edge {
namespace {

using namespace std::chrono_literals;
using testing::InstallGeoDatabase;
using testing::kGeoBase;
using testing::kGeoChanged;
using testing::TempDir;
using testing::WriteFileAtomically;

IpAddress Ip(std::string_view s) {
    return IpAddress::Parse(s).value();
}

class GeoFilterTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(dir_.ok());
        db_ = dir_.File("country.mmdb");
        ASSERT_TRUE(InstallGeoDatabase(kGeoBase, db_));
    }

    GeoOptions Options(
        std::vector<std::string> block, std::vector<std::string> allow = {}, bool block_unknown = false
    ) {
        GeoOptions o;
        o.database_file = db_;
        o.block_countries = std::move(block);
        o.allow_countries = std::move(allow);
        o.block_unknown = block_unknown;
        return o;
    }

    TempDir dir_;
    std::string db_;
};

TEST_F(GeoFilterTest, LooksUpCountriesOfIpv4AndIpv6Addresses) {
    auto geo = GeoFilter::Open(Options({}));
    ASSERT_TRUE(geo) << geo.error().message;
    EXPECT_EQ((*geo)->Country(Ip("1.2.3.4")), "DE");
    EXPECT_EQ((*geo)->Country(Ip("::ffff:1.2.3.200")), "DE");
    EXPECT_EQ((*geo)->Country(Ip("2001:db8:1::1")), "FR");
    EXPECT_EQ((*geo)->Country(Ip("5.6.7.8")), "US");  // registered_country fallback
    EXPECT_EQ((*geo)->Country(Ip("1.2.4.1")), "");
    EXPECT_EQ((*geo)->Country(Ip("2001:db9::1")), "");
}

TEST_F(GeoFilterTest, BlockedCountriesAreRefused) {
    auto geo = GeoFilter::Open(Options({"de"}));
    ASSERT_TRUE(geo);
    const auto de = (*geo)->Check(Ip("1.2.3.4"));
    EXPECT_FALSE(de.allowed);
    EXPECT_EQ(de.country, "DE");
    EXPECT_TRUE((*geo)->Check(Ip("2001:db8::1")).allowed);
    EXPECT_TRUE((*geo)->Check(Ip("9.9.9.9")).allowed);  // unknown is allowed by default
}

TEST_F(GeoFilterTest, AllowListBlocksOtherKnownCountriesAndUnknownOnlyOnRequest) {
    auto geo = GeoFilter::Open(Options({}, {"FR"}));
    ASSERT_TRUE(geo);
    EXPECT_TRUE((*geo)->Check(Ip("2001:db8::1")).allowed);
    EXPECT_FALSE((*geo)->Check(Ip("1.2.3.4")).allowed);
    EXPECT_TRUE((*geo)->Check(Ip("9.9.9.9")).allowed);
    auto strict = GeoFilter::Open(Options({}, {"FR"}, true));
    ASSERT_TRUE(strict);
    EXPECT_FALSE((*strict)->Check(Ip("9.9.9.9")).allowed);
    EXPECT_FALSE((*strict)->Check(Ip("10.0.0.1")).allowed);
}

TEST_F(GeoFilterTest, ReloadsWhenTheDatabaseFileChanges) {
    auto geo = GeoFilter::Open(Options({"DE"}));
    ASSERT_TRUE(geo);
    EXPECT_FALSE((*geo)->Check(Ip("1.2.3.4")).allowed);
    auto same = (*geo)->ReloadIfChanged();
    ASSERT_TRUE(same);
    EXPECT_FALSE(*same);
    ASSERT_TRUE(InstallGeoDatabase(kGeoChanged, db_));
    auto reloaded = (*geo)->ReloadIfChanged();
    ASSERT_TRUE(reloaded) << reloaded.error().message;
    EXPECT_TRUE(*reloaded);
    const auto d = (*geo)->Check(Ip("1.2.3.4"));
    EXPECT_TRUE(d.allowed);
    EXPECT_EQ(d.country, "NL");
}

TEST_F(GeoFilterTest, ACorruptNewFileKeepsTheOldDatabase) {
    auto geo = GeoFilter::Open(Options({"DE"}));
    ASSERT_TRUE(geo);
    ASSERT_TRUE(WriteFileAtomically(db_, "this is not a MaxMind database"));
    auto bad = (*geo)->ReloadIfChanged();
    ASSERT_FALSE(bad);
    EXPECT_EQ((*geo)->Country(Ip("1.2.3.4")), "DE");
    EXPECT_FALSE((*geo)->Check(Ip("1.2.3.4")).allowed);
}

TEST_F(GeoFilterTest, PollReloadIsThrottled) {
    GeoOptions o = Options({"DE"});
    o.reload_check_interval = 60s;
    auto geo = GeoFilter::Open(o);
    ASSERT_TRUE(geo);
    const auto t0 = std::chrono::steady_clock::time_point{} + 10h;
    EXPECT_FALSE((*geo)->PollReload(t0));
    ASSERT_TRUE(InstallGeoDatabase(kGeoChanged, db_));
    EXPECT_FALSE((*geo)->PollReload(t0 + 59s));
    EXPECT_EQ((*geo)->Country(Ip("1.2.3.4")), "DE");
    EXPECT_TRUE((*geo)->PollReload(t0 + 60s));
    EXPECT_EQ((*geo)->Country(Ip("1.2.3.4")), "NL");
}

TEST_F(GeoFilterTest, OpenRejectsBadCodesAndMissingFiles) {
    EXPECT_EQ(GeoFilter::Open(Options({"DEU"})).error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(GeoFilter::Open(Options({}, {"1A"})).error().code, ErrorCode::kInvalidArgument);
    GeoOptions missing = Options({});
    missing.database_file = dir_.File("missing.mmdb");
    EXPECT_EQ(GeoFilter::Open(missing).error().code, ErrorCode::kUnavailable);
    missing.database_file.clear();
    EXPECT_EQ(GeoFilter::Open(missing).error().code, ErrorCode::kInvalidArgument);
    ASSERT_TRUE(WriteFileAtomically(dir_.File("junk.mmdb"), "junk"));
    missing.database_file = dir_.File("junk.mmdb");
    EXPECT_EQ(GeoFilter::Open(missing).error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace gw::edge
