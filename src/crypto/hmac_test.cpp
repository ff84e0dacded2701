#include "crypto/hmac.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "crypto/encoding.hpp"
#include "crypto/sha256.hpp"

namespace gw::crypto {
namespace {

// FIPS 180-2 appendix B examples.
TEST(Sha256Test, MatchesFipsExamples) {
    EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(
        Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
    );
    EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256Test, ByteAndTextOverloadsAgree) {
    const std::string text = "payload";
    const std::vector<std::uint8_t> bytes(text.begin(), text.end());
    EXPECT_EQ(Sha256(bytes), Sha256(text));
    EXPECT_EQ(HexEncode(Sha256(text)), Sha256Hex(text));
}

// RFC 4231 test cases 1, 2 and 6.
TEST(HmacSha256Test, MatchesRfc4231Vectors) {
    EXPECT_EQ(
        HmacSha256Hex(std::string(20, '\x0b'), "Hi There"),
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
    );
    EXPECT_EQ(
        HmacSha256Hex("Jefe", "what do ya want for nothing?"),
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
    EXPECT_EQ(
        HmacSha256Hex(std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First"),
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
    );
}

TEST(HmacSha256Test, EmptyKeyIsNotConfusedWithThePreviousKeyOfTheThread) {
    // The per-thread MAC context keeps its last key; an empty key must still mean "empty".
    const auto keyed = HmacSha256Hex("some key", "");
    // Reference value from Python's hmac module: hmac.new(b"", b"", sha256).
    EXPECT_EQ(HmacSha256Hex("", ""), "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
    EXPECT_NE(keyed, HmacSha256Hex("", ""));
}

TEST(HmacSha256Test, VerifyAcceptsOnlyTheExactTag) {
    const std::string key = "secret";
    const std::string data = "message";
    const std::span<const std::uint8_t> key_bytes(
        reinterpret_cast<const std::uint8_t*>(key.data()), key.size()
    );
    const std::span<const std::uint8_t> data_bytes(
        reinterpret_cast<const std::uint8_t*>(data.data()), data.size()
    );
    HmacSha256Tag tag = HmacSha256(key, data);
    EXPECT_TRUE(VerifyHmacSha256(key_bytes, data_bytes, tag));
    EXPECT_FALSE(VerifyHmacSha256(key_bytes, data_bytes, std::span<const std::uint8_t>(tag).first(31)));
    tag[31] ^= 1;
    EXPECT_FALSE(VerifyHmacSha256(key_bytes, data_bytes, tag));
}

}  // namespace
}  // namespace gw::crypto
