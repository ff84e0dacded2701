#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "config/config_test_support.hpp"
#include "config/loader.hpp"

namespace gw::config {
namespace {

using namespace std::chrono_literals;
using gw::testing::TempDir;
using testing::EnvOf;
using testing::LoadErrorOf;
using testing::LoadOkOf;

using Strings = std::vector<std::string>;

constexpr std::string_view kProviders = R"(models:
  providers:
    openai:
      base_url: https://api.openai.com/v1
      api_key: {env: OPENAI_API_KEY}
      headers: {OpenAI-Organization: org-1, X-Trace: "on"}
      models: [gpt-4o, gpt-4o-mini]
      connect_timeout: 3s
      request_timeout: 5m
      idle_timeout: 30s
      max_retries: 0
      retry_base_delay: 0ms
      retry_max_delay: 2s
      verify_tls: false
    claude:
      base_url: https://api.anthropic.com/v1
      api: anthropic-messages
      api_key: sk-inline-secret
    local:
)";

TEST(ConfigAgentsTest, ProvidersAreKeyedByIdWithEveryField) {
    const auto cfg = LoadOkOf(std::string(kProviders) + "      base_url: http://127.0.0.1:11434/v1\n",
                              EnvOf({{"OPENAI_API_KEY", "sk-env-secret"}}));
    ASSERT_EQ(cfg.models.providers.size(), 3U);
    const auto& openai = cfg.models.providers.at("openai");
    EXPECT_EQ(openai.id, "openai");
    EXPECT_EQ(openai.base_url, "https://api.openai.com/v1");
    EXPECT_EQ(openai.api, "openai-completions");
    EXPECT_EQ(openai.api_key.value, "sk-env-secret");
    EXPECT_EQ(openai.api_key.source, "env:OPENAI_API_KEY");
    EXPECT_EQ(openai.headers, (std::map<std::string, std::string>{{"OpenAI-Organization", "org-1"}, {"X-Trace", "on"}}));
    EXPECT_EQ(openai.models, (Strings{"gpt-4o", "gpt-4o-mini"}));
    EXPECT_EQ(openai.connect_timeout, 3s);
    EXPECT_EQ(openai.request_timeout, 5min);
    EXPECT_EQ(openai.idle_timeout, 30s);
    EXPECT_EQ(openai.max_retries, 0);
    EXPECT_EQ(openai.retry_base_delay, 0ms);
    EXPECT_EQ(openai.retry_max_delay, 2s);
    EXPECT_FALSE(openai.verify_tls);

    const auto& claude = cfg.models.providers.at("claude");
    EXPECT_EQ(claude.id, "claude");
    EXPECT_EQ(claude.api, "anthropic-messages");
    EXPECT_EQ(claude.api_key.source, "inline");
    EXPECT_TRUE(claude.verify_tls);
    EXPECT_EQ(claude.max_retries, ProviderOptions{}.max_retries);

    const auto& local = cfg.models.providers.at("local");
    EXPECT_EQ(local.id, "local");
    EXPECT_FALSE(local.api_key.IsSet());
    EXPECT_TRUE(local.headers.empty());
}

TEST(ConfigAgentsTest, ApiKeyCanComeFromAFile) {
    TempDir dir;
    const auto key_file = dir.Write("key", "sk-file-secret\n");
    const auto cfg = LoadOkOf(
        "models:\n  providers:\n    ds:\n      base_url: https://api.deepseek.com/v1\n      api_key: {file: " +
        key_file + "}\n"
    );
    EXPECT_EQ(cfg.models.providers.at("ds").api_key.value, "sk-file-secret");
    EXPECT_EQ(cfg.models.providers.at("ds").api_key.source, "file:" + key_file);
}

TEST(ConfigAgentsTest, AgentDefaultsAndEntriesBindEveryField) {
    const auto cfg = LoadOkOf(R"(agents:
  defaults:
    model: openai/gpt-4o
    fallbacks: [openai/gpt-4o-mini]
    timeout: 10m
    max_tool_iterations: 4
    history_limit: 50
  entries:
    main: ~
    coder:
      name: Coder
      model: deepseek/deepseek-chat
      fallbacks: []
      system_prompt: "You write C++."
      timeout: 90s
      skills_dirs: [/srv/skills]
      tools_allow: [read, write]
      tools_deny: [exec]
      max_tool_iterations: 12
      max_output_tokens: 4096
      history_limit: 20
  default_agent: coder
  max_concurrent: 64
  queue: {mode: collect, cap: 5, collect_debounce: 250ms}
)");
    const auto& d = cfg.agents.defaults;
    EXPECT_EQ(d.model, "openai/gpt-4o");
    EXPECT_EQ(d.fallbacks, Strings{"openai/gpt-4o-mini"});
    EXPECT_EQ(d.timeout, 10min);
    EXPECT_EQ(d.max_tool_iterations, 4);
    EXPECT_EQ(d.history_limit, 50U);
    EXPECT_FALSE(d.name.has_value());
    EXPECT_FALSE(d.tools_allow.has_value());

    ASSERT_EQ(cfg.agents.entries.size(), 2U);
    const auto& main = cfg.agents.entries.at("main");
    EXPECT_EQ(main.id, "main");
    EXPECT_FALSE(main.model.has_value());  // null entry: everything inherited from defaults

    const auto& coder = cfg.agents.entries.at("coder");
    EXPECT_EQ(coder.id, "coder");
    EXPECT_EQ(coder.name, "Coder");
    EXPECT_EQ(coder.model, "deepseek/deepseek-chat");
    ASSERT_TRUE(coder.fallbacks.has_value());  // an explicit [] differs from "inherit"
    EXPECT_TRUE(coder.fallbacks->empty());
    EXPECT_EQ(coder.system_prompt, "You write C++.");
    EXPECT_EQ(coder.timeout, 90s);
    EXPECT_EQ(coder.skills_dirs, Strings{"/srv/skills"});
    EXPECT_EQ(coder.tools_allow, (Strings{"read", "write"}));
    EXPECT_EQ(coder.tools_deny, Strings{"exec"});
    EXPECT_EQ(coder.max_tool_iterations, 12);
    EXPECT_EQ(coder.max_output_tokens, 4096);
    EXPECT_EQ(coder.history_limit, 20U);

    EXPECT_EQ(cfg.agents.default_agent, "coder");
    EXPECT_EQ(cfg.agents.max_concurrent, 64);
    EXPECT_EQ(cfg.agents.queue.mode, "collect");
    EXPECT_EQ(cfg.agents.queue.cap, 5U);
    EXPECT_EQ(cfg.agents.queue.collect_debounce, 250ms);
}

TEST(ConfigAgentsTest, HttpToolsAndHooksSectionsBind) {
    const auto cfg = LoadOkOf(R"(http: {chat_completions: false, responses: true, max_body_bytes: 5MiB}
tools: {allow: [exec], deny: [browser, "canvas"]}
hooks:
  enabled: true
  token: hook-secret
  default_agent: main
  admission_timeout: 2s
)");
    EXPECT_FALSE(cfg.http.chat_completions);
    EXPECT_TRUE(cfg.http.responses);
    EXPECT_EQ(cfg.http.max_body_bytes, 5U * 1024 * 1024);
    EXPECT_EQ(cfg.tools.allow, Strings{"exec"});
    EXPECT_EQ(cfg.tools.deny, (Strings{"browser", "canvas"}));
    EXPECT_TRUE(cfg.hooks.enabled);
    EXPECT_EQ(cfg.hooks.token.value, "hook-secret");
    EXPECT_EQ(cfg.hooks.default_agent, "main");
    EXPECT_EQ(cfg.hooks.admission_timeout, 2s);
}

TEST(ConfigAgentsTest, NewFieldKindsRejectBadShapes) {
    EXPECT_EQ(
        LoadErrorOf("tools:\n  allow: [exec, [nested]]\n"),
        "gw.yaml:2:17: tools.allow[1]: expected a string, got a sequence"
    );
    EXPECT_EQ(
        LoadErrorOf("models:\n  providers:\n    p:\n      base_url: http://h\n      headers: [a]\n"),
        "gw.yaml:5:16: models.providers.p.headers: expected a mapping, got a sequence"
    );
    EXPECT_EQ(
        LoadErrorOf("models:\n  providers:\n    p:\n      base_url: http://h\n      headers: {A: 1, A: 2}\n"),
        "gw.yaml:5:23: models.providers.p.headers[\"A\"]: duplicate key"
    );
    EXPECT_EQ(
        LoadErrorOf("models:\n  providers:\n    p: {base_url: http://h}\n    p: {base_url: http://h}\n"),
        "gw.yaml:4:5: models.providers.p: duplicate key"
    );
    EXPECT_EQ(
        LoadErrorOf("models:\n  providers:\n    p:\n      base_url: http://h\n      modles: [x]\n"),
        "gw.yaml:5:7: models.providers.p.modles: unknown key (expected one of: base_url, api, api_key, "
        "headers, models, connect_timeout, request_timeout, idle_timeout, max_retries, retry_base_delay, "
        "retry_max_delay, verify_tls, ca_file); did you mean 'models'?"
    );
    EXPECT_EQ(
        LoadErrorOf("models:\n  providers: [openai]\n"),
        "gw.yaml:2:14: models.providers: expected a mapping, got a sequence"
    );
    EXPECT_EQ(
        LoadErrorOf("agents:\n  entries:\n    main: chatty\n"),
        "gw.yaml:3:11: agents.entries.main: expected a mapping, got 'chatty'"
    );
    EXPECT_EQ(
        LoadErrorOf("agents:\n  defaults:\n    max_output_tokens: many\n"),
        "gw.yaml:3:24: agents.defaults.max_output_tokens: expected an integer 1..100000000, got 'many'"
    );
    EXPECT_EQ(
        LoadErrorOf("agents:\n  max_concurrent: 0\n"),
        "gw.yaml:2:19: agents.max_concurrent: expected an integer 1..4096, got '0'"
    );
    EXPECT_EQ(
        LoadErrorOf("agents:\n  queue: {mode: later}\n"),
        "gw.yaml:2:17: agents.queue.mode: expected one of steer, followup, collect, interrupt, got 'later'"
    );
    EXPECT_EQ(
        LoadErrorOf("models:\n  providers:\n    p: {base_url: http://h, api: openai}\n"),
        "gw.yaml:3:34: models.providers.p.api: expected one of openai-completions, openai-responses, "
        "anthropic-messages, got 'openai'"
    );
    EXPECT_EQ(
        LoadErrorOf("models:\n  providers:\n    p: {base_url: http://h, max_retries: 11}\n"),
        "gw.yaml:3:42: models.providers.p.max_retries: expected an integer 0..10, got '11'"
    );
}

TEST(ConfigAgentsTest, RenderRedactsProviderAndHookSecretsAndLoadsBack) {
    const auto first = LoadOkOf(
        std::string(kProviders) + "      base_url: http://127.0.0.1:8000/v1\n" +
            "agents:\n  defaults: {model: openai/gpt-4o, fallbacks: [claude/claude-sonnet-4]}\n"
            "  entries:\n    main: {name: Main, timeout: 2m}\n"
            "tools: {deny: [exec]}\nhooks: {enabled: true, token: {env: HOOK_TOKEN}}\n",
        EnvOf({{"OPENAI_API_KEY", "sk-env-secret"}, {"HOOK_TOKEN", "hook-env-secret"}})
    );
    const auto text = RenderEffective(first);
    for (const char* secret : {"sk-env-secret", "sk-inline-secret", "hook-env-secret"}) {
        EXPECT_EQ(text.find(secret), std::string::npos) << text;
    }
    EXPECT_NE(text.find("api_key: \"<redacted> (env:OPENAI_API_KEY)\""), std::string::npos) << text;
    EXPECT_NE(text.find("api_key: \"<redacted> (inline)\""), std::string::npos) << text;
    EXPECT_NE(text.find("token: \"<redacted> (env:HOOK_TOKEN)\""), std::string::npos) << text;

    // The redacted secrets load back as inline placeholders; everything else is identical.
    auto second = LoadFromString(text, "rendered.yaml", EnvOf());
    ASSERT_TRUE(second) << second.error().message << "\n" << text;
    EXPECT_EQ(second->models.providers.at("openai").headers, first.models.providers.at("openai").headers);
    EXPECT_EQ(second->agents.defaults.fallbacks, first.agents.defaults.fallbacks);
    EXPECT_EQ(second->agents.entries.at("main").timeout, 2min);
    EXPECT_FALSE(second->agents.entries.at("main").model.has_value());
    EXPECT_EQ(second->tools.deny, Strings{"exec"});
    std::string expected = text;
    for (const std::string source : {"(env:OPENAI_API_KEY)", "(env:HOOK_TOKEN)"}) {
        expected.replace(expected.find(source), source.size(), "(inline)");
    }
    EXPECT_EQ(RenderEffective(*second), expected);
}

TEST(ConfigAgentsTest, DefaultsRenderAndLoadBack) {
    const auto text = RenderEffective(GatewayConfig{});
    EXPECT_NE(text.find("providers: {}"), std::string::npos) << text;
    EXPECT_NE(text.find("entries: {}"), std::string::npos) << text;
    auto again = LoadFromString(text, "rendered.yaml", EnvOf());
    ASSERT_TRUE(again) << again.error().message << "\n" << text;
    EXPECT_EQ(RenderEffective(*again), text);
}

}  // namespace
}  // namespace gw::config
