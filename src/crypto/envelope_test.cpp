#include "crypto/envelope.hpp"

#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace gw::crypto {
namespace {

TEST(ClassificationTest, NamesRoundTripAndUnknownNamesAreRejected) {
    for (auto c :
         {Classification::kPublic,
          Classification::kInternal,
          Classification::kConfidential,
          Classification::kRestricted}) {
        EXPECT_EQ(ParseClassification(ClassificationName(c)).value(), c);
    }
    EXPECT_EQ(ClassificationName(Classification::kConfidential), "confidential");
    EXPECT_EQ(ParseClassification("Secret").error().code, ErrorCode::kInvalidArgument);
    EXPECT_FALSE(ParseClassification("Public"));
}

TEST(EnvelopeTest, AadLengthPrefixesPreventShiftingBytesBetweenFields) {
    const std::vector<EnvelopeContext> contexts = {
        {"ab", "c", "d"},
        {"a", "bc", "d"},
        {"a", "b", "cd"},
        {"abc", "", "d"},
        {"", "abc", "d"},
        {"abcd", "", ""},
    };
    std::set<std::vector<std::uint8_t>> seen;
    for (const auto& ctx : contexts) {
        EXPECT_TRUE(seen.insert(EnvelopeAad(ctx, Classification::kInternal, 1)).second)
            << ctx.tenant << "|" << ctx.table << "|" << ctx.row;
    }
    EXPECT_NE(
        EnvelopeAad({"t", "x", "r"}, Classification::kInternal, 1),
        EnvelopeAad({"t", "x", "r"}, Classification::kConfidential, 1)
    );
    EXPECT_NE(
        EnvelopeAad({"t", "x", "r"}, Classification::kInternal, 1),
        EnvelopeAad({"t", "x", "r"}, Classification::kInternal, 2)
    );
}

TEST(EnvelopeTest, SealedLayoutMatchesTheDocumentedFormat) {
    const Aes256GcmKey key = Aes256GcmKey::Generate();
    const EnvelopeContext ctx{"tenant-1", "messages", "row-9"};
    const std::string plaintext = "hello world";
    const auto blob = SealEnvelope(key, ctx, Classification::kConfidential, 0x01020304, plaintext);
    ASSERT_EQ(blob.size(), plaintext.size() + kEnvelopeAesGcmOverhead);
    EXPECT_EQ(blob[0], kEnvelopeFormatAesGcmV1);
    EXPECT_EQ(blob[1], 2);  // confidential
    EXPECT_EQ(blob[2], 0x01);
    EXPECT_EQ(blob[3], 0x02);
    EXPECT_EQ(blob[4], 0x03);
    EXPECT_EQ(blob[5], 0x04);
    // Independent check of the layout: nonce at 6, ciphertext at 18, tag at the end, AAD as documented.
    std::vector<std::uint8_t> plain(plaintext.size());
    ASSERT_TRUE(AesGcmOpenDetached(
        key,
        std::span(blob).subspan<6, 12>(),
        EnvelopeAad(ctx, Classification::kConfidential, 0x01020304),
        std::span(blob).subspan(18, plaintext.size()),
        std::span(blob).last<16>(),
        plain
    ));
    EXPECT_EQ(std::string(plain.begin(), plain.end()), plaintext);

    const auto header = ParseEnvelopeHeader(blob).value();
    EXPECT_EQ(header.key_version, 0x01020304U);
    EXPECT_EQ(OpenEnvelope(key, ctx, header, blob).value(), plaintext);
}

TEST(EnvelopeTest, AadBytesAreTheDocumentedCanonicalEncoding) {
    const auto aad = EnvelopeAad({"t1", "tab", ""}, Classification::kRestricted, 7);
    const std::string expected_prefix = "gw.envelope";
    const std::vector<std::uint8_t> expected_rest = {
        0x01, 0, 0, 0, 2, 't', '1', 0, 0, 0, 3, 't', 'a', 'b', 0, 0, 0, 0, 3, 0, 0, 0, 7,
    };
    std::vector<std::uint8_t> expected(expected_prefix.begin(), expected_prefix.end());
    expected.insert(expected.end(), expected_rest.begin(), expected_rest.end());
    EXPECT_EQ(aad, expected);
}

TEST(EnvelopeTest, PlainEnvelopeCarriesAMarkerAndThePlaintext) {
    const auto blob = SealPlainEnvelope("visible");
    ASSERT_EQ(blob.size(), 2 + 7U);
    EXPECT_EQ(blob[0], kEnvelopeFormatPlain);
    EXPECT_EQ(blob[1], 0);
    EXPECT_EQ(std::string(blob.begin() + 2, blob.end()), "visible");
    const auto header = ParseEnvelopeHeader(blob).value();
    EXPECT_EQ(header.classification, Classification::kPublic);
    EXPECT_EQ(header.key_version, 0U);
}

TEST(EnvelopeTest, HeaderParserRejectsMalformedEnvelopes) {
    const std::vector<std::vector<std::uint8_t>> bad = {
        {},
        {0x01},
        {0x00, 0x02, 'x'},            // plaintext marked confidential
        {0x01, 0x00, 0, 0, 0, 1},     // encrypted but public
        {0x02, 0x01, 0, 0, 0, 1},     // unknown format
        {0x01, 0x04, 0, 0, 0, 1},     // unknown class
        {0x01, 0x01, 0, 0, 0, 1, 0},  // too short for nonce + tag
    };
    for (const auto& blob : bad) {
        auto header = ParseEnvelopeHeader(blob);
        ASSERT_FALSE(header) << blob.size();
        EXPECT_EQ(header.error().code, ErrorCode::kInternal);
        EXPECT_NE(header.error().message.find("malformed envelope"), std::string::npos);
    }
    std::vector<std::uint8_t> version_zero(kEnvelopeAesGcmOverhead, 0);
    version_zero[0] = kEnvelopeFormatAesGcmV1;
    version_zero[1] = 1;
    EXPECT_FALSE(ParseEnvelopeHeader(version_zero));
}

TEST(EnvelopeTest, LongContextFieldsUseTheHeapPathAndStillBind) {
    const Aes256GcmKey key = Aes256GcmKey::Generate();
    const std::string long_row(1000, 'r');
    const auto blob = SealEnvelope(key, {"t", "tab", long_row}, Classification::kInternal, 1, "x");
    const auto header = ParseEnvelopeHeader(blob).value();
    EXPECT_EQ(OpenEnvelope(key, {"t", "tab", long_row}, header, blob).value(), "x");
    const std::string other_row = long_row.substr(1) + "s";
    auto wrong = OpenEnvelope(key, {"t", "tab", other_row}, header, blob);
    ASSERT_FALSE(wrong);
    EXPECT_EQ(
        wrong.error().message, "ciphertext integrity check failed (tenant/table/row mismatch or tampering)"
    );
}

}  // namespace
}  // namespace gw::crypto
