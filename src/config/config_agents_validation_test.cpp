#include <string>

#include <gtest/gtest.h>

#include "config/config_test_support.hpp"
#include "config/loader.hpp"

namespace gw::config {
namespace {

using gw::testing::TempDir;
using testing::EnvOf;
using testing::LoadErrorOf;
using testing::LoadOkOf;

const std::string kOneProvider = "models:\n  providers:\n    openai: {base_url: https://api.openai.com/v1}\n";

TEST(ConfigAgentsValidationTest, ProviderAndAgentIdsMustBeLowercaseSlugs) {
    EXPECT_EQ(
        LoadErrorOf("models:\n  providers:\n    OpenAI: {base_url: http://h}\n"),
        "gw.yaml:3:5: models.providers.OpenAI: invalid id 'OpenAI' (expected 1-64 of a-z, 0-9, '_' and '-', "
        "starting with a letter or digit)"
    );
    EXPECT_EQ(
        LoadErrorOf("agents:\n  entries:\n    -main: {}\n"),
        "gw.yaml:3:5: agents.entries.-main: invalid id '-main' (expected 1-64 of a-z, 0-9, '_' and '-', "
        "starting with a letter or digit)"
    );
    EXPECT_FALSE(LoadErrorOf("agents:\n  entries:\n    " + std::string(65, 'a') + ": {}\n").empty());
    const auto cfg = LoadOkOf("agents:\n  entries:\n    " + std::string(64, 'a') + ": {}\n    a_b-9: {}\n");
    EXPECT_EQ(cfg.agents.entries.size(), 2U);
}

TEST(ConfigAgentsValidationTest, BaseUrlMustBeAbsoluteHttp) {
    EXPECT_EQ(
        LoadErrorOf("models:\n  providers:\n    p:\n      api: anthropic-messages\n"),
        "gw.yaml:3:5: models.providers.p.base_url: required (an absolute http:// or https:// URL, e.g. "
        "https://api.openai.com/v1)"
    );
    EXPECT_EQ(
        LoadErrorOf("models:\n  providers:\n    p: {base_url: api.openai.com/v1}\n"),
        "gw.yaml:3:19: models.providers.p.base_url: 'api.openai.com/v1' is not an absolute http:// or "
        "https:// URL"
    );
    EXPECT_EQ(
        LoadErrorOf("models:\n  providers:\n    p: {base_url: 'http:///v1'}\n"),
        "gw.yaml:3:19: models.providers.p.base_url: 'http:///v1' has no host"
    );
    EXPECT_EQ(
        LoadErrorOf("models:\n  providers:\n    p: {base_url: 'ftp://h/v1'}\n"),
        "gw.yaml:3:19: models.providers.p.base_url: 'ftp://h/v1' is not an absolute http:// or https:// URL"
    );
    EXPECT_EQ(
        LoadErrorOf("models:\n  providers:\n    p: {base_url: http://h, retry_base_delay: 5s, retry_max_delay: 1s}\n"),
        "gw.yaml:3:68: models.providers.p.retry_max_delay: must be >= retry_base_delay"
    );
    for (const std::string url :
         {"http://127.0.0.1:11434/v1", "https://dashscope.aliyuncs.com/compatible-mode/v1", "http://[::1]:8080",
          "https://user@host"}) {
        EXPECT_TRUE(LoadFromString("models:\n  providers:\n    p: {base_url: '" + url + "'}\n", "gw.yaml", EnvOf()))
            << url;
    }
}

TEST(ConfigAgentsValidationTest, CaFileMustBeReadable) {
    TempDir dir;
    const auto missing = dir.File("ca.pem");
    EXPECT_EQ(
        LoadErrorOf("models:\n  providers:\n    p: {base_url: https://h, ca_file: " + missing + "}\n"),
        "gw.yaml:3:39: models.providers.p.ca_file: cannot read '" + missing + "'"
    );
    dir.Write("ca.pem", "-----BEGIN CERTIFICATE-----\n");
    EXPECT_EQ(
        LoadOkOf("models:\n  providers:\n    p: {base_url: https://h, ca_file: " + missing + "}\n")
            .models.providers.at("p")
            .ca_file,
        missing
    );
}

TEST(ConfigAgentsValidationTest, ModelRefsMustBeProviderSlashModel) {
    EXPECT_EQ(
        LoadErrorOf("agents:\n  defaults:\n    model: gpt-4o\n"),
        "gw.yaml:3:12: agents.defaults.model: 'gpt-4o' is not of the form provider/model"
    );
    EXPECT_EQ(
        LoadErrorOf("agents:\n  entries:\n    main: {fallbacks: [a/b, /c]}\n"),
        "gw.yaml:3:23: agents.entries.main.fallbacks[1]: '/c' is not of the form provider/model"
    );
    // With no providers configured any provider name is accepted (the gateway still starts).
    EXPECT_EQ(LoadOkOf("agents:\n  defaults: {model: anything/m}\n").agents.defaults.model, "anything/m");
}

TEST(ConfigAgentsValidationTest, ModelRefsMustNameAConfiguredProvider) {
    EXPECT_EQ(
        LoadErrorOf(kOneProvider + "agents:\n  entries:\n    main: {model: claude/sonnet}\n"),
        "gw.yaml:6:19: agents.entries.main.model: unknown provider 'claude' in 'claude/sonnet' (configured: "
        "openai)"
    );
    EXPECT_EQ(
        LoadErrorOf(kOneProvider + "agents:\n  defaults: {fallbacks: [openai/x, deepseek/chat]}\n"),
        "gw.yaml:5:25: agents.defaults.fallbacks[1]: unknown provider 'deepseek' in 'deepseek/chat' "
        "(configured: openai)"
    );
    const auto cfg = LoadOkOf(kOneProvider + "agents:\n  defaults: {model: openai/org/model-with-slash}\n");
    EXPECT_EQ(cfg.agents.defaults.model, "openai/org/model-with-slash");
}

TEST(ConfigAgentsValidationTest, DefaultAgentMustExistWhenEntriesAreConfigured) {
    EXPECT_EQ(
        LoadErrorOf("agents:\n  default_agent: helper\n  entries:\n    coder: {}\n"),
        "gw.yaml:2:18: agents.default_agent: unknown agent 'helper' (agents.entries has: coder)"
    );
    EXPECT_EQ(
        LoadErrorOf("agents:\n  entries:\n    coder: {}\nhooks:\n  default_agent: ops\n"),
        "gw.yaml:5:18: hooks.default_agent: unknown agent 'ops' (agents.entries has: coder)"
    );
    EXPECT_EQ(
        LoadErrorOf("agents:\n  default_agent: Main\n"),
        "gw.yaml:2:18: agents.default_agent: invalid id 'Main' (expected 1-64 of a-z, 0-9, '_' and '-', "
        "starting with a letter or digit)"
    );
    EXPECT_EQ(LoadOkOf("agents:\n  default_agent: helper\n").agents.default_agent, "helper");  // no entries
    EXPECT_EQ(LoadOkOf("agents:\n  entries:\n    coder: {}\n").agents.default_agent, "main");  // implicit main
}

TEST(ConfigAgentsValidationTest, EnabledHooksNeedTheirOwnToken) {
    EXPECT_EQ(
        LoadErrorOf("hooks:\n  enabled: true\n"),
        "gw.yaml:2:12: hooks.token: required when hooks.enabled is true (or set OPENCLAW_HOOKS_TOKEN)"
    );
    EXPECT_EQ(
        LoadErrorOf("auth:\n  token: same\nhooks:\n  enabled: true\n  token: same\n"),
        "gw.yaml:5:10: hooks.token: must differ from auth.token (use a separate webhook secret)"
    );
    EXPECT_EQ(
        LoadErrorOf("hooks: {enabled: true}\n", EnvOf({{"OPENCLAW_HOOKS_TOKEN", "t"}, {"OPENCLAW_GATEWAY_TOKEN", "t"}})),
        "env OPENCLAW_HOOKS_TOKEN: hooks.token: must differ from auth.token (use a separate webhook secret)"
    );
    const auto cfg = LoadOkOf("hooks: {enabled: true}\n", EnvOf({{"OPENCLAW_HOOKS_TOKEN", "hook-t"}}));
    EXPECT_EQ(cfg.hooks.token.value, "hook-t");
    EXPECT_EQ(cfg.hooks.token.source, "env:OPENCLAW_HOOKS_TOKEN");
}

}  // namespace
}  // namespace gw::config
