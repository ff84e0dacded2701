#include "crypto/keyring.hpp"

#include <algorithm>
#include <string>
#include <unordered_set>
#include <vector>

#include <gtest/gtest.h>

#include "crypto/encoding.hpp"
#include "crypto/random.hpp"

namespace gw::crypto {
namespace {

constexpr Classification kEncrypted[] = {
    Classification::kInternal, Classification::kConfidential, Classification::kRestricted};

std::unique_ptr<StaticKeyProvider> RandomMasterKey() {
    return StaticKeyProvider::FromEncoded(HexEncode(RandomBytes<32>()), "test").value();
}

std::uint32_t VersionOf(const std::vector<std::uint8_t>& blob) {
    return ParseEnvelopeHeader(blob).value().key_version;
}

bool Contains(const std::vector<std::uint8_t>& haystack, std::string_view needle) {
    return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) != haystack.end();
}

class KeyringTest : public ::testing::Test {
protected:
    void SetUp() override { keyring_ = Keyring::Open(*master_, store_).value(); }

    std::vector<std::uint8_t> Encrypt(const EnvelopeContext& ctx, Classification c, std::string_view text) {
        return keyring_->Encrypt(ctx, c, text).value();
    }

    std::unique_ptr<StaticKeyProvider> master_ = RandomMasterKey();
    InMemoryWrappedKeyStore store_;
    std::unique_ptr<Keyring> keyring_;
};

TEST_F(KeyringTest, EveryClassificationRoundTrips) {
    const EnvelopeContext ctx{"acme", "messages", "m-1"};
    const std::string secret = "the quarterly numbers are in";
    for (auto c :
         {Classification::kPublic,
          Classification::kInternal,
          Classification::kConfidential,
          Classification::kRestricted}) {
        SCOPED_TRACE(ClassificationName(c));
        const auto blob = Encrypt(ctx, c, secret);
        EXPECT_EQ(keyring_->Decrypt(ctx, blob).value(), secret);
        EXPECT_EQ(ParseEnvelopeHeader(blob).value().classification, c);
        // Public data is stored readable (with its marker); everything else is not.
        EXPECT_EQ(Contains(blob, secret), c == Classification::kPublic);
    }
    EXPECT_EQ(keyring_->Decrypt(ctx, Encrypt(ctx, Classification::kRestricted, "")).value(), "");
}

TEST_F(KeyringTest, CiphertextMovedToAnotherRowTableOrTenantFailsToDecrypt) {
    ASSERT_TRUE(keyring_->EnsureTenant("other"));
    const auto blob = Encrypt({"acme", "messages", "m-1"}, Classification::kConfidential, "secret");
    const EnvelopeContext elsewhere[] = {
        {"acme", "messages", "m-2"}, {"acme", "sessions", "m-1"}, {"other", "messages", "m-1"}};
    for (const auto& ctx : elsewhere) {
        auto decrypted = keyring_->Decrypt(ctx, blob);
        ASSERT_FALSE(decrypted) << ctx.tenant << "/" << ctx.table << "/" << ctx.row;
        EXPECT_EQ(decrypted.error().code, ErrorCode::kInternal);
        EXPECT_EQ(
            decrypted.error().message,
            "ciphertext integrity check failed (tenant/table/row mismatch or tampering)"
        );
    }
    // A tenant without keys cannot even find the key version.
    EXPECT_EQ(keyring_->Decrypt({"nobody", "messages", "m-1"}, blob).error().code, ErrorCode::kNotFound);
}

TEST_F(KeyringTest, FlippingAnySingleByteOfTheEnvelopeIsDetected) {
    const EnvelopeContext ctx{"acme", "messages", "m-1"};
    ASSERT_EQ(keyring_->Rotate("acme", Classification::kInternal).value(), 1U);
    ASSERT_EQ(keyring_->Rotate("acme", Classification::kInternal).value(), 2U);
    const auto blob = Encrypt(ctx, Classification::kInternal, "sixteen byte msg");
    for (std::size_t i = 0; i < blob.size(); ++i) {
        for (std::uint8_t flip : {std::uint8_t{0x01}, std::uint8_t{0x80}, std::uint8_t{0xFF}}) {
            auto modified = blob;
            modified[i] ^= flip;
            EXPECT_FALSE(keyring_->Decrypt(ctx, modified)) << "byte " << i << " xor " << int{flip};
        }
    }
    EXPECT_FALSE(keyring_->Decrypt(ctx, std::span(blob).first(blob.size() - 1)));
    EXPECT_EQ(keyring_->Decrypt(ctx, blob).value(), "sixteen byte msg");
}

TEST_F(KeyringTest, NoncesAreUniqueAcross100kEncryptions) {
    const EnvelopeContext ctx{"acme", "messages", "m-1"};
    std::unordered_set<std::string> nonces;
    nonces.reserve(100'000);
    for (int i = 0; i < 100'000; ++i) {
        const auto blob = Encrypt(ctx, Classification::kInternal, "x");
        const auto nonce = std::span(blob).subspan(6, kAesGcmNonceSize);
        ASSERT_TRUE(nonces.emplace(nonce.begin(), nonce.end()).second) << "nonce repeated at " << i;
    }
}

TEST_F(KeyringTest, RotationSwitchesNewWritesAtOnceAndOldVersionsKeepDecrypting) {
    const EnvelopeContext ctx{"acme", "messages", "m-1"};
    const auto v1 = Encrypt(ctx, Classification::kConfidential, "one");
    EXPECT_EQ(VersionOf(v1), 1U);
    EXPECT_EQ(keyring_->Rotate("acme", Classification::kConfidential).value(), 2U);
    const auto v2 = Encrypt(ctx, Classification::kConfidential, "two");
    EXPECT_EQ(VersionOf(v2), 2U);
    // Other classes and tenants are unaffected.
    EXPECT_EQ(VersionOf(Encrypt(ctx, Classification::kInternal, "i")), 1U);
    EXPECT_EQ(VersionOf(Encrypt({"other", "t", "r"}, Classification::kConfidential, "o")), 1U);
    EXPECT_EQ(keyring_->Decrypt(ctx, v1).value(), "one");
    EXPECT_EQ(keyring_->Decrypt(ctx, v2).value(), "two");
}

TEST_F(KeyringTest, MinDecryptVersionRetiresOlderVersions) {
    const EnvelopeContext ctx{"acme", "messages", "m-1"};
    const auto v1 = Encrypt(ctx, Classification::kRestricted, "old");
    ASSERT_TRUE(keyring_->Rotate("acme", Classification::kRestricted));
    const auto v2 = Encrypt(ctx, Classification::kRestricted, "new");
    ASSERT_TRUE(keyring_->SetMinDecryptVersion("acme", Classification::kRestricted, 2));

    auto retired = keyring_->Decrypt(ctx, v1);
    ASSERT_FALSE(retired);
    EXPECT_EQ(retired.error().code, ErrorCode::kNotFound);
    EXPECT_NE(retired.error().message.find("retired (minimum decrypt version 2)"), std::string::npos);
    EXPECT_EQ(keyring_->Decrypt(ctx, v2).value(), "new");

    EXPECT_EQ(
        keyring_->SetMinDecryptVersion("acme", Classification::kRestricted, 3).error().code,
        ErrorCode::kInvalidArgument
    );
    EXPECT_EQ(
        keyring_->SetMinDecryptVersion("acme", Classification::kRestricted, 0).error().code,
        ErrorCode::kInvalidArgument
    );
    EXPECT_EQ(
        keyring_->SetMinDecryptVersion("acme", Classification::kInternal, 1).error().code,
        ErrorCode::kNotFound
    );

    ASSERT_TRUE(keyring_->SetMinDecryptVersion("acme", Classification::kRestricted, 1));
    EXPECT_EQ(keyring_->Decrypt(ctx, v1).value(), "old");
}

TEST_F(KeyringTest, ShreddingATenantMakesItsDataUnreadableWhileOtherTenantsStillDecrypt) {
    const EnvelopeContext acme{"acme", "messages", "m-1"};
    const EnvelopeContext globex{"globex", "messages", "m-1"};
    const auto acme_blob = Encrypt(acme, Classification::kConfidential, "acme secret");
    const auto globex_blob = Encrypt(globex, Classification::kConfidential, "globex secret");
    ASSERT_EQ(store_.KeyCount(), 2U);

    ASSERT_TRUE(keyring_->ShredTenant("acme"));
    EXPECT_EQ(store_.KeyCount(), 1U);
    auto gone = keyring_->Decrypt(acme, acme_blob);
    ASSERT_FALSE(gone);
    EXPECT_EQ(gone.error().code, ErrorCode::kNotFound);
    EXPECT_EQ(keyring_->Decrypt(globex, globex_blob).value(), "globex secret");

    // A reopened keyring (process restart) cannot read it either.
    auto reopened = Keyring::Open(*master_, store_).value();
    EXPECT_FALSE(reopened->Decrypt(acme, acme_blob));
    EXPECT_EQ(reopened->Decrypt(globex, globex_blob).value(), "globex secret");

    // New writes for the tenant start a fresh key series; the old ciphertext still fails.
    const auto fresh = Encrypt(acme, Classification::kConfidential, "new life");
    EXPECT_EQ(VersionOf(fresh), 1U);
    EXPECT_EQ(keyring_->Decrypt(acme, acme_blob).error().code, ErrorCode::kInternal);
    EXPECT_EQ(keyring_->Decrypt(acme, fresh).value(), "new life");
}

TEST_F(KeyringTest, KeysAndPoliciesSurviveReopeningWithTheSameMasterKey) {
    const EnvelopeContext ctx{"acme", "messages", "m-1"};
    const auto v1 = Encrypt(ctx, Classification::kInternal, "one");
    ASSERT_TRUE(keyring_->Rotate("acme", Classification::kInternal));
    const auto v2 = Encrypt(ctx, Classification::kInternal, "two");
    ASSERT_TRUE(keyring_->SetMinDecryptVersion("acme", Classification::kInternal, 2));

    auto reopened = Keyring::Open(*master_, store_).value();
    EXPECT_EQ(reopened->Decrypt(ctx, v2).value(), "two");
    EXPECT_EQ(reopened->Decrypt(ctx, v1).error().code, ErrorCode::kNotFound);
    EXPECT_EQ(VersionOf(reopened->Encrypt(ctx, Classification::kInternal, "three").value()), 2U);
}

TEST_F(KeyringTest, OpeningWithADifferentMasterKeyFails) {
    ASSERT_TRUE(keyring_->EnsureTenant("acme"));
    const auto other_master = RandomMasterKey();
    auto opened = Keyring::Open(*other_master, store_);
    ASSERT_FALSE(opened);
    EXPECT_EQ(opened.error().code, ErrorCode::kInternal);
    EXPECT_NE(opened.error().message.find("cannot load key version 1"), std::string::npos);
    EXPECT_NE(opened.error().message.find("a different master key"), std::string::npos);
}

TEST_F(KeyringTest, WrappedKeysAreBoundToTheirTenantClassAndVersion) {
    ASSERT_TRUE(keyring_->EnsureTenant("acme"));
    auto set = store_.LoadAll().value();
    ASSERT_EQ(set.keys.size(), 3U);
    for (const auto& record : set.keys) {
        EXPECT_EQ(record.wrapped.size(), 61U);
        EXPECT_EQ(record.wrapped[0], kWrapFormatLocalAesGcm);
    }
    // Relabel a stored wrapped key as another tenant's: unwrapping must fail.
    InMemoryWrappedKeyStore forged;
    WrappedKeyRecord record = set.keys[0];
    record.tenant = "mallory";
    ASSERT_TRUE(forged.Insert(record));
    EXPECT_EQ(Keyring::Open(*master_, forged).error().code, ErrorCode::kInternal);
}

TEST_F(KeyringTest, StatusListsEveryVersionWithCreationTimeAndFlags) {
    auto t = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));
    auto keyring = Keyring::Open(*master_, store_, {.now = [&t] { return t; }}).value();
    ASSERT_TRUE(keyring->Rotate("acme", Classification::kConfidential));
    t += std::chrono::hours(24);
    ASSERT_TRUE(keyring->Rotate("acme", Classification::kConfidential));
    ASSERT_TRUE(keyring->SetMinDecryptVersion("acme", Classification::kConfidential, 2));
    ASSERT_TRUE(keyring->Rotate("beta", Classification::kInternal));

