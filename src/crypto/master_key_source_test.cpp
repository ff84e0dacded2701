#include "crypto/master_key_source.hpp"

#include <map>

#include <gtest/gtest.h>

#include <sys/stat.h>

#include "crypto/encoding.hpp"
#include "crypto/random.hpp"
#include "support/temp_dir.hpp"

namespace gw::crypto {
namespace {

config::EnvLookup EnvOf(std::map<std::string, std::string, std::less<>> vars) {
    return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
        auto it = vars.find(name);
        return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
    };
}

std::vector<std::uint8_t> WrapSomething(MasterKeyProvider& provider, const Aes256GcmKey& data_key) {
    const std::vector<std::uint8_t> aad = {1, 2, 3};
    return provider.WrapKey(data_key, aad).value();
}

TEST(MasterKeySourceTest, WithoutEnvCreatesALocal0600KeyFileUnderTheDataDir) {
    gw::testing::TempDir dir;
    auto provider = OpenMasterKeyProvider(dir.Path(), EnvOf({})).value();
    const auto data_key = Aes256GcmKey::Generate();
    const auto wrapped = WrapSomething(*provider, data_key);  // first use creates the file
    const auto path = LocalMasterKeyPath(dir.Path());

    struct stat st {};

    ASSERT_EQ(::stat(path.c_str(), &st), 0) << path;
    EXPECT_EQ(st.st_mode & 0777, 0600U);
    EXPECT_EQ(st.st_size, 32);
    // A second provider (a restart) reads the same key and unwraps.
    auto again = OpenMasterKeyProvider(dir.Path(), EnvOf({})).value();
    const std::vector<std::uint8_t> aad = {1, 2, 3};
    EXPECT_TRUE(again->UnwrapKey(wrapped, aad));
}

TEST(MasterKeySourceTest, EnvKeyWinsAndNeverTouchesTheDataDir) {
    gw::testing::TempDir dir;
    const std::string hex = HexEncode(RandomBytes<32>());
    auto provider = OpenMasterKeyProvider(dir.Path(), EnvOf({{"OPENCLAW_MASTER_KEY", hex}})).value();
    EXPECT_NE(provider->Describe().find("OPENCLAW_MASTER_KEY"), std::string::npos);
    EXPECT_EQ(provider->Describe().find(hex), std::string::npos);  // never the value
    const auto wrapped = WrapSomething(*provider, Aes256GcmKey::Generate());
    EXPECT_FALSE(std::filesystem::exists(LocalMasterKeyPath(dir.Path())));
    auto same = OpenMasterKeyProvider(dir.Path(), EnvOf({{"OPENCLAW_MASTER_KEY", hex}})).value();
    const std::vector<std::uint8_t> aad = {1, 2, 3};
    EXPECT_TRUE(same->UnwrapKey(wrapped, aad));
}

TEST(MasterKeySourceTest, SecretFileIsReadAndMissingFileIsNotFound) {
    gw::testing::TempDir dir;
    const std::string file = dir.Write("master.secret", HexEncode(RandomBytes<32>()) + "\n");
    EXPECT_TRUE(OpenMasterKeyProvider(dir.Path(), EnvOf({{"OPENCLAW_MASTER_KEY_FILE", file}})));
    auto missing =
        OpenMasterKeyProvider(dir.Path(), EnvOf({{"OPENCLAW_MASTER_KEY_FILE", dir.File("absent")}}));
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST(MasterKeySourceTest, BadOrAmbiguousSettingsAreRefused) {
    gw::testing::TempDir dir;
    auto bad = OpenMasterKeyProvider(dir.Path(), EnvOf({{"OPENCLAW_MASTER_KEY", "too-short"}}));
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(bad.error().message.find("too-short"), std::string::npos);
    auto both = OpenMasterKeyProvider(
        dir.Path(),
        EnvOf({{"OPENCLAW_MASTER_KEY", HexEncode(RandomBytes<32>())}, {"OPENCLAW_MASTER_KEY_FILE", "/x"}})
    );
    ASSERT_FALSE(both);
    EXPECT_EQ(both.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace gw::crypto
