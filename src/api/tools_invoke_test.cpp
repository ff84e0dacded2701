#include "api/tools_invoke.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "api/openai_test_support.hpp"

namespace gw::api {
namespace {

namespace json = boost::json;
namespace asio = boost::asio;

class FakeTool : public engine::Tool {
public:
    FakeTool(std::string name, engine::ToolOutput output) : output_(std::move(output)) {
        spec_.name = std::move(name);
    }

    const domain::ToolSpec& Spec() const override { return spec_; }

    asio::awaitable<engine::ToolOutput> Invoke(const engine::ToolContext& ctx, std::string args_json)
        override {
        calls.emplace_back(ctx, std::move(args_json));
        co_return output_;
    }

    std::vector<std::pair<engine::ToolContext, std::string>> calls;

private:
    domain::ToolSpec spec_;
    engine::ToolOutput output_;
};

TEST(HttpToolAllowedTest, DefaultDenyListAdjustedByAllowAndDeny) {
    config::ToolsOptions options;
    for (auto name : kHttpToolDenyList) {
        EXPECT_FALSE(HttpToolAllowed(name, options)) << name;
    }
    EXPECT_TRUE(HttpToolAllowed("current_time", options));
    options.allow = {"exec"};
    EXPECT_TRUE(HttpToolAllowed("exec", options));
    EXPECT_FALSE(HttpToolAllowed("shell", options));
    options.deny = {"exec", "current_time"};
    EXPECT_FALSE(HttpToolAllowed("exec", options));  // deny wins
    EXPECT_FALSE(HttpToolAllowed("current_time", options));
    options.deny = {"*"};
    EXPECT_FALSE(HttpToolAllowed("anything", options));
}

class ToolsInvokeTest : public testing::RoutesFixture {
protected:
    FakeTool* clock_tool = nullptr;
    FakeTool* exec_tool = nullptr;

    ToolsInvokeTest() {
        auto clock = std::make_unique<FakeTool>("current_time", engine::ToolOutput{"12:00 UTC", false});
        auto exec = std::make_unique<FakeTool>("exec", engine::ToolOutput{"ran", false});
        clock_tool = clock.get();
        exec_tool = exec.get();
        EXPECT_TRUE(tools.Register(std::move(clock)));
        EXPECT_TRUE(tools.Register(std::move(exec)));
        EXPECT_TRUE(tools.Register(std::make_unique<FakeTool>("flaky", engine::ToolOutput{"boom", true})));
    }