    const auto status = keyring->Status();
    ASSERT_EQ(status.size(), 3U);
    EXPECT_EQ(status[0].tenant, "acme");
    EXPECT_EQ(status[0].version, 1U);
    EXPECT_EQ(
        status[0].created_at, std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000))
    );
    EXPECT_FALSE(status[0].active);
    EXPECT_FALSE(status[0].decryptable);
    EXPECT_EQ(status[1].version, 2U);
    EXPECT_EQ(status[1].created_at, t);
    EXPECT_TRUE(status[1].active);
    EXPECT_TRUE(status[1].decryptable);
    EXPECT_EQ(status[2].tenant, "beta");
    EXPECT_EQ(status[2].classification, Classification::kInternal);
}

TEST_F(KeyringTest, DecryptRejectsAClassificationDowngrade) {
    const EnvelopeContext ctx{"acme", "users", "u-1"};
    const auto plain = Encrypt(ctx, Classification::kPublic, "ssn 123");
    const auto internal = Encrypt(ctx, Classification::kInternal, "ssn 123");
    EXPECT_EQ(
        keyring_->Decrypt(ctx, plain, Classification::kConfidential).error().code, ErrorCode::kInternal
    );
    EXPECT_EQ(
        keyring_->Decrypt(ctx, internal, Classification::kConfidential).error().code, ErrorCode::kInternal
    );
    EXPECT_EQ(keyring_->Decrypt(ctx, internal, Classification::kInternal).value(), "ssn 123");
}

