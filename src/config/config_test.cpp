#include <string>

#include <gtest/gtest.h>

#include "config/config_test_support.hpp"
#include "config/loader.hpp"

namespace gw::config {
namespace {

using gw::testing::TempDir;
using testing::EnvOf;

/// Loads `yaml` named "gw.yaml" and returns the error message (fails the test if it loaded).
std::string LoadError(const std::string& yaml, const EnvLookup& env = EnvOf()) {
    auto r = LoadFromString(yaml, "gw.yaml", env);
    if (r) {
        ADD_FAILURE() << "expected an error for:\n" << yaml;
        return {};
    }
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    return r.error().message;
}

GatewayConfig LoadOk(const std::string& yaml, const EnvLookup& env = EnvOf()) {
    auto r = LoadFromString(yaml, "gw.yaml", env);
    if (!r) {
        ADD_FAILURE() << "unexpected error: " << r.error().message;
        return {};
    }
    return *r;
}

TEST(ConfigLoadTest, NoFileGivesDefaults) {
    auto r = Load(std::nullopt, EnvOf());
    ASSERT_TRUE(r) << r.error().message;
    const GatewayConfig defaults;
    EXPECT_EQ(r->server.host, "127.0.0.1");
    EXPECT_EQ(r->server.port, 3000);
    EXPECT_EQ(r->server.io_threads, defaults.server.io_threads);
    EXPECT_EQ(r->server.max_body_bytes, defaults.server.max_body_bytes);
    EXPECT_EQ(r->server.request_timeout, defaults.server.request_timeout);
    EXPECT_FALSE(r->server.tls.enabled);
    EXPECT_FALSE(r->auth.AnyConfigured());
    EXPECT_EQ(r->store.driver, "sqlite");
    EXPECT_EQ(r->store.data_dir, defaults.store.data_dir);
    EXPECT_EQ(r->log.level, "info");
    EXPECT_FALSE(r->source_file.has_value());
    EXPECT_EQ(RenderEffective(*r), RenderEffective(defaults));
}

TEST(ConfigLoadTest, EmptyOrCommentOnlyFileGivesDefaults) {
    const auto defaults = RenderEffective(GatewayConfig{});
    for (const std::string yaml : {"", "# nothing here\n\n  # indented comment\n", "---\n", "~\n"}) {
        auto cfg = LoadOk(yaml);
        EXPECT_EQ(RenderEffective(cfg), defaults) << "yaml: " << yaml;
    }
}

TEST(ConfigLoadTest, FileValuesAreAppliedAndSourceFileRecorded) {
    TempDir dir;
    const auto file = dir.Write(
        "gw.yaml",
        "server:\n"
        "  port: 8080\n"
        "  io_threads: 4\n"
        "  max_body_bytes: 2MiB\n"
        "  request_timeout: 2m\n"
        "  route_body_limits:\n"
        "    /v1/uploads: 64MiB\n"
        "    /hooks: 16KiB\n"
        "store:\n"
        "  data_dir: /srv/gw\n"
        "  group_commit_max_delay: 500us\n"
        "log: {level: debug}\n"
        "cluster:\n"
        "  postgres_port: 6543\n"
    );
    auto r = Load(file, EnvOf());
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->source_file, file);
    EXPECT_EQ(r->server.port, 8080);
    EXPECT_EQ(r->server.io_threads, 4);
    EXPECT_EQ(r->server.max_body_bytes, 2U * 1024 * 1024);
    EXPECT_EQ(r->server.request_timeout, std::chrono::minutes(2));
    ASSERT_EQ(r->server.route_body_limits.size(), 2U);
    EXPECT_EQ(r->server.route_body_limits.at("/v1/uploads"), 64U * 1024 * 1024);
    EXPECT_EQ(r->server.route_body_limits.at("/hooks"), 16U * 1024);
    EXPECT_EQ(r->store.data_dir, "/srv/gw");
    EXPECT_EQ(r->store.group_commit_max_delay, std::chrono::microseconds(500));
    EXPECT_EQ(r->log.level, "debug");
    EXPECT_EQ(r->cluster.postgres_port, 6543);
}

TEST(ConfigLoadTest, MissingFileIsAnErrorNamingTheFile) {
    TempDir dir;
    const auto missing = dir.File("nope.yaml");
    auto r = Load(missing, EnvOf());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.error().message, missing + ": cannot read config file: No such file or directory");
}

