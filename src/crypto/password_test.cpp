#include "crypto/password.hpp"

#include <vector>

#include <gtest/gtest.h>

namespace gw::crypto {
namespace {

// Low cost for speed; the defaults are exercised once below.
constexpr Argon2Params kFast{
    .memory_kib = 64, .iterations = 1, .parallelism = 1, .salt_bytes = 16, .hash_bytes = 32};

TEST(PasswordTest, HashVerifiesCorrectPasswordAndRejectsWrongOne) {
    auto phc = HashPassword("correct horse", kFast);
    ASSERT_TRUE(phc) << phc.error().message;
    EXPECT_TRUE(phc->starts_with("$argon2id$v=19$m=64,t=1,p=1$"));
    auto ok = VerifyPassword("correct horse", *phc);
    ASSERT_TRUE(ok);
    EXPECT_TRUE(*ok);
    auto wrong = VerifyPassword("correct horsf", *phc);
    ASSERT_TRUE(wrong);
    EXPECT_FALSE(*wrong);
    auto empty = VerifyPassword("", *phc);
    ASSERT_TRUE(empty);
    EXPECT_FALSE(*empty);
}

TEST(PasswordTest, SaltsDifferBetweenHashes) {
    auto a = HashPassword("pw", kFast);
    auto b = HashPassword("pw", kFast);
    ASSERT_TRUE(a && b);
    EXPECT_NE(*a, *b);
}

TEST(PasswordTest, DefaultParametersAreOwaspMinimum) {
    auto phc = HashPassword("pw");
    ASSERT_TRUE(phc);
    EXPECT_TRUE(phc->starts_with("$argon2id$v=19$m=19456,t=2,p=1$")) << *phc;
    auto ok = VerifyPassword("pw", *phc);
    ASSERT_TRUE(ok);
    EXPECT_TRUE(*ok);
}

// Known answer computed independently with Python cryptography's Argon2id (password "password", salt
// "somesalt", t=2, m=256, p=4, 32 bytes).
TEST(PasswordTest, VerifiesHashFromIndependentImplementation) {
    const std::string phc =
        "$argon2id$v=19$m=256,t=2,p=4$c29tZXNhbHQ$vinRxJdZOVnNcB5c7v6Kb72ibZs4ksCM/yYeCpS6srE";
    auto ok = VerifyPassword("password", phc);
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_TRUE(*ok);
    auto wrong = VerifyPassword("passwore", phc);
    ASSERT_TRUE(wrong);
    EXPECT_FALSE(*wrong);
}

TEST(PasswordTest, MalformedPhcStringsAreErrorsNotCrashes) {
    auto good = HashPassword("pw", kFast);
    ASSERT_TRUE(good);
    const std::string g = *good;
    const std::string cases[] = {
        "",
        "$argon2id$",
        "$argon2i$v=19$m=64,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2d$v=19$m=64,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2id$v=16$m=64,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2id$m=64,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2id$v=19$t=1,m=64,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2id$v=19$m=064,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2id$v=19$m=-64,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2id$v=19$m=99999999999,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2id$v=19$m=4294967295,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2id$v=19$m=64,t=0,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2id$v=19$m=64,t=1000,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2id$v=19$m=64,t=1,p=0$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2id$v=19$m=64,t=1,p=1$c29t$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",  // salt < 8 bytes
        "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ$CTFh",                                  // hash < 16 bytes
        "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ=$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",  // padding
        "$argon2id$v=19$m=64,t=1,p=1$c29tZXNh_HQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",   // url
                                                                                                 // alphabet
        "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ",
        "$argon2id$v=19$m=64,t=1,p=1,keyid=abc$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc$extra",
        g.substr(0, g.size() - 1) + "!",
        g + " ",
        std::string(600, '$'),
    };
    for (const std::string& phc : cases) {
        auto r = VerifyPassword("pw", phc);
        ASSERT_FALSE(r) << phc;
        EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << phc;
        EXPECT_FALSE(NeedsRehash(phc, kFast)) << phc;
    }
}

TEST(PasswordTest, NeedsRehashDetectsParameterChanges) {
    auto phc = HashPassword("pw", kFast);
    ASSERT_TRUE(phc);
    auto same = NeedsRehash(*phc, kFast);
    ASSERT_TRUE(same);
    EXPECT_FALSE(*same);
    std::vector<Argon2Params> changed(5, kFast);
    changed[0].memory_kib = 128;
    changed[1].iterations = 2;
    changed[2].parallelism = 2;
    changed[3].hash_bytes = 16;
    changed[4].salt_bytes = 32;
    for (std::size_t i = 0; i < changed.size(); ++i) {
        auto r = NeedsRehash(*phc, changed[i]);
        ASSERT_TRUE(r);
        EXPECT_TRUE(*r) << i;
    }
}

TEST(PasswordTest, HashRejectsOutOfBoundsParametersAndHugePasswords) {
    Argon2Params p = kFast;
    p.iterations = 0;
    EXPECT_FALSE(HashPassword("pw", p));
    p = kFast;
    p.memory_kib = kArgon2MaxMemoryKib + 1;
    EXPECT_FALSE(HashPassword("pw", p));
    p = kFast;
    p.salt_bytes = 4;
    EXPECT_FALSE(HashPassword("pw", p));
    EXPECT_FALSE(HashPassword(std::string(kMaxPasswordBytes + 1, 'x'), kFast));
    auto phc = HashPassword("pw", kFast);
    ASSERT_TRUE(phc);
    EXPECT_FALSE(VerifyPassword(std::string(kMaxPasswordBytes + 1, 'x'), *phc));
}

TEST(PasswordTest, ParallelismAboveOneRoundTrips) {
    Argon2Params p = kFast;
    p.parallelism = 2;
    p.memory_kib = 64;
    auto phc = HashPassword("pw", p);
    ASSERT_TRUE(phc) << phc.error().message;
    auto parsed = ParseArgon2Phc(*phc);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->params.parallelism, 2U);
    auto ok = VerifyPassword("pw", *phc);
    ASSERT_TRUE(ok);
    EXPECT_TRUE(*ok);
}

}  // namespace
}  // namespace gw::crypto
