#include <string>

#include <gtest/gtest.h>

#include "config/config_test_support.hpp"
#include "config/loader.hpp"

namespace gw::config {
namespace {

using gw::testing::TempDir;
using testing::EnvOf;

constexpr std::string_view kRefusal =
    "server.host: refusing to bind non-loopback address 0.0.0.0 without authentication; set auth.token or "
    "auth.password (or OPENCLAW_GATEWAY_TOKEN)";

TEST(ConfigValidationTest, NonLoopbackWithoutAuthIsRefused) {
    auto r = LoadFromString("log:\n  level: info\nserver:\n  host: 0.0.0.0\n", "gw.yaml", EnvOf());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "gw.yaml:4:9: " + std::string(kRefusal));

    r = Load(std::nullopt, EnvOf({{"OPENCLAW_GATEWAY_HOST", "0.0.0.0"}}));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "env OPENCLAW_GATEWAY_HOST: " + std::string(kRefusal));
}

TEST(ConfigValidationTest, NonLoopbackIsAllowedWithAnyAuth) {
    const std::string yaml = "server:\n  host: 0.0.0.0\n";
    EXPECT_TRUE(LoadFromString(yaml + "auth:\n  token: t\n", "gw.yaml", EnvOf()));
    EXPECT_TRUE(LoadFromString(yaml + "auth:\n  password: p\n", "gw.yaml", EnvOf()));
    EXPECT_TRUE(LoadFromString(yaml, "gw.yaml", EnvOf({{"OPENCLAW_GATEWAY_TOKEN", "t"}})));
    EXPECT_TRUE(LoadFromString(yaml, "gw.yaml", EnvOf({{"OPENCLAW_GATEWAY_PASSWORD", "p"}})));
}

TEST(ConfigValidationTest, LoopbackHostsNeedNoAuth) {
    for (const std::string host : {"127.0.0.1", "127.8.9.10", "localhost", "::1", "'[::1]'"}) {
        auto r = LoadFromString("server:\n  host: " + host + "\n", "gw.yaml", EnvOf());
        EXPECT_TRUE(r) << host << ": " << r.error().message;
    }
}

TEST(ConfigValidationTest, IsLoopbackHostRecognisesLoopbackOnly) {
    for (const char* host :
         {"127.0.0.1",
          "127.255.255.254",
          "::1",
          "[::1]",
          "0:0:0:0:0:0:0:1",
          "::ffff:127.0.0.1",
          "localhost",
          "LocalHost"}) {
        EXPECT_TRUE(IsLoopbackHost(host)) << host;
    }
    for (const char* host :
         {"0.0.0.0",
          "::",
          "10.0.0.1",
          "128.0.0.1",
          "127.1",
          "::2",
          "::ffff:10.0.0.1",
          "localhost.example.com",
          "gateway",
          "",
          "[::1"}) {
        EXPECT_FALSE(IsLoopbackHost(host)) << host;
    }
}

TEST(ConfigValidationTest, LogLevelMustBeKnown) {
    auto r = LoadFromString("log:\n  level: loud\n", "gw.yaml", EnvOf());
    ASSERT_FALSE(r);
    EXPECT_EQ(
        r.error().message,
        "gw.yaml:2:10: log.level: expected one of trace, debug, info, warn, error, critical, off, got 'loud'"
    );
    for (const std::string level : {"trace", "debug", "info", "warn", "error", "critical", "off"}) {
        EXPECT_TRUE(LoadFromString("log: {level: " + level + "}\n", "gw.yaml", EnvOf())) << level;
    }
}

TEST(ConfigValidationTest, StoreDriverMustBeSqlite) {
    auto r = LoadFromString("store:\n  driver: postgres\n", "gw.yaml", EnvOf());
    ASSERT_FALSE(r);
    EXPECT_EQ(
        r.error().message,
        "gw.yaml:2:11: store.driver: 'postgres' needs cluster mode, which this build does not have yet; use "
        "'sqlite'"
    );
    r = LoadFromString("store:\n  driver: mysql\n", "gw.yaml", EnvOf());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "gw.yaml:2:11: store.driver: unknown driver 'mysql' (expected 'sqlite')");
}

