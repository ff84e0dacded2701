#include "crypto/key_provider.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include "crypto/encoding.hpp"
#include "crypto/random.hpp"

namespace gw::crypto {
namespace {

namespace fs = std::filesystem;

std::vector<std::uint8_t> BytesOf(const Aes256GcmKey& key) {
    return {key.Bytes().begin(), key.Bytes().end()};
}

mode_t ModeOf(const fs::path& path) {
    struct stat st {};

    EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
    return st.st_mode & 07777;
}

void WriteFile(const fs::path& path, std::string_view content, mode_t mode) {
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out << content;
    }
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
}

class LocalKeyFileProviderTest : public ::testing::Test {
protected:
    void SetUp() override {
        root_ = fs::temp_directory_path() /
                ("gw_crypto_test_" + std::to_string(::getpid()) + "_" + HexEncode(RandomBytes<6>()));
        fs::create_directories(root_);
        fs::permissions(root_, fs::perms::owner_all, fs::perm_options::replace);  // independent of umask
    }

    void TearDown() override {
        std::error_code ec;
        fs::remove_all(root_, ec);
    }

    fs::path root_;
};

TEST_F(LocalKeyFileProviderTest, CreatesAPrivateKeyFileOnFirstUseAndReusesIt) {
    const fs::path path = root_ / "keys" / "master.key";
    LocalKeyFileProvider provider(path);
    const auto key = provider.MasterKey().value();
    EXPECT_EQ(ModeOf(path), 0600U);
    EXPECT_EQ(ModeOf(path.parent_path()), 0700U);
    EXPECT_EQ(fs::file_size(path), 32U);
    EXPECT_EQ(
        std::vector<fs::path>(fs::directory_iterator(path.parent_path()), {}), std::vector<fs::path>{path}
    ) << "no temporary files left behind";

    std::ifstream in(path, std::ios::binary);
    const std::vector<std::uint8_t> on_disk(
        (std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()
    );
    EXPECT_EQ(on_disk, BytesOf(key));

    EXPECT_EQ(BytesOf(provider.MasterKey().value()), BytesOf(key));
    LocalKeyFileProvider restarted(path);
    EXPECT_EQ(BytesOf(restarted.MasterKey().value()), BytesOf(key));
    EXPECT_NE(restarted.Describe().find(path.string()), std::string::npos);
}

TEST_F(LocalKeyFileProviderTest, RefusesAKeyFileAccessibleToGroupOrOthers) {
    const fs::path path = root_ / "master.key";
    for (mode_t mode : {0640, 0604, 0660, 0644}) {
        WriteFile(path, std::string(32, 'k'), mode);
        auto key = LocalKeyFileProvider(path).MasterKey();
        ASSERT_FALSE(key) << std::oct << mode;
        EXPECT_EQ(key.error().code, ErrorCode::kPermissionDenied);
        EXPECT_NE(key.error().message.find("chmod 600"), std::string::npos) << key.error().message;
    }
    ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
    EXPECT_TRUE(LocalKeyFileProvider(path).MasterKey());
}

TEST_F(LocalKeyFileProviderTest, RefusesAKeyFileOfTheWrongSize) {
    const fs::path path = root_ / "master.key";
    for (std::size_t size : {0U, 31U, 33U, 64U}) {
        WriteFile(path, std::string(size, 'k'), 0600);
        auto key = LocalKeyFileProvider(path).MasterKey();
        ASSERT_FALSE(key) << size;
        EXPECT_EQ(key.error().code, ErrorCode::kInvalidArgument);
        EXPECT_NE(key.error().message.find("exactly 32"), std::string::npos) << key.error().message;
    }
}

TEST_F(LocalKeyFileProviderTest, RefusesASymlinkAndAGroupWritableDirectory) {
    const fs::path real = root_ / "real.key";
    WriteFile(real, std::string(32, 'k'), 0600);
    const fs::path link = root_ / "link.key";
    fs::create_symlink(real, link);
    EXPECT_EQ(LocalKeyFileProvider(link).MasterKey().error().code, ErrorCode::kPermissionDenied);

    const fs::path shared = root_ / "shared";
    fs::create_directories(shared);
    ASSERT_EQ(::chmod(shared.c_str(), 0770), 0);
    auto key = LocalKeyFileProvider(shared / "master.key").MasterKey();
    ASSERT_FALSE(key);
    EXPECT_EQ(key.error().code, ErrorCode::kPermissionDenied);
    EXPECT_FALSE(fs::exists(shared / "master.key")) << "no key may be created in an unsafe directory";
}

TEST(LocalMasterKeyProviderTest, WrappedKeysUnwrapOnlyWithTheSameAad) {
    auto provider = StaticKeyProvider::FromEncoded(HexEncode(RandomBytes<32>()), "test").value();
    const Aes256GcmKey data_key = Aes256GcmKey::Generate();
    const std::vector<std::uint8_t> aad = {'t', '1'};
    const auto wrapped = provider->WrapKey(data_key, aad).value();
    EXPECT_EQ(wrapped.size(), 61U);
    EXPECT_EQ(wrapped[0], kWrapFormatLocalAesGcm);
    EXPECT_EQ(BytesOf(provider->UnwrapKey(wrapped, aad).value()), BytesOf(data_key));
    const std::vector<std::uint8_t> other_aad = {'t', '2'};
    EXPECT_EQ(provider->UnwrapKey(wrapped, other_aad).error().code, ErrorCode::kInternal);
    auto bad_format = wrapped;
    bad_format[0] = 0x02;
    EXPECT_EQ(provider->UnwrapKey(bad_format, aad).error().code, ErrorCode::kInternal);
}

TEST(StaticKeyProviderTest, AcceptsHexBase64AndBase64UrlOfTheSameKey) {
    const auto raw = RandomBytes<32>();
    const std::vector<std::uint8_t> expected(raw.begin(), raw.end());
    const std::string encodings[] = {
        HexEncode(raw), "  " + HexEncode(raw) + "\n", Base64Encode(raw), Base64UrlEncode(raw) + "\r\n"};
    for (const std::string& text : encodings) {
        auto provider = StaticKeyProvider::FromEncoded(text, "test");
        ASSERT_TRUE(provider) << text;
        EXPECT_EQ(BytesOf((*provider)->MasterKey().value()), expected) << text;
    }
}

TEST(StaticKeyProviderTest, RejectsKeysThatAreNot32BytesWithoutEchoingThem) {
    const std::string bad[] = {
        HexEncode(RandomBytes<31>()),
        HexEncode(RandomBytes<33>()),
        Base64Encode(RandomBytes<16>()),
        std::string(64, 'z'),  // right length, not hex
        "",
    };
    for (const std::string& text : bad) {
        auto provider = StaticKeyProvider::FromEncoded(text, "env:GW_TEST_KEY");
        ASSERT_FALSE(provider) << text;
        EXPECT_EQ(provider.error().code, ErrorCode::kInvalidArgument);
        EXPECT_NE(provider.error().message.find("env:GW_TEST_KEY"), std::string::npos);
        if (!text.empty()) {
            EXPECT_EQ(provider.error().message.find(text), std::string::npos) << "the message leaks the key";
        }
    }
}

TEST(StaticKeyProviderTest, ReadsEnvironmentVariablesSecretFilesAndConfigSecrets) {
    const std::string hex = HexEncode(RandomBytes<32>());
    ASSERT_EQ(::setenv("GW_CRYPTO_TEST_MASTER_KEY", hex.c_str(), 1), 0);
    auto from_env = StaticKeyProvider::FromEnv("GW_CRYPTO_TEST_MASTER_KEY");
    ASSERT_EQ(::unsetenv("GW_CRYPTO_TEST_MASTER_KEY"), 0);
    ASSERT_TRUE(from_env);
    EXPECT_EQ(HexEncode(BytesOf((*from_env)->MasterKey().value())), hex);
    EXPECT_EQ((*from_env)->Describe(), "static master key from env:GW_CRYPTO_TEST_MASTER_KEY");
    EXPECT_EQ(StaticKeyProvider::FromEnv("GW_CRYPTO_TEST_MASTER_KEY").error().code, ErrorCode::kNotFound);

    const fs::path file = fs::temp_directory_path() / ("gw_crypto_secret_" + HexEncode(RandomBytes<6>()));
    WriteFile(file, hex + "\n", 0600);
    auto from_file = StaticKeyProvider::FromFile(file);
    fs::remove(file);
    ASSERT_TRUE(from_file);
    EXPECT_EQ(HexEncode(BytesOf((*from_file)->MasterKey().value())), hex);
    EXPECT_EQ(StaticKeyProvider::FromFile(file).error().code, ErrorCode::kNotFound);

    auto from_secret = StaticKeyProvider::FromSecret(config::Secret{hex, "file:/run/secrets/master"});
    ASSERT_TRUE(from_secret);
    EXPECT_EQ((*from_secret)->Describe(), "static master key from file:/run/secrets/master");
    EXPECT_EQ(StaticKeyProvider::FromSecret(config::Secret{}).error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace gw::crypto