TEST_F(KeyringTest, InvalidRequestsAreRejected) {
    EXPECT_EQ(
        keyring_->Encrypt({"", "t", "r"}, Classification::kInternal, "x").error().code,
        ErrorCode::kInvalidArgument
    );
    EXPECT_TRUE(keyring_->Encrypt({"", "t", "r"}, Classification::kPublic, "x"));
    EXPECT_EQ(keyring_->Rotate("acme", Classification::kPublic).error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(keyring_->Rotate("", Classification::kInternal).error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(keyring_->ShredTenant("").error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(keyring_->EnsureTenant("").error().code, ErrorCode::kInvalidArgument);
    const auto blob = Encrypt({"acme", "t", "r"}, Classification::kInternal, "x");
    EXPECT_EQ(keyring_->Decrypt({"", "t", "r"}, blob).error().code, ErrorCode::kInvalidArgument);
}

TEST_F(KeyringTest, RotateAllRotatesEveryTenantThatHasTheClass) {
    ASSERT_TRUE(keyring_->EnsureTenant("a"));
    ASSERT_TRUE(keyring_->EnsureTenant("b"));
    ASSERT_TRUE(keyring_->Rotate("c", Classification::kInternal));
    EXPECT_EQ(keyring_->RotateAll(Classification::kConfidential).value(), 2U);
    EXPECT_EQ(VersionOf(Encrypt({"a", "t", "r"}, Classification::kConfidential, "x")), 2U);
    EXPECT_EQ(VersionOf(Encrypt({"b", "t", "r"}, Classification::kConfidential, "x")), 2U);
    EXPECT_EQ(VersionOf(Encrypt({"c", "t", "r"}, Classification::kConfidential, "x")), 1U);
}

TEST_F(KeyringTest, EnsureTenantCreatesVersionOneOfEveryEncryptedClassOnce) {
    ASSERT_TRUE(keyring_->EnsureTenant("acme"));
    ASSERT_TRUE(keyring_->EnsureTenant("acme"));
    EXPECT_EQ(store_.KeyCount(), 3U);
    for (auto c : kEncrypted) {
        EXPECT_EQ(VersionOf(Encrypt({"acme", "t", "r"}, c, "x")), 1U);
    }
}

// A store whose writes can be made to fail.
class FlakyStore final : public WrappedKeyStore {
public:
    Result<WrappedKeySet> LoadAll() override { return inner.LoadAll(); }

    Result<void> Insert(const WrappedKeyRecord& r) override {
        return fail ? Result<void>(MakeError(ErrorCode::kUnavailable, "disk gone")) : inner.Insert(r);
    }

    Result<void> SetPolicy(const KeyPolicyRecord& p) override {
        return fail ? Result<void>(MakeError(ErrorCode::kUnavailable, "disk gone")) : inner.SetPolicy(p);
    }

    Result<void> DeleteTenant(std::string_view t) override {
        return fail ? Result<void>(MakeError(ErrorCode::kUnavailable, "disk gone")) : inner.DeleteTenant(t);
    }

    InMemoryWrappedKeyStore inner;
    bool fail = false;
};

TEST(KeyringStoreFailureTest, FailedStoreWritesChangeNothing) {
    auto master = RandomMasterKey();
    FlakyStore store;
    auto keyring = Keyring::Open(*master, store).value();
    const EnvelopeContext ctx{"acme", "t", "r"};
    const auto v1 = keyring->Encrypt(ctx, Classification::kInternal, "x").value();
    store.fail = true;
    EXPECT_EQ(
        keyring->Encrypt({"new", "t", "r"}, Classification::kInternal, "x").error().code,
        ErrorCode::kUnavailable
    );
    EXPECT_EQ(keyring->Rotate("acme", Classification::kInternal).error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(keyring->ShredTenant("acme").error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(VersionOf(keyring->Encrypt(ctx, Classification::kInternal, "y").value()), 1U);
    EXPECT_EQ(keyring->Decrypt(ctx, v1).value(), "x");
    EXPECT_EQ(keyring->Status().size(), 1U);
}

TEST(KeyringSharedStoreTest, AKeyCreatedByAnotherProcessIsAdoptedOnConflict) {
    auto master = RandomMasterKey();
    InMemoryWrappedKeyStore store;
    auto first = Keyring::Open(*master, store).value();
    auto second = Keyring::Open(*master, store).value();  // opened before the key exists
    const EnvelopeContext ctx{"acme", "t", "r"};
    const auto from_first = first->Encrypt(ctx, Classification::kInternal, "one").value();
    const auto from_second = second->Encrypt(ctx, Classification::kInternal, "two").value();
    EXPECT_EQ(VersionOf(from_second), 1U);
    EXPECT_EQ(second->Decrypt(ctx, from_first).value(), "one");
    EXPECT_EQ(first->Decrypt(ctx, from_second).value(), "two");
    // An explicit rotation racing with the other process reports kConflict and reloads.
    ASSERT_EQ(first->Rotate("acme", Classification::kInternal).value(), 2U);
    EXPECT_EQ(second->Rotate("acme", Classification::kInternal).error().code, ErrorCode::kConflict);
    EXPECT_EQ(second->Rotate("acme", Classification::kInternal).value(), 3U);
}

}  // namespace
}  // namespace gw::crypto