TEST(ConfigLoadTest, DirectoryAsFileIsAnError) {
    TempDir dir;
    auto r = Load(dir.File(""), EnvOf());
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("cannot read config file"), std::string::npos) << r.error().message;
}

TEST(ConfigErrorTest, UnknownTopLevelKeyNamesLineAndAllowedKeys) {
    EXPECT_EQ(
        LoadError("server:\n  port: 1\nsever: {}\n"),
        "gw.yaml:3:1: sever: unknown key (expected one of: server, auth, store, log, cluster, models, "
        "agents, http, tools, hooks, edge, ws); "
        "did you mean 'server'?"
    );
}

TEST(ConfigErrorTest, UnknownNestedKeyNamesPathLineAndColumn) {
    const auto msg = LoadError("# gateway\n\nlog:\n  level: info\n\nserver:\n  prot: 3000\n");
    EXPECT_EQ(
        msg.rfind("gw.yaml:7:3: server.prot: unknown key (expected one of: host, port, io_threads, ", 0), 0U
    ) << msg;
    EXPECT_NE(msg.find("did you mean 'port'?"), std::string::npos) << msg;

    EXPECT_EQ(
        LoadError("server:\n  tls:\n    enabled: false\n    cert: x\n"),
        "gw.yaml:4:5: server.tls.cert: unknown key (expected one of: enabled, cert_file, key_file, "
        "min_version)"
    );
}

TEST(ConfigErrorTest, DuplicateKeysAreRejected) {
    EXPECT_EQ(
        LoadError("server:\n  port: 1\n  port: 2\n"),
        "gw.yaml:3:3: server.port: duplicate key (first defined at line 2)"
    );
    EXPECT_EQ(LoadError("log: {}\nlog: {}\n"), "gw.yaml:2:1: log: duplicate key (first defined at line 1)");
}

TEST(ConfigErrorTest, NonMappingTopLevelIsRejected) {
    EXPECT_EQ(
        LoadError("- a\n- b\n"), "gw.yaml:1:1: (top level): expected a mapping of sections, got a sequence"
    );
    EXPECT_EQ(LoadError("server: 3\n"), "gw.yaml:1:9: server: expected a mapping, got '3'");
}

TEST(ConfigErrorTest, SyntaxErrorNamesLine) {
    const auto msg = LoadError("server:\n  port: [1,\n");
    EXPECT_EQ(msg.rfind("gw.yaml:3:", 0), 0U) << msg;
    EXPECT_NE(msg.find("YAML syntax error"), std::string::npos) << msg;
}

TEST(ConfigErrorTest, MultipleDocumentsAreRejected) {
    EXPECT_NE(LoadError("log: {}\n---\nlog: {}\n").find("multiple YAML documents"), std::string::npos);
}

TEST(ConfigErrorTest, BadPortTypeAndRangeNameExpectedAndFound) {
    EXPECT_EQ(
        LoadError("server:\n  port: abc\n"),
        "gw.yaml:2:9: server.port: expected an integer 0..65535, got 'abc'"
    );
    EXPECT_EQ(
        LoadError("server:\n  port: 65536\n"),
        "gw.yaml:2:9: server.port: expected an integer 0..65535, got '65536'"
    );
    EXPECT_EQ(
        LoadError("server:\n  port: -1\n"), "gw.yaml:2:9: server.port: expected an integer 0..65535, got '-1'"
    );
    EXPECT_EQ(
        LoadError("server:\n  port: \"3000\"\n"),
        "gw.yaml:2:9: server.port: expected an integer 0..65535, got a quoted string \"3000\""
    );
    EXPECT_EQ(
        LoadError("server:\n  port: [1]\n"),
        "gw.yaml:2:9: server.port: expected an integer 0..65535, got a sequence"
    );
    EXPECT_EQ(
        LoadError("server:\n  port:\n"),
        "gw.yaml:2:3: server.port: expected an integer 0..65535, got nothing (null)"
    );
    EXPECT_EQ(LoadOk("server:\n  port: 0\n").server.port, 0);  // 0 = pick a free port
}

TEST(ConfigErrorTest, IntegerRangesAreChecked) {
    EXPECT_NE(
        LoadError("server:\n  io_threads: 1025\n").find("server.io_threads: expected an integer 0..1024"),
        std::string::npos
    );
    EXPECT_NE(
        LoadError("server:\n  max_connections: 0\n").find("server.max_connections: expected an integer 1.."),
        std::string::npos
    );
    EXPECT_NE(LoadError("store:\n  read_threads: 0\n").find("store.read_threads"), std::string::npos);
    EXPECT_EQ(LoadOk("server:\n  io_threads: 1024\n").server.io_threads, 1024);
}

