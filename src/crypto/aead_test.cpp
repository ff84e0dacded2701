#include "crypto/aead.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "crypto/encoding.hpp"

namespace gw::crypto {
namespace {

std::vector<std::uint8_t> Hex(std::string_view hex) {
    return HexDecode(hex).value();
}

Aes256GcmKey KeyFromHex(std::string_view hex) {
    return Aes256GcmKey::FromBytes(Hex(hex)).value();
}

// AES-256 test cases 13-16 of McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)",
// the specification submitted to NIST (also in NIST's GCM test vectors).
struct GcmVector {
    const char* name;
    const char* key;
    const char* iv;
    const char* plaintext;
    const char* aad;
    const char* ciphertext;
    const char* tag;
};

constexpr const char* kKey15 = "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308";
constexpr const char* kP15 =
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525"
    "b16aedf5aa0de657ba637b391aafd255";
constexpr const char* kC15 =
    "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838"
    "c5f61e6393ba7a0abcc9f662898015ad";
constexpr const char* kP16 =
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525"
    "b16aedf5aa0de657ba637b39";
constexpr const char* kC16 =
    "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838"
    "c5f61e6393ba7a0abcc9f662";

const GcmVector kVectors[] = {
    {"case13",
     "0000000000000000000000000000000000000000000000000000000000000000",
     "000000000000000000000000",
     "",
     "",
     "",
     "530f8afbc74536b9a963b4f1c4cb738b"},
    {"case14",
     "0000000000000000000000000000000000000000000000000000000000000000",
     "000000000000000000000000",
     "00000000000000000000000000000000",
     "",
     "cea7403d4d606b6e074ec5d3baf39d18",
     "d0d1c8a799996bf0265b98b5d48ab919"},
    {"case15", kKey15, "cafebabefacedbaddecaf888", kP15, "", kC15, "b094dac5d93471bdec1a502270e3cc6c"},
    {"case16",
     kKey15,
     "cafebabefacedbaddecaf888",
     kP16,
     "feedfacedeadbeeffeedfacedeadbeefabaddad2",
     kC16,
     "76fc6ece0f4e1768cddf8853bb2d551b"},
};

TEST(AeadTest, SealMatchesGcmSpecificationVectors) {
    for (const GcmVector& v : kVectors) {
        SCOPED_TRACE(v.name);
        const Aes256GcmKey key = KeyFromHex(v.key);
        const auto iv = Hex(v.iv);
        const auto plaintext = Hex(v.plaintext);
        std::vector<std::uint8_t> ciphertext(plaintext.size());
        AesGcmTag tag{};
        AesGcmSealDetached(
            key, std::span<const std::uint8_t, kAesGcmNonceSize>(iv), Hex(v.aad), plaintext, ciphertext, tag
        );
        EXPECT_EQ(HexEncode(ciphertext), v.ciphertext);
        EXPECT_EQ(HexEncode(tag), v.tag);
    }
}

TEST(AeadTest, OpenMatchesGcmSpecificationVectors) {
    for (const GcmVector& v : kVectors) {
        SCOPED_TRACE(v.name);
        const Aes256GcmKey key = KeyFromHex(v.key);
        const auto iv = Hex(v.iv);
        const auto ciphertext = Hex(v.ciphertext);
        const auto tag = Hex(v.tag);
        std::vector<std::uint8_t> plaintext(ciphertext.size());
        ASSERT_TRUE(AesGcmOpenDetached(
            key,
            std::span<const std::uint8_t, kAesGcmNonceSize>(iv),
            Hex(v.aad),
            ciphertext,
            std::span<const std::uint8_t, kAesGcmTagSize>(tag),
            plaintext
        ));
        EXPECT_EQ(HexEncode(plaintext), v.plaintext);
    }
}

TEST(AeadTest, OpenFailsAndWipesOutputWhenTagDoesNotVerify) {
    const GcmVector& v = kVectors[3];
    const Aes256GcmKey key = KeyFromHex(v.key);
    const auto iv = Hex(v.iv);
    const auto ciphertext = Hex(v.ciphertext);
    auto tag = Hex(v.tag);
    tag[5] ^= 0x40;
    std::vector<std::uint8_t> plaintext(ciphertext.size(), 0xAA);
    auto opened = AesGcmOpenDetached(
        key,
        std::span<const std::uint8_t, kAesGcmNonceSize>(iv),
        Hex(v.aad),
        ciphertext,
        std::span<const std::uint8_t, kAesGcmTagSize>(tag),
        plaintext
    );
    ASSERT_FALSE(opened);
    EXPECT_EQ(opened.error().code, ErrorCode::kInternal);
    EXPECT_EQ(plaintext, std::vector<std::uint8_t>(ciphertext.size(), 0));
}

TEST(AeadTest, SealedOutputRoundTripsAndRejectsOtherAadOrKey) {
    const Aes256GcmKey key = Aes256GcmKey::Generate();
    const std::vector<std::uint8_t> aad = {1, 2, 3};
    const std::vector<std::uint8_t> plaintext(1000, 0x5A);
    const auto sealed = AesGcmSeal(key, aad, plaintext);
    ASSERT_EQ(sealed.size(), plaintext.size() + kAesGcmNonceSize + kAesGcmTagSize);
    EXPECT_EQ(AesGcmOpen(key, aad, sealed).value(), plaintext);

    const std::vector<std::uint8_t> other_aad = {1, 2, 4};
    EXPECT_FALSE(AesGcmOpen(key, other_aad, sealed));
    EXPECT_FALSE(AesGcmOpen(Aes256GcmKey::Generate(), aad, sealed));
    EXPECT_FALSE(AesGcmOpen(key, aad, std::span(sealed).first(kAesGcmNonceSize + kAesGcmTagSize - 1)));
}

TEST(AeadTest, EveryFlippedBitOfSealedOutputIsDetected) {
    const Aes256GcmKey key = Aes256GcmKey::Generate();
    const std::vector<std::uint8_t> plaintext = {'h', 'e', 'l', 'l', 'o'};
    const auto sealed = AesGcmSeal(key, {}, plaintext);
    for (std::size_t i = 0; i < sealed.size() * 8; ++i) {
        auto modified = sealed;
        modified[i / 8] ^= static_cast<std::uint8_t>(1U << (i % 8));
        EXPECT_FALSE(AesGcmOpen(key, {}, modified)) << "bit " << i;
    }
}

TEST(AeadTest, PerThreadContextHandlesKeySwitchesAndFailedOpens) {
    // The thread's cipher context skips re-keying when the key repeats; alternate keys, identical
    // key bytes in different objects, and failures must not confuse it.
    const Aes256GcmKey a = Aes256GcmKey::Generate();
    const Aes256GcmKey b = Aes256GcmKey::Generate();
    const Aes256GcmKey a_copy = a.Clone();
    const std::vector<std::uint8_t> aad = {9};
    const std::vector<std::uint8_t> plaintext = {1, 2, 3, 4};
    const auto sealed_a = AesGcmSeal(a, aad, plaintext);
    const auto sealed_b = AesGcmSeal(b, aad, plaintext);
    for (int round = 0; round < 3; ++round) {
        EXPECT_FALSE(AesGcmOpen(b, aad, sealed_a));
        EXPECT_EQ(AesGcmOpen(a, aad, sealed_a).value(), plaintext);
        EXPECT_FALSE(AesGcmOpen(a, aad, sealed_b));
        EXPECT_FALSE(AesGcmOpen(a, aad, sealed_b));
        EXPECT_EQ(AesGcmOpen(b, aad, sealed_b).value(), plaintext);
        EXPECT_EQ(AesGcmOpen(a_copy, aad, sealed_a).value(), plaintext);
        EXPECT_EQ(AesGcmOpen(b, aad, AesGcmSeal(b, aad, plaintext)).value(), plaintext);
    }
}

TEST(AeadTest, EmptyPlaintextRoundTrips) {
    const Aes256GcmKey key = Aes256GcmKey::Generate();
    const auto sealed = AesGcmSeal(key, {}, {});
    EXPECT_TRUE(AesGcmOpen(key, {}, sealed).value().empty());
}

TEST(AeadTest, KeyFromBytesRequiresExactly32Bytes) {
    EXPECT_EQ(
        Aes256GcmKey::FromBytes(std::vector<std::uint8_t>(31)).error().code, ErrorCode::kInvalidArgument
    );
    EXPECT_EQ(
        Aes256GcmKey::FromBytes(std::vector<std::uint8_t>(33)).error().code, ErrorCode::kInvalidArgument
    );
    EXPECT_TRUE(Aes256GcmKey::FromBytes(std::vector<std::uint8_t>(32)));
}

TEST(AeadTest, MovedFromKeyIsWipedAndCloneIsEqual) {
    Aes256GcmKey key = Aes256GcmKey::Generate();
    const std::vector<std::uint8_t> original(key.Bytes().begin(), key.Bytes().end());
    ASSERT_NE(original, std::vector<std::uint8_t>(kAes256KeySize, 0));
    const Aes256GcmKey clone = key.Clone();
    const Aes256GcmKey moved = std::move(key);
    EXPECT_EQ(std::vector<std::uint8_t>(moved.Bytes().begin(), moved.Bytes().end()), original);
    EXPECT_EQ(std::vector<std::uint8_t>(clone.Bytes().begin(), clone.Bytes().end()), original);
    // NOLINTNEXTLINE(bugprone-use-after-move): checking the documented moved-from state
    EXPECT_EQ(
        std::vector<std::uint8_t>(key.Bytes().begin(), key.Bytes().end()), std::vector<std::uint8_t>(32, 0)
    );
}

TEST(AeadTest, GeneratedKeysDiffer) {
    const Aes256GcmKey a = Aes256GcmKey::Generate();
    const Aes256GcmKey b = Aes256GcmKey::Generate();
    EXPECT_FALSE(std::equal(a.Bytes().begin(), a.Bytes().end(), b.Bytes().begin()));
}

}  // namespace
}  // namespace gw::crypto
