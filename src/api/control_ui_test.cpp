#include <filesystem>
#include <fstream>
#include <string>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "api/control_ui.hpp"
#include "net/router.hpp"
#include "runtime/testing.hpp"

namespace gw::api {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

class ControlUiTest : public ::testing::Test {
protected:
    void SetUp() override {
        root_ = fs::temp_directory_path() / ("gw-control-ui-" + std::to_string(::getpid()) + "-" +
                                             ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(root_);
        fs::create_directories(root_ / "assets");
        Write("index.html",
              "<!doctype html><html lang=\"en\"><head><script>window.x=1</script>"
              "<script type=\"module\" src=\"./assets/app.js\"></script>"
              "<link rel=\"stylesheet\" href=\"./assets/app.css\"></head><body></body></html>");
        Write("assets/app.js", "console.log('ui')");
        Write("favicon.svg", "<svg/>");
        fs::create_directories(root_.parent_path() / "gw-control-ui-outside");
        std::ofstream(root_.parent_path() / "gw-control-ui-outside" / "secret.txt") << "secret";
        cfg_.ws.control_ui.enabled = true;
        cfg_.ws.control_ui.root = root_.string();
    }
    void TearDown() override { fs::remove_all(root_); }

    void Write(const std::string& rel, const std::string& text) { std::ofstream(root_ / rel) << text; }

    net::HttpResponse Get(std::string path, std::string host = "127.0.0.1:3000") {
        if (!registered_) {
            RegisterControlUiRoutes(router_, cfg_, "9.9.9");
            registered_ = true;
        }
        auto match = router_.Match("GET", path);
        if (match.status != 200) {
            net::HttpResponse resp;
            resp.status = match.status;
            return resp;
        }
        net::HttpRequest req;
        req.method = "GET";
        req.path = path;
        req.headers.emplace_back("Host", host);
        return runtime::RunCoro((*match.handler)(req));
    }

    static std::string HeaderOf(const net::HttpResponse& resp, std::string_view name) {
        for (const auto& [k, v] : resp.headers) {
            if (k == name) {
                return v;
            }
        }
        return {};
    }

    fs::path root_;
    config::GatewayConfig cfg_;
    net::Router router_;
    bool registered_ = false;
};

TEST_F(ControlUiTest, DisabledRegistersNothing) {
    cfg_.ws.control_ui.enabled = false;
    EXPECT_EQ(Get("/").status, 404);
}

TEST_F(ControlUiTest, RootServesIndexWithBasePathAttributeAndScriptHashCsp) {
    auto resp = Get("/");
    ASSERT_EQ(resp.status, 200);
    EXPECT_EQ(resp.content_type, "text/html; charset=utf-8");
    EXPECT_NE(resp.body.find("<html data-openclaw-control-ui-base-path=\"\""), std::string::npos) << resp.body;
    EXPECT_NE(resp.body.find("src=\"/assets/app.js\""), std::string::npos) << resp.body;
    const std::string csp = HeaderOf(resp, "Content-Security-Policy");
    EXPECT_NE(csp.find("script-src 'self' 'sha256-"), std::string::npos) << csp;
    EXPECT_NE(csp.find("connect-src 'self' ws: wss: data: http://127.0.0.1:*"), std::string::npos) << csp;
    EXPECT_EQ(HeaderOf(resp, "X-Frame-Options"), "DENY");
}

TEST_F(ControlUiTest, AssetsAreServedWithTypeAndImmutableCaching) {
    auto js = Get("/assets/app.js");
    ASSERT_EQ(js.status, 200);
    EXPECT_EQ(js.body, "console.log('ui')");
    EXPECT_EQ(js.content_type, "application/javascript; charset=utf-8");
    EXPECT_EQ(HeaderOf(js, "Cache-Control"), "public, max-age=31536000, immutable");
    auto icon = Get("/favicon.svg");
    ASSERT_EQ(icon.status, 200);
    EXPECT_EQ(icon.content_type, "image/svg+xml");
    EXPECT_EQ(HeaderOf(icon, "Cache-Control"), "no-cache");
}

TEST_F(ControlUiTest, DocumentPathsFallBackToIndexButMissingFilesAre404) {
    EXPECT_EQ(Get("/chat/session-1").status, 200);
    EXPECT_EQ(Get("/assets/missing.js").status, 404);
}

TEST_F(ControlUiTest, TraversalAndHiddenFilesAreRefused) {
    EXPECT_EQ(Get("/../gw-control-ui-outside/secret.txt").status, 404);
    EXPECT_EQ(Get("/%2e%2e/gw-control-ui-outside/secret.txt").status, 404);
    EXPECT_EQ(Get("/assets/%00.js").status, 404);
    Write(".env", "x");
    EXPECT_EQ(Get("/.env").status, 404);
    fs::create_symlink(root_.parent_path() / "gw-control-ui-outside" / "secret.txt", root_ / "link.txt");
    EXPECT_EQ(Get("/link.txt").status, 404);
}

TEST_F(ControlUiTest, ApiPathsStayJson404UnderRootBase) {
    auto resp = Get("/v1/unknown");
    EXPECT_EQ(resp.status, 404);
    EXPECT_EQ(resp.content_type, "application/json");
}

TEST_F(ControlUiTest, BootstrapConfigNamesAssistantAndVersion) {
    cfg_.agents.defaults.name = "Helper";
    for (auto path : {"/control-ui-config.json", "/__openclaw/control-ui-config.json",
                      "/__openclaw__/control-ui-config.json"}) {
        auto resp = Get(path);
        ASSERT_EQ(resp.status, 200) << path;
        auto body = json::parse(resp.body).as_object();
        EXPECT_EQ(body.at("basePath"), "");
        EXPECT_EQ(body.at("assistantName"), "Helper");
        EXPECT_EQ(body.at("serverVersion"), "9.9.9");
        EXPECT_EQ(body.at("assistantAgentId"), "main");
    }
}

TEST_F(ControlUiTest, NonRootBaseRedirectsAndPrefixesAssets) {
    cfg_.ws.control_ui.base_path = "/ui/";
    auto redirect = Get("/ui");
    EXPECT_EQ(redirect.status, 302);
    EXPECT_EQ(HeaderOf(redirect, "Location"), "/ui/");
    auto index = Get("/ui/");
    ASSERT_EQ(index.status, 200);
    EXPECT_NE(index.body.find("data-openclaw-control-ui-base-path=\"/ui\""), std::string::npos);
    EXPECT_NE(index.body.find("src=\"/ui/assets/app.js\""), std::string::npos);
    EXPECT_EQ(Get("/ui/assets/app.js").status, 200);
    EXPECT_EQ(json::parse(Get("/ui/control-ui-config.json").body).at("basePath"), "/ui");
    EXPECT_EQ(Get("/assets/app.js").status, 404);
}

}  // namespace
}  // namespace gw::api