TEST(ConfigErrorTest, BooleansAreStrict) {
    EXPECT_EQ(
        LoadError("server:\n  tls:\n    enabled: yes\n"),
        "gw.yaml:3:14: server.tls.enabled: expected true or false, got 'yes'"
    );
    EXPECT_NE(
        LoadError("server:\n  tls:\n    enabled: 1\n").find("expected true or false"), std::string::npos
    );
}

TEST(ConfigValueTest, DurationsAcceptUnitsAndPlainMilliseconds) {
    auto cfg = LoadOk(
        "server:\n  header_read_timeout: 250ms\n  keepalive_idle_timeout: 5s\n  request_timeout: 1h\n"
        "  shutdown_grace: 1500\nstore:\n  busy_timeout: 2m\n  group_commit_max_delay: 3ms\n"
    );
    EXPECT_EQ(cfg.server.header_read_timeout, std::chrono::milliseconds(250));
    EXPECT_EQ(cfg.server.keepalive_idle_timeout, std::chrono::seconds(5));
    EXPECT_EQ(cfg.server.request_timeout, std::chrono::hours(1));
    EXPECT_EQ(cfg.server.shutdown_grace, std::chrono::milliseconds(1500));
    EXPECT_EQ(cfg.store.busy_timeout, std::chrono::minutes(2));
    EXPECT_EQ(cfg.store.group_commit_max_delay, std::chrono::microseconds(3000));
}

TEST(ConfigValueTest, BadDurationsAreRejected) {
    for (const std::string bad : {"5sec", "5d", "1.5s", "-1s", "0", "0ms", "500us", "s", "abc"}) {
        const auto msg = LoadError("server:\n  request_timeout: " + bad + "\n");
        EXPECT_EQ(msg.rfind("gw.yaml:2:20: server.request_timeout: expected a duration > 0", 0), 0U) << msg;
        EXPECT_NE(msg.find("got '" + bad + "'"), std::string::npos) << msg;
    }
    EXPECT_EQ(LoadOk("store:\n  group_commit_max_delay: 0\n").store.group_commit_max_delay.count(), 0);
}

TEST(ConfigValueTest, SizesAcceptBinaryAndDecimalUnits) {
    auto cfg = LoadOk(
        "server:\n  max_header_bytes: 16KiB\n  max_body_bytes: 10KB\n  ws_max_message_bytes: 1MB\n"
        "  ws_max_queued_bytes: 1GiB\n  route_body_limits: {/a: 1MiB, /b: 4096}\n"
    );
    EXPECT_EQ(cfg.server.max_header_bytes, 16U * 1024);
    EXPECT_EQ(cfg.server.max_body_bytes, 10'000U);
    EXPECT_EQ(cfg.server.ws_max_message_bytes, 1'000'000U);
    EXPECT_EQ(cfg.server.ws_max_queued_bytes, 1024U * 1024 * 1024);
    EXPECT_EQ(cfg.server.route_body_limits.at("/a"), 1024U * 1024);
    EXPECT_EQ(cfg.server.route_body_limits.at("/b"), 4096U);
}

TEST(ConfigValueTest, BadSizesAreRejected) {
    for (const std::string bad : {"16XB", "16kib", "0", "-1", "1.5MiB", "MiB", "99999999999999999999"}) {
        const auto msg = LoadError("server:\n  max_body_bytes: " + bad + "\n");
        EXPECT_EQ(msg.rfind("gw.yaml:2:19: server.max_body_bytes: expected a size >= 1", 0), 0U) << msg;
    }
    EXPECT_EQ(
        LoadError("server:\n  route_body_limits:\n    v1: 1KiB\n"),
        "gw.yaml:3:5: server.route_body_limits: expected a path prefix starting with '/', got 'v1'"
    );
    const auto msg = LoadError("server:\n  route_body_limits:\n    /v1: lots\n");
    EXPECT_EQ(msg.rfind("gw.yaml:3:10: server.route_body_limits[\"/v1\"]: expected a size >= 1", 0), 0U)
        << msg;
}

}  // namespace
}  // namespace gw::config
