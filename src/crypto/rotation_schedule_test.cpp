#include "crypto/rotation_schedule.hpp"

#include <gtest/gtest.h>

#include "crypto/encoding.hpp"
#include "crypto/random.hpp"

namespace gw::crypto {
namespace {

using std::chrono::hours;
using Clock = std::chrono::system_clock;

KeyVersionStatus Active(std::string tenant, Classification c, std::uint32_t version, Clock::time_point at) {
    KeyVersionStatus s;
    s.tenant = std::move(tenant);
    s.classification = c;
    s.version = version;
    s.created_at = at;
    s.active = true;
    s.decryptable = true;
    return s;
}

TEST(RotationScheduleTest, DefaultRotatesConfidentialMonthlyAndRestrictedWeekly) {
    const auto schedule = RotationSchedule::Default();
    EXPECT_EQ(schedule.MaxAge(Classification::kConfidential), hours(24 * 30));
    EXPECT_EQ(schedule.MaxAge(Classification::kRestricted), hours(24 * 7));
    EXPECT_EQ(schedule.MaxAge(Classification::kInternal).count(), 0);
    EXPECT_EQ(schedule.MaxAge(Classification::kPublic).count(), 0);
}

TEST(RotationScheduleTest, OnlyActiveKeysPastTheirClassMaxAgeAreDue) {
    const Clock::time_point now = Clock::now();
    std::vector<KeyVersionStatus> status = {
        Active("a", Classification::kConfidential, 1, now - hours(24 * 31)),  // due
        Active("a", Classification::kRestricted, 2, now - hours(24 * 6)),     // not yet
        Active("b", Classification::kRestricted, 1, now - hours(24 * 7)),     // exactly at max age: due
        Active("b", Classification::kInternal, 1, now - hours(24 * 400)),     // internal: never
    };
    KeyVersionStatus old = Active("c", Classification::kConfidential, 1, now - hours(24 * 90));
    old.active = false;  // an old, inactive version never makes its pair due
    status.push_back(old);
    status.push_back(Active("c", Classification::kConfidential, 2, now - hours(1)));

    const auto due = DueRotations(status, RotationSchedule::Default(), now);
    ASSERT_EQ(due.size(), 2U);
    EXPECT_EQ(due[0].tenant, "a");
    EXPECT_EQ(due[0].classification, Classification::kConfidential);
    EXPECT_EQ(due[0].active_version, 1U);
    EXPECT_EQ(due[1].tenant, "b");
    EXPECT_EQ(due[1].classification, Classification::kRestricted);
}

TEST(RotationScheduleTest, RotateDueCreatesANewActiveVersionAndOldDataStillDecrypts) {
    auto master = StaticKeyProvider::FromEncoded(HexEncode(RandomBytes<32>()), "test").value();
    InMemoryWrappedKeyStore store;
    Clock::time_point fake_now = Clock::now() - hours(24 * 40);
    KeyringOptions options;
    options.now = [&fake_now] { return fake_now; };
    auto keyring = Keyring::Open(*master, store, options).value();
    ASSERT_TRUE(keyring->EnsureTenant("acme"));
    const EnvelopeContext ctx{"acme", "messages", "m1"};
    const auto old_blob = keyring->Encrypt(ctx, Classification::kConfidential, "old secret").value();

    fake_now = Clock::now();
    auto rotated = RotateDue(*keyring, RotationSchedule::Default(), fake_now);
    ASSERT_TRUE(rotated) << rotated.error().message;
    EXPECT_EQ(*rotated, 2U);  // confidential (40 d > 30 d) and restricted (40 d > 7 d); not internal
    EXPECT_EQ(keyring->ActiveVersion("acme", Classification::kConfidential), 2U);
    EXPECT_EQ(keyring->ActiveVersion("acme", Classification::kRestricted), 2U);
    EXPECT_EQ(keyring->ActiveVersion("acme", Classification::kInternal), 1U);
    EXPECT_EQ(keyring->Decrypt(ctx, old_blob).value(), "old secret");
    const auto new_blob = keyring->Encrypt(ctx, Classification::kConfidential, "new secret").value();
    EXPECT_EQ(ParseEnvelopeHeader(new_blob).value().key_version, 2U);

    // Nothing is due right after the rotation.
    EXPECT_EQ(RotateDue(*keyring, RotationSchedule::Default(), fake_now).value(), 0U);
}

TEST(KeyringActiveVersionTest, ReportsNewestVersionAndAbsenceWithoutCreatingKeys) {
    auto master = StaticKeyProvider::FromEncoded(HexEncode(RandomBytes<32>()), "test").value();
    InMemoryWrappedKeyStore store;
    auto keyring = Keyring::Open(*master, store).value();
    EXPECT_FALSE(keyring->ActiveVersion("t", Classification::kConfidential));
    EXPECT_FALSE(keyring->HasAllKeys("t"));
    EXPECT_EQ(store.KeyCount(), 0U);
    ASSERT_TRUE(keyring->EnsureTenant("t"));
    EXPECT_TRUE(keyring->HasAllKeys("t"));
    ASSERT_TRUE(keyring->Rotate("t", Classification::kRestricted));
    EXPECT_EQ(keyring->ActiveVersion("t", Classification::kRestricted), 2U);
    ASSERT_TRUE(keyring->SetMinDecryptVersion("t", Classification::kRestricted, 2));
    for (const auto& s : keyring->Status()) {
        if (s.classification == Classification::kRestricted) {
            EXPECT_EQ(s.min_decrypt_version, 2U);
        }
    }
    ASSERT_TRUE(keyring->ShredTenant("t"));
    EXPECT_FALSE(keyring->ActiveVersion("t", Classification::kRestricted));
    EXPECT_FALSE(keyring->HasAllKeys("t"));
}

}  // namespace
}  // namespace gw::crypto