    net::HttpResponse Invoke(std::string body) { return Post("/tools/invoke", std::move(body)); }
};

TEST_F(ToolsInvokeTest, InvokesAnAllowedToolWithItsContext) {
    auto resp = Invoke(
        R"({"tool":"current_time","action":"now","args":{"zone":"UTC"},"sessionKey":"main","agentId":"ops"})"
    );
    ASSERT_EQ(resp.status, 200) << resp.body;
    EXPECT_EQ(
        json::parse(resp.body),
        json::parse(R"({"ok":true,"result":{"content":[{"type":"text","text":"12:00 UTC"}]}})")
    );
    ASSERT_EQ(clock_tool->calls.size(), 1U);
    const auto& [ctx, args] = clock_tool->calls[0];
    EXPECT_EQ(ctx.agent_id, "ops");
    EXPECT_EQ(ctx.session_key, "agent:ops:main");
    EXPECT_EQ(ctx.tenant_id, "default");
    EXPECT_EQ(json::parse(args), json::parse(R"({"zone":"UTC","action":"now"})"));
}

TEST_F(ToolsInvokeTest, NameFieldAndDefaultsWork) {
    auto resp = Invoke(R"({"name":"current_time"})");
    ASSERT_EQ(resp.status, 200);
    EXPECT_EQ(clock_tool->calls.at(0).first.session_key, "agent:main:main");
    EXPECT_EQ(clock_tool->calls.at(0).second, "{}");
}

TEST_F(ToolsInvokeTest, DeniedAndUnknownToolsAre404) {
    auto denied = Invoke(R"({"tool":"exec","args":{"cmd":"ls"}})");
    EXPECT_EQ(denied.status, 404);
    EXPECT_EQ(
        denied.body, R"({"ok":false,"error":{"type":"not_found","message":"Tool not available: exec"}})"
    );
    EXPECT_TRUE(exec_tool->calls.empty());
    auto unknown = Invoke(R"({"tool":"nope"})");
    EXPECT_EQ(unknown.status, 404);
    EXPECT_EQ(
        unknown.body, R"({"ok":false,"error":{"type":"not_found","message":"Tool not available: nope"}})"
    );
}

TEST_F(ToolsInvokeTest, AllowListOverridesTheDefaultDenyList) {
    config.tools.allow = {"exec"};
    EXPECT_EQ(Invoke(R"({"tool":"exec"})").status, 200);
    EXPECT_EQ(exec_tool->calls.size(), 1U);
    config.tools.deny = {"current_time"};
    EXPECT_EQ(Invoke(R"({"tool":"current_time"})").status, 404);
}

TEST_F(ToolsInvokeTest, DryRunDoesNotInvoke) {
    auto resp = Invoke(R"({"tool":"current_time","dryRun":true})");
    ASSERT_EQ(resp.status, 200);
    EXPECT_EQ(json::parse(resp.body), json::parse(R"({"ok":true,"dryRun":true,"tool":"current_time"})"));
    EXPECT_TRUE(clock_tool->calls.empty());
    EXPECT_EQ(Invoke(R"({"tool":"exec","dryRun":true})").status, 404);
}

TEST_F(ToolsInvokeTest, PolicyDenialIs403) {
    tools.SetPolicy([](const engine::ToolContext& ctx, std::string_view) -> std::optional<std::string> {
        if (ctx.agent_id == "ops") {
            return "ops may not call tools";
        }
        return std::nullopt;
    });
    auto resp = Invoke(R"({"tool":"current_time","agentId":"ops"})");
    EXPECT_EQ(resp.status, 403);
    EXPECT_EQ(json::parse(resp.body).at("error").at("type"), "forbidden");
    EXPECT_TRUE(clock_tool->calls.empty());
    EXPECT_EQ(Invoke(R"({"tool":"current_time"})").status, 200);
}

TEST_F(ToolsInvokeTest, ToolErrorsAreOkFalseWith200) {
    auto resp = Invoke(R"({"tool":"flaky"})");
    EXPECT_EQ(resp.status, 200);
    EXPECT_EQ(
        json::parse(resp.body), json::parse(R"({"ok":false,"error":{"type":"tool_error","message":"boom"}})")
    );
}

TEST_F(ToolsInvokeTest, BadBodiesAre400) {
    for (auto body :
         {"nope",
          "[]",
          "{}",
          R"({"tool":""})",
          R"({"tool":7})",
          R"({"tool":"current_time","args":[1]})",
          R"({"tool":"current_time","dryRun":"yes"})",
          R"({"tool":"current_time","agentId":"ghost"})",
          R"({"tool":"current_time","sessionKey":"cron:job"})"}) {
        auto resp = Invoke(body);
        EXPECT_EQ(resp.status, 400) << body;
        auto parsed = json::parse(resp.body).as_object();
        EXPECT_EQ(parsed.at("ok"), false);
        EXPECT_EQ(parsed.at("error").at("type"), "invalid_request");
    }
    EXPECT_TRUE(clock_tool->calls.empty());
}

TEST_F(ToolsInvokeTest, RequiresTheGatewayBearer) {
    auto resp = Call("POST", "/tools/invoke", R"({"tool":"current_time"})", {});
    EXPECT_EQ(resp.status, 401);
    EXPECT_TRUE(clock_tool->calls.empty());
}

}  // namespace
}  // namespace gw::api
