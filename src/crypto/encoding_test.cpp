#include "crypto/encoding.hpp"

#include <gtest/gtest.h>

namespace gw::crypto {
namespace {

std::vector<std::uint8_t> Bytes(std::string_view s) {
    return {s.begin(), s.end()};
}

std::string Text(const std::vector<std::uint8_t>& v) {
    return {v.begin(), v.end()};
}

// RFC 4648 §10 test vectors.
TEST(EncodingTest, Base64MatchesRfc4648Vectors) {
    const std::pair<std::string_view, std::string_view> cases[] = {
        {"", ""},
        {"f", "Zg=="},
        {"fo", "Zm8="},
        {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="},
        {"fooba", "Zm9vYmE="},
        {"foobar", "Zm9vYmFy"},
    };
    for (const auto& [plain, encoded] : cases) {
        EXPECT_EQ(Base64Encode(plain), encoded);
        auto decoded = Base64Decode(encoded);
        ASSERT_TRUE(decoded) << encoded;
        EXPECT_EQ(Text(*decoded), plain);
    }
}

TEST(EncodingTest, Base64UrlUsesUrlAlphabetWithoutPadding) {
    const std::vector<std::uint8_t> data = {0xfb, 0xff, 0xbf, 0x01};
    EXPECT_EQ(Base64Encode(data), "+/+/AQ==");
    EXPECT_EQ(Base64UrlEncode(data), "-_-_AQ");
    auto decoded = Base64UrlDecode("-_-_AQ");
    ASSERT_TRUE(decoded);
    EXPECT_EQ(*decoded, data);
}

TEST(EncodingTest, Base64UrlRoundTripsEveryLength) {
    std::vector<std::uint8_t> data;
    for (int i = 0; i < 70; ++i) {
        auto decoded = Base64UrlDecode(Base64UrlEncode(data));
        ASSERT_TRUE(decoded) << i;
        EXPECT_EQ(*decoded, data);
        data.push_back(static_cast<std::uint8_t>(i * 37 + 11));
    }
}

TEST(EncodingTest, Base64UrlDecodeRejectsPaddingAndForeignCharacters) {
    const std::string_view cases[] = {
        "Zg==",
        "Zg=",
        "Zm8=",
        "+/8",
        "ab/c",
        "Zm 9v",
        "Zm9v\n",
        "Zm9v.",
        "A",
        "AAAAA",
        std::string_view("Zm\0v", 4),
        "Zm9v\xc3\xa9"};
    for (const std::string_view bad : cases) {
        EXPECT_FALSE(Base64UrlDecode(bad)) << bad;
    }
}

TEST(EncodingTest, DecodersRejectNonCanonicalTrailingBits) {
    // "Zg" is canonical for "f"; "Zh" encodes the same byte with non-zero spare bits.
    EXPECT_TRUE(Base64UrlDecode("Zg"));
    EXPECT_FALSE(Base64UrlDecode("Zh"));
    EXPECT_FALSE(Base64Decode("Zh=="));
    EXPECT_FALSE(Base64UrlDecode("Zm9"));  // "fo" is "Zm8"
}

TEST(EncodingTest, Base64DecodeRejectsMissingOrMisplacedPadding) {
    for (const std::string_view bad : {"Zg", "Zg=", "Z===", "====", "Zg==Zg==", "Zm=v", "Zg==="}) {
        EXPECT_FALSE(Base64Decode(bad)) << bad;
    }
    EXPECT_TRUE(Base64Decode(""));
}

TEST(EncodingTest, UnpaddedStandardAlphabetRoundTrips) {
    const auto data = Bytes("any carnal pleas");
    const std::string encoded = Base64EncodeUnpadded(data);
    EXPECT_EQ(encoded, "YW55IGNhcm5hbCBwbGVhcw");
    auto decoded = Base64DecodeUnpadded(encoded);
    ASSERT_TRUE(decoded);
    EXPECT_EQ(*decoded, data);
    EXPECT_FALSE(Base64DecodeUnpadded("YW55IGNhcm5hbCBwbGVhcw=="));
    EXPECT_FALSE(Base64DecodeUnpadded("YW55-GNh"));
}

TEST(EncodingTest, HexRoundTripsAndRejectsGarbage) {
    const std::vector<std::uint8_t> data = {0x00, 0xab, 0xff, 0x10};
    EXPECT_EQ(HexEncode(data), "00abff10");
    auto decoded = HexDecode("00ABff10");
    ASSERT_TRUE(decoded);
    EXPECT_EQ(*decoded, data);
    EXPECT_FALSE(HexDecode("abc"));
    EXPECT_FALSE(HexDecode("zz"));
}

}  // namespace
}  // namespace gw::crypto
