#include <chrono>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "config/config_test_support.hpp"
#include "config/internal/validate.hpp"
#include "config/loader.hpp"

namespace gw::config {
namespace {

using namespace std::chrono_literals;
using testing::EnvOf;
using testing::LoadErrorOf;
using testing::LoadOkOf;

TEST(ConfigWsTest, DefaultsMatchOpenClaw) {
    const GatewayConfig cfg = LoadOkOf("");
    EXPECT_EQ(cfg.ws.handshake_timeout, 15s);
    EXPECT_EQ(cfg.ws.tick_interval, 30s);
    EXPECT_TRUE(cfg.ws.auto_approve_local);
    EXPECT_EQ(cfg.ws.max_inflight_requests, 64u);
    EXPECT_FALSE(cfg.ws.control_ui.enabled);
    EXPECT_EQ(cfg.ws.control_ui.base_path, "/");
    EXPECT_TRUE(cfg.ws.control_ui.allowed_origins.empty());
}

TEST(ConfigWsTest, BindsEveryKey) {
    gw::testing::TempDir dir;
    std::filesystem::create_directories(dir.File("ui"));
    std::ofstream(dir.File("ui/index.html")) << "<html></html>";
    const GatewayConfig cfg = LoadOkOf(
        "ws:\n"
        "  handshake_timeout: 3s\n"
        "  tick_interval: 5s\n"
        "  auto_approve_local: false\n"
        "  max_inflight_requests: 8\n"
        "  control_ui:\n"
        "    enabled: true\n"
        "    root: " +
        dir.File("ui") +
        "\n"
        "    base_path: /ui\n"
        "    allowed_origins: [\"https://ops.example.com\", \"http://127.0.0.1:18789\", \"*\"]\n"
    );
    EXPECT_EQ(cfg.ws.handshake_timeout, 3s);
    EXPECT_EQ(cfg.ws.tick_interval, 5s);
    EXPECT_FALSE(cfg.ws.auto_approve_local);
    EXPECT_EQ(cfg.ws.max_inflight_requests, 8u);
    EXPECT_TRUE(cfg.ws.control_ui.enabled);
    EXPECT_EQ(cfg.ws.control_ui.root, dir.File("ui"));
    EXPECT_EQ(cfg.ws.control_ui.base_path, "/ui");
    EXPECT_EQ(
        cfg.ws.control_ui.allowed_origins,
        (std::vector<std::string>{"https://ops.example.com", "http://127.0.0.1:18789", "*"})
    );
}

TEST(ConfigWsTest, UnknownKeyIsAnError) {
    EXPECT_NE(LoadErrorOf("ws:\n  tick: 5s\n").find("ws.tick: unknown key"), std::string::npos);
}

TEST(ConfigWsTest, DurationsMustBePositive) {
    EXPECT_NE(LoadErrorOf("ws:\n  handshake_timeout: 0\n").find("ws.handshake_timeout"), std::string::npos);
    EXPECT_NE(
        LoadErrorOf("ws:\n  max_inflight_requests: 0\n").find("ws.max_inflight_requests"), std::string::npos
    );
}

TEST(ConfigWsTest, TickIntervalBelow100msIsRejected) {
    const std::string message = LoadErrorOf("ws:\n  tick_interval: 50ms\n");
    EXPECT_NE(message.find("gw.yaml:2:"), std::string::npos) << message;
    EXPECT_NE(message.find("ws.tick_interval: must be at least 100ms"), std::string::npos) << message;
    EXPECT_EQ(LoadOkOf("ws:\n  tick_interval: 100ms\n").ws.tick_interval, 100ms);
}

TEST(ConfigWsTest, EnabledControlUiNeedsARootWithIndexHtml) {
    EXPECT_NE(
        LoadErrorOf("ws:\n  control_ui:\n    enabled: true\n").find("ws.control_ui.root: required"),
        std::string::npos
    );
    gw::testing::TempDir dir;
    std::filesystem::create_directories(dir.File("empty"));
    EXPECT_NE(
        LoadErrorOf("ws:\n  control_ui: {enabled: true, root: " + dir.File("missing") + "}\n")
            .find("is not an existing directory"),
        std::string::npos
    );
    EXPECT_NE(
        LoadErrorOf("ws:\n  control_ui: {enabled: true, root: " + dir.File("empty") + "}\n")
            .find("has no index.html"),
        std::string::npos
    );
    // Disabled: the root is not checked.
    EXPECT_FALSE(LoadOkOf("ws:\n  control_ui: {enabled: false, root: /nonexistent}\n").ws.control_ui.enabled);
}

TEST(ConfigWsTest, BasePathMustStartWithSlash) {
    EXPECT_NE(
        LoadErrorOf("ws:\n  control_ui: {base_path: ui}\n")
            .find("ws.control_ui.base_path: must start with '/'"),
        std::string::npos
    );
}

TEST(ConfigWsTest, AllowedOriginsAreStarOrSchemeHostPort) {
    const std::string message = LoadErrorOf(
        "ws:\n  control_ui:\n    allowed_origins: [\"https://a.example\", \"https://b.example/\"]\n"
    );
    EXPECT_NE(message.find("ws.control_ui.allowed_origins[1]"), std::string::npos) << message;
    EXPECT_TRUE(internal::CheckOrigin("*").empty());
    EXPECT_TRUE(internal::CheckOrigin("http://localhost:3000").empty());
    EXPECT_TRUE(internal::CheckOrigin("https://[::1]:8443").empty());
    EXPECT_TRUE(internal::CheckOrigin("app://openclaw").empty());
    EXPECT_FALSE(internal::CheckOrigin("localhost:3000").empty());
    EXPECT_FALSE(internal::CheckOrigin("https://").empty());
    EXPECT_FALSE(internal::CheckOrigin("https://host:0").empty());
    EXPECT_FALSE(internal::CheckOrigin("https://host:99999").empty());
    EXPECT_FALSE(internal::CheckOrigin("https://host:").empty());
    EXPECT_FALSE(internal::CheckOrigin("https://host/path").empty());
    EXPECT_FALSE(internal::CheckOrigin("https://*.example.com").empty());
    EXPECT_FALSE(internal::CheckOrigin("1http://host").empty());
}

TEST(ConfigWsTest, EnvOverridesTheHandshakeTimeout) {
    const GatewayConfig cfg =
        LoadOkOf("ws:\n  handshake_timeout: 3s\n", EnvOf({{"OPENCLAW_HANDSHAKE_TIMEOUT_MS", "2500"}}));
    EXPECT_EQ(cfg.ws.handshake_timeout, 2500ms);
    const std::string message = LoadErrorOf("", EnvOf({{"OPENCLAW_HANDSHAKE_TIMEOUT_MS", "soon"}}));
    EXPECT_NE(message.find("env OPENCLAW_HANDSHAKE_TIMEOUT_MS"), std::string::npos) << message;
}

TEST(ConfigWsTest, RenderedConfigLoadsBackTheSameWsSection) {
    const GatewayConfig cfg = LoadOkOf(
        "ws:\n  tick_interval: 7s\n  auto_approve_local: false\n"
        "  control_ui: {base_path: /ui, allowed_origins: [\"https://ops.example.com\"]}\n"
    );
    const GatewayConfig again = LoadOkOf(RenderEffective(cfg));
    EXPECT_EQ(again.ws.tick_interval, 7s);
    EXPECT_FALSE(again.ws.auto_approve_local);
    EXPECT_EQ(again.ws.control_ui.base_path, "/ui");
    EXPECT_EQ(again.ws.control_ui.allowed_origins, cfg.ws.control_ui.allowed_origins);
}

}  // namespace
}  // namespace gw::config
