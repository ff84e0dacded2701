// store.encryption: classification policy and rotation schedule of encryption at rest.
#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "config/config_test_support.hpp"
#include "config/loader.hpp"

namespace gw::config {
namespace {

using namespace std::chrono_literals;
using testing::LoadErrorOf;
using testing::LoadOkOf;

TEST(ConfigEncryptionTest, DefaultsAreConfidentialWithTheBriefsRotationAges) {
    const auto cfg = LoadOkOf("");
    const auto& enc = cfg.store.encryption;
    EXPECT_EQ(enc.default_classification, "confidential");
    EXPECT_TRUE(enc.tenants.empty());
    EXPECT_EQ(enc.rotate_internal, 0s);
    EXPECT_EQ(enc.rotate_confidential, std::chrono::hours(24 * 30));
    EXPECT_EQ(enc.rotate_restricted, std::chrono::hours(24 * 7));
    EXPECT_EQ(enc.reencrypt_batch_size, 200U);
}

TEST(ConfigEncryptionTest, PolicyRulesAndScheduleAreRead) {
    const auto cfg = LoadOkOf(R"(store:
  encryption:
    default_classification: internal
    tenants: {acme: restricted}
    agents: {docs-bot: public}
    channels: {telegram: restricted}
    rotate_confidential: 240h
    rotate_restricted: 24h
    reencrypt_batch_size: 50
    reencrypt_batch_delay: 5ms
)");
    const auto& enc = cfg.store.encryption;
    EXPECT_EQ(enc.default_classification, "internal");
    EXPECT_EQ(enc.tenants.at("acme"), "restricted");
    EXPECT_EQ(enc.agents.at("docs-bot"), "public");
    EXPECT_EQ(enc.channels.at("telegram"), "restricted");
    EXPECT_EQ(enc.rotate_confidential, 240h);
    EXPECT_EQ(enc.rotate_restricted, 24h);
    EXPECT_EQ(enc.reencrypt_batch_size, 50U);
    EXPECT_EQ(enc.reencrypt_batch_delay, 5ms);
}

TEST(ConfigEncryptionTest, UnknownClassificationIsRefusedWithItsPath) {
    const auto error = LoadErrorOf("store:\n  encryption:\n    tenants: {acme: secret}\n");
    EXPECT_NE(error.find("store.encryption.tenants"), std::string::npos) << error;
    EXPECT_NE(error.find("secret"), std::string::npos) << error;
    const auto error2 = LoadErrorOf("store:\n  encryption:\n    default_classification: top\n");
    EXPECT_NE(error2.find("store.encryption.default_classification"), std::string::npos) << error2;
}

}  // namespace
}  // namespace gw::config
