#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "config/config_test_support.hpp"
#include "config/loader.hpp"

namespace gw::config {
namespace {

using gw::testing::TempDir;
using testing::EnvOf;

struct OverrideCase {
    std::string env;
    std::string value;
    std::function<void(const GatewayConfig&)> check;
};

TEST(ConfigEnvTest, EveryOverrideVariableSetsItsField) {
    // A token keeps the non-loopback OPENCLAW_GATEWAY_HOST case valid.
    const std::vector<OverrideCase> cases = {
        {"OPENCLAW_GATEWAY_PORT", "8443", [](const GatewayConfig& c) { EXPECT_EQ(c.server.port, 8443); }},
        {"OPENCLAW_GATEWAY_HOST", "::1", [](const GatewayConfig& c) { EXPECT_EQ(c.server.host, "::1"); }},
        {"OPENCLAW_GATEWAY_TOKEN",
         "tok-1",
         [](const GatewayConfig& c) {
             EXPECT_EQ(c.auth.token.value, "tok-1");
             EXPECT_EQ(c.auth.token.source, "env:OPENCLAW_GATEWAY_TOKEN");
         }},
        {"OPENCLAW_GATEWAY_PASSWORD",
         "pw-1",
         [](const GatewayConfig& c) {
             EXPECT_EQ(c.auth.password.value, "pw-1");
             EXPECT_EQ(c.auth.password.source, "env:OPENCLAW_GATEWAY_PASSWORD");
         }},
        {"OPENCLAW_DATA_DIR",
         "/data/gw",
         [](const GatewayConfig& c) { EXPECT_EQ(c.store.data_dir, "/data/gw"); }},
        {"OPENCLAW_LOG_LEVEL", "warn", [](const GatewayConfig& c) { EXPECT_EQ(c.log.level, "warn"); }},
        {"POSTGRES_HOST",
         "pg.internal",
         [](const GatewayConfig& c) { EXPECT_EQ(c.cluster.postgres_host, "pg.internal"); }},
        {"REDIS_HOST",
         "redis.internal",
         [](const GatewayConfig& c) { EXPECT_EQ(c.cluster.redis_host, "redis.internal"); }},
        {"DB_PASSWORD",
         "db-pw",
         [](const GatewayConfig& c) {
             EXPECT_EQ(c.cluster.db_password.value, "db-pw");
             EXPECT_EQ(c.cluster.db_password.source, "env:DB_PASSWORD");
         }},
        {"OPENCLAW_HOOKS_TOKEN",
         "hook-1",
         [](const GatewayConfig& c) {
             EXPECT_EQ(c.hooks.token.value, "hook-1");
             EXPECT_EQ(c.hooks.token.source, "env:OPENCLAW_HOOKS_TOKEN");
         }},
    };
    const GatewayConfig defaults;
    for (const auto& c : cases) {
        SCOPED_TRACE(c.env);
        auto r = Load(std::nullopt, EnvOf({{c.env, c.value}}));
        ASSERT_TRUE(r) << r.error().message;
        c.check(*r);
        // Only the overridden field moved away from the defaults.
        EXPECT_NE(RenderEffective(*r), RenderEffective(defaults));
    }
}

TEST(ConfigEnvTest, EnvOverridesWinOverTheFile) {
    auto r = LoadFromString(
        "server:\n  port: 1234\n  host: localhost\nauth:\n  token: from-file\nlog:\n  level: error\n",
        "gw.yaml",
        EnvOf(
            {{"OPENCLAW_GATEWAY_PORT", "4321"},
             {"OPENCLAW_GATEWAY_TOKEN", "from-env"},
             {"OPENCLAW_LOG_LEVEL", "trace"}}
        )
    );
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->server.port, 4321);
    EXPECT_EQ(r->server.host, "localhost");  // not overridden: the file's value stays
    EXPECT_EQ(r->auth.token.value, "from-env");
    EXPECT_EQ(r->auth.token.source, "env:OPENCLAW_GATEWAY_TOKEN");
    EXPECT_EQ(r->log.level, "trace");
}

TEST(ConfigEnvTest, EmptyEnvVarCountsAsUnset) {
    auto r = LoadFromString(
        "server:\n  port: 1234\n",
        "gw.yaml",
        EnvOf({{"OPENCLAW_GATEWAY_PORT", ""}, {"OPENCLAW_GATEWAY_TOKEN", ""}})
    );
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->server.port, 1234);
    EXPECT_FALSE(r->auth.token.IsSet());
}

TEST(ConfigEnvTest, BadEnvValueNamesTheVariable) {
    auto r = Load(std::nullopt, EnvOf({{"OPENCLAW_GATEWAY_PORT", "abc"}}));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.error().message, "env OPENCLAW_GATEWAY_PORT: expected an integer 0..65535, got 'abc'");
    r = Load(std::nullopt, EnvOf({{"OPENCLAW_GATEWAY_PORT", "70000"}}));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "env OPENCLAW_GATEWAY_PORT: expected an integer 0..65535, got '70000'");
}

