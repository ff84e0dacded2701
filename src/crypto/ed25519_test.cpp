#include "crypto/ed25519.hpp"

#include <gtest/gtest.h>

#include "crypto/encoding.hpp"

namespace gw::crypto {
namespace {

std::vector<std::uint8_t> Hex(std::string_view hex) {
    auto bytes = HexDecode(hex);
    EXPECT_TRUE(bytes);
    return bytes ? *bytes : std::vector<std::uint8_t>{};
}

std::span<const std::uint8_t> AsBytes(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// RFC 8032 §7.1 TEST 1 and TEST 2.
struct Rfc8032Vector {
    std::string_view seed;
    std::string_view public_key;
    std::string_view message;
    std::string_view signature;
};

constexpr Rfc8032Vector kVectors[] = {
    {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
     "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f"
     "0595bb"
     "e24655141438e7a100b"},
    {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
     "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2ea"
     "eb43"
     "02aeeb00d291612bb0c00"},
};

TEST(Ed25519Test, SignAndVerifyMatchRfc8032Vectors) {
    for (const auto& v : kVectors) {
        auto pair = Ed25519KeyPair::FromSeed(Hex(v.seed));
        ASSERT_TRUE(pair);
        EXPECT_EQ(HexEncode(pair->public_key()), v.public_key);
        auto sig = pair->Sign(Hex(v.message));
        ASSERT_TRUE(sig);
        EXPECT_EQ(HexEncode(*sig), v.signature);
        EXPECT_TRUE(Ed25519Verify(Hex(v.public_key), Hex(v.message), Hex(v.signature)));
    }
}

TEST(Ed25519Test, VerifyRejectsTamperedMessageAndWrongKey) {
    auto pair = Ed25519KeyPair::Generate();
    auto other = Ed25519KeyPair::Generate();
    ASSERT_TRUE(pair && other);
    auto sig = pair->Sign("hello");
    ASSERT_TRUE(sig);
    EXPECT_TRUE(Ed25519Verify(pair->public_key(), AsBytes("hello"), *sig));
    auto tampered = Ed25519Verify(pair->public_key(), AsBytes("hellp"), *sig);
    ASSERT_FALSE(tampered);
    EXPECT_EQ(ClassifyDeviceProofError(tampered.error()), DeviceProofFailure::kSignatureInvalid);
    auto wrong_key = Ed25519Verify(other->public_key(), AsBytes("hello"), *sig);
    ASSERT_FALSE(wrong_key);
    EXPECT_EQ(wrong_key.error().code, ErrorCode::kUnauthenticated);
}

TEST(Ed25519Test, VerifyClassifiesBadKeyAndBadSignatureLengths) {
    auto pair = Ed25519KeyPair::Generate();
    ASSERT_TRUE(pair);
    auto sig = pair->Sign("m");
    ASSERT_TRUE(sig);
    const std::vector<std::uint8_t> short_key(31, 1);
    auto bad_key = Ed25519Verify(short_key, AsBytes("m"), *sig);
    ASSERT_FALSE(bad_key);
    EXPECT_EQ(bad_key.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(ClassifyDeviceProofError(bad_key.error()), DeviceProofFailure::kPublicKeyInvalid);
    auto short_sig = Ed25519Verify(pair->public_key(), AsBytes("m"), std::span(sig->data(), 63));
    ASSERT_FALSE(short_sig);
    EXPECT_EQ(ClassifyDeviceProofError(short_sig.error()), DeviceProofFailure::kSignatureInvalid);
    auto empty_sig = Ed25519Verify(pair->public_key(), AsBytes("m"), {});
    ASSERT_FALSE(empty_sig);
    EXPECT_EQ(ClassifyDeviceProofError(empty_sig.error()), DeviceProofFailure::kSignatureInvalid);
}

TEST(Ed25519Test, FromSeedRejectsWrongSize) {
    EXPECT_FALSE(Ed25519KeyPair::FromSeed(std::vector<std::uint8_t>(31, 0)));
    EXPECT_FALSE(Ed25519KeyPair::FromSeed(std::vector<std::uint8_t>(64, 0)));
}

TEST(Ed25519Test, DeviceIdIsHexSha256OfRawKey) {
    // Expected values computed independently (Python hashlib over the RFC 8032 public keys).
    auto k1 = Hex(kVectors[0].public_key);
    EXPECT_EQ(
        DeviceIdFromPublicKey(std::span<const std::uint8_t, 32>(k1.data(), 32)),
        "21fe31dfa154a261626bf854046fd2271b7bed4b6abe45aa58877ef47f9721b9"
    );
    auto k2 = Hex(kVectors[1].public_key);
    EXPECT_EQ(
        DeviceIdFromPublicKey(std::span<const std::uint8_t, 32>(k2.data(), 32)),
        "39f713d0a644253f04529421b9f51b9b08979d08295959c4f3990ee617f5139f"
    );
}

TEST(Ed25519Test, ParseDevicePublicKeyAcceptsRawSpkiAndPem) {
    const auto raw = Hex(kVectors[0].public_key);
    auto from_raw = ParseDevicePublicKey("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo");
    ASSERT_TRUE(from_raw);
    EXPECT_EQ(std::vector<std::uint8_t>(from_raw->begin(), from_raw->end()), raw);

    auto spki = Hex("302a300506032b6570032100");
    spki.insert(spki.end(), raw.begin(), raw.end());
    auto from_spki = ParseDevicePublicKey(Base64UrlEncode(spki));
    ASSERT_TRUE(from_spki);
    EXPECT_EQ(*from_spki, *from_raw);

    auto from_pem = ParseDevicePublicKey(
        "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n-----END "
        "PUBLIC KEY-----\n"
    );
    ASSERT_TRUE(from_pem);
    EXPECT_EQ(*from_pem, *from_raw);
    EXPECT_EQ(EncodeDevicePublicKey(*from_raw), "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo");
}

TEST(Ed25519Test, ParseDevicePublicKeyRejectsOtherForms) {
    const std::string raw_b64 = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
    auto wrong_prefix = Hex("302a300506032b6571032100");  // Ed448 OID
    const auto raw = Hex(kVectors[0].public_key);
    wrong_prefix.insert(wrong_prefix.end(), raw.begin(), raw.end());
    for (const std::string& bad :
         {raw_b64 + "=",
          std::string("11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo"),
          raw_b64.substr(1),
          raw_b64 + "AA",
          std::string(),
          Base64UrlEncode(wrong_prefix),
          std::string(300, 'A'),
          std::string("-----BEGIN PUBLIC KEY-----\n!!\n")}) {
        auto parsed = ParseDevicePublicKey(bad);
        ASSERT_FALSE(parsed) << bad;
        EXPECT_EQ(ClassifyDeviceProofError(parsed.error()), DeviceProofFailure::kPublicKeyInvalid) << bad;
    }
}

TEST(Ed25519Test, DeviceProofRoundTripsAndClassifiesFailures) {
    auto device = Ed25519KeyPair::Generate();
    auto other = Ed25519KeyPair::Generate();
    ASSERT_TRUE(device && other);
    const std::string pub = EncodeDevicePublicKey(device->public_key());
    const std::string device_id = DeviceIdFromPublicKey(device->public_key());
    const std::string message =
        "v3|" + device_id + "|cli|cli|operator|operator.read|1737264000000||n-1|linux|desktop";
    auto sig = device->Sign(message);
    ASSERT_TRUE(sig);
    const std::string sig_b64 = Base64UrlEncode(*sig);

    EXPECT_TRUE(VerifyDeviceSignature(pub, message, sig_b64));

    auto tampered = VerifyDeviceSignature(pub, message + "x", sig_b64);
    ASSERT_FALSE(tampered);
    EXPECT_EQ(ClassifyDeviceProofError(tampered.error()), DeviceProofFailure::kSignatureInvalid);

    auto wrong_key = VerifyDeviceSignature(EncodeDevicePublicKey(other->public_key()), message, sig_b64);
    ASSERT_FALSE(wrong_key);
    EXPECT_EQ(ClassifyDeviceProofError(wrong_key.error()), DeviceProofFailure::kSignatureInvalid);

    auto bad_key = VerifyDeviceSignature("not a key", message, sig_b64);
    ASSERT_FALSE(bad_key);
    EXPECT_EQ(ClassifyDeviceProofError(bad_key.error()), DeviceProofFailure::kPublicKeyInvalid);

    for (const std::string& bad_sig :
         {sig_b64 + "==", sig_b64.substr(0, 80), std::string(), std::string("*")}) {
        auto r = VerifyDeviceSignature(pub, message, bad_sig);
        ASSERT_FALSE(r) << bad_sig;
        EXPECT_EQ(ClassifyDeviceProofError(r.error()), DeviceProofFailure::kSignatureInvalid) << bad_sig;
    }
}

TEST(Ed25519Test, ClassifyIgnoresUnrelatedErrors) {
    EXPECT_EQ(ClassifyDeviceProofError(MakeError(ErrorCode::kInternal, "boom")), std::nullopt);
}

}  // namespace
}  // namespace gw::crypto