TEST(ConfigValidationTest, TlsEnabledRequiresReadableCertAndKey) {
    auto r = LoadFromString("server:\n  tls:\n    enabled: true\n", "gw.yaml", EnvOf());
    ASSERT_FALSE(r);
    EXPECT_EQ(
        r.error().message, "gw.yaml:3:14: server.tls.cert_file: required when server.tls.enabled is true"
    );

    TempDir dir;
    const auto cert = dir.Write("cert.pem", "-----BEGIN CERTIFICATE-----\n");
    const auto missing_key = dir.File("key.pem");
    const std::string yaml = "server:\n  tls:\n    enabled: true\n    cert_file: " + cert +
                             "\n    key_file: " + missing_key + "\n";
    r = LoadFromString(yaml, "gw.yaml", EnvOf());
    ASSERT_FALSE(r);
    EXPECT_EQ(
        r.error().message,
        "gw.yaml:5:15: server.tls.key_file: cannot read '" + missing_key + "': No such file or directory"
    );

    dir.Write("key.pem", "-----BEGIN PRIVATE KEY-----\n");
    r = LoadFromString(yaml, "gw.yaml", EnvOf());
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_TRUE(r->server.tls.enabled);
    EXPECT_EQ(r->server.tls.key_file, missing_key);
}

TEST(ConfigValidationTest, TlsFilesAreNotCheckedWhenDisabledButMinVersionIs) {
    EXPECT_TRUE(LoadFromString("server:\n  tls:\n    cert_file: /nonexistent\n", "gw.yaml", EnvOf()));
    auto r = LoadFromString("server:\n  tls:\n    min_version: 1.1\n", "gw.yaml", EnvOf());
    ASSERT_FALSE(r);
    EXPECT_EQ(
        r.error().message, "gw.yaml:3:18: server.tls.min_version: expected \"1.2\" or \"1.3\", got '1.1'"
    );
    r = LoadFromString("server:\n  tls:\n    min_version: 1.3\n", "gw.yaml", EnvOf());
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->server.tls.min_version, "1.3");
}

TEST(ConfigRenderTest, SecretsAreRedactedButShowTheirSource) {
    TempDir dir;
    const auto pw_file = dir.Write("pw", "file-secret-value\n");
    auto r = LoadFromString(
        "auth:\n  token: inline-secret-value\n  password: {file: " + pw_file + "}\n",
        "gw.yaml",
        EnvOf({{"DB_PASSWORD", "env-secret-value"}})
    );
    ASSERT_TRUE(r) << r.error().message;
    const auto text = RenderEffective(*r);
    for (const char* secret : {"inline-secret-value", "file-secret-value", "env-secret-value"}) {
        EXPECT_EQ(text.find(secret), std::string::npos) << text;
    }
    EXPECT_NE(text.find("token: \"<redacted> (inline)\""), std::string::npos) << text;
    EXPECT_NE(text.find("password: \"<redacted> (file:" + pw_file + ")\""), std::string::npos) << text;
    EXPECT_NE(text.find("db_password: \"<redacted> (env:DB_PASSWORD)\""), std::string::npos) << text;

    const auto unset = RenderEffective(GatewayConfig{});
    EXPECT_NE(unset.find("token: ~"), std::string::npos) << unset;
    EXPECT_EQ(unset.find("redacted>"), std::string::npos) << unset;
}

TEST(ConfigRenderTest, RenderedConfigLoadsBackToTheSameConfig) {
    auto first = LoadFromString(
        "server:\n  port: 0\n  max_header_bytes: 12345\n  keepalive_idle_timeout: 90s\n"
        "  route_body_limits: {/v1/files: 100MiB}\n  tls: {min_version: '1.3'}\n"
        "store:\n  group_commit_max_delay: 1500us\ncluster:\n  postgres_host: pg\n",
        "gw.yaml",
        EnvOf()
    );
    ASSERT_TRUE(first) << first.error().message;
    const auto text = RenderEffective(*first);
    auto second = LoadFromString(text, "rendered.yaml", EnvOf());
    ASSERT_TRUE(second) << second.error().message << "\n" << text;
    EXPECT_EQ(RenderEffective(*second), text);
    EXPECT_EQ(second->server.max_header_bytes, 12345U);
    EXPECT_EQ(second->store.group_commit_max_delay, std::chrono::microseconds(1500));
    EXPECT_EQ(second->server.route_body_limits, first->server.route_body_limits);
}

}  // namespace
}  // namespace gw::config