TEST(ConfigEnvTest, InvalidEnvValueFailsValidationNamingTheVariable) {
    auto r = Load(std::nullopt, EnvOf({{"OPENCLAW_LOG_LEVEL", "verbose"}}));
    ASSERT_FALSE(r);
    EXPECT_EQ(
        r.error().message,
        "env OPENCLAW_LOG_LEVEL: log.level: expected one of trace, debug, info, warn, error, critical, off, "
        "got 'verbose'"
    );
}

TEST(ConfigEnvTest, ProcessEnvReadsTheProcessEnvironment) {
    const std::string name = "GW_CONFIG_TEST_VAR_" + std::to_string(::getpid());
    const auto env = ProcessEnv();
    EXPECT_FALSE(env(name).has_value());
    ASSERT_EQ(::setenv(name.c_str(), "value-1", 1), 0);
    EXPECT_EQ(env(name), "value-1");
    ASSERT_EQ(::unsetenv(name.c_str()), 0);
    EXPECT_FALSE(env(name).has_value());
}

TEST(ConfigSecretTest, InlineSecretHasInlineSource) {
    auto r = LoadFromString("auth:\n  token: abc123\n  password: \"\"\n", "gw.yaml", EnvOf());
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->auth.token.value, "abc123");
    EXPECT_EQ(r->auth.token.source, "inline");
    EXPECT_FALSE(r->auth.password.IsSet());  // "" means unset
}

TEST(ConfigSecretTest, EnvReferenceReadsTheVariable) {
    auto r = LoadFromString(
        "auth:\n  token: {env: MY_TOKEN}\ncluster:\n  db_password:\n    env: PGPASS\n",
        "gw.yaml",
        EnvOf({{"MY_TOKEN", "t0k"}, {"PGPASS", "pg"}})
    );
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->auth.token.value, "t0k");
    EXPECT_EQ(r->auth.token.source, "env:MY_TOKEN");
    EXPECT_EQ(r->cluster.db_password.value, "pg");
    EXPECT_EQ(r->cluster.db_password.source, "env:PGPASS");
}

TEST(ConfigSecretTest, EnvReferenceToUnsetOrEmptyVariableIsAnError) {
    for (const auto& env : {EnvOf(), EnvOf({{"MY_TOKEN", ""}})}) {
        auto r = LoadFromString("auth:\n  token: {env: MY_TOKEN}\n", "gw.yaml", env);
        ASSERT_FALSE(r);
        EXPECT_EQ(
            r.error().message,
            "gw.yaml:2:16: auth.token: environment variable MY_TOKEN is not set (or is empty)"
        );
    }
}

TEST(ConfigSecretTest, FileReferenceReadsAndTrimsTrailingNewlines) {
    TempDir dir;
    const auto file = dir.Write("token", "s3cret \n\r\n\n");
    auto r = LoadFromString("auth:\n  password: {file: '" + file + "'}\n", "gw.yaml", EnvOf());
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->auth.password.value, "s3cret ");
    EXPECT_EQ(r->auth.password.source, "file:" + file);
}

TEST(ConfigSecretTest, FileReferenceToMissingOrEmptyFileIsAnError) {
    TempDir dir;
    const auto missing = dir.File("missing");
    auto r = LoadFromString("auth:\n  token:\n    file: " + missing + "\n", "gw.yaml", EnvOf());
    ASSERT_FALSE(r);
    EXPECT_EQ(
        r.error().message,
        "gw.yaml:3:11: auth.token: cannot read secret file '" + missing + "': No such file or directory"
    );

    const auto empty = dir.Write("empty", "\n\n");
    r = LoadFromString("auth:\n  token: {file: " + empty + "}\n", "gw.yaml", EnvOf());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "gw.yaml:2:17: auth.token: secret file '" + empty + "' is empty");
}

TEST(ConfigSecretTest, MalformedSecretReferencesAreRejected) {
    auto r = LoadFromString("auth:\n  token: {vault: x}\n", "gw.yaml", EnvOf());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "gw.yaml:2:11: auth.token.vault: unknown key (expected one of: env, file)");

    r = LoadFromString("auth:\n  token: {env: A, file: /b}\n", "gw.yaml", EnvOf({{"A", "x"}}));
    ASSERT_FALSE(r);
    EXPECT_NE(
        r.error().message.find("auth.token: a secret reference needs exactly one of"), std::string::npos
    );

    r = LoadFromString("auth:\n  token: [super-secret]\n", "gw.yaml", EnvOf());
    ASSERT_FALSE(r);
    EXPECT_EQ(
        r.error().message,
        "gw.yaml:2:10: auth.token: expected a string, {env: NAME} or {file: PATH}, got a sequence"
    );
    EXPECT_EQ(r.error().message.find("super-secret"), std::string::npos);
}

}  // namespace
}  // namespace gw::config
