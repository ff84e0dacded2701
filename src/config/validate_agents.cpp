// Cross-field checks of the conversation-engine sections (models, agents, hooks).

#include <algorithm>
#include <array>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "config/internal/validate.hpp"

namespace gw::config::internal {
namespace {

constexpr std::array<std::string_view, 3> kApis{"openai-completions", "openai-responses", "anthropic-messages"};

bool IsIdChar(char c, bool first) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (!first && (c == '_' || c == '-'));
}

/// "" when `url` is an absolute http(s) URL with a host, else what is wrong.
std::string CheckBaseUrl(const std::string& url) {
    if (url.empty()) {
        return "required (an absolute http:// or https:// URL, e.g. https://api.openai.com/v1)";
    }
    std::string_view rest = url;
    if (rest.starts_with("https://")) {
        rest.remove_prefix(8);
    } else if (rest.starts_with("http://")) {
        rest.remove_prefix(7);
    } else {
        return fmt::format("'{}' is not an absolute http:// or https:// URL", url);
    }
    const auto authority = rest.substr(0, rest.find_first_of("/?#"));
    const auto at = authority.rfind('@');
    const auto host = at == std::string_view::npos ? authority : authority.substr(at + 1);
    if (host.empty() || host.front() == ':') {
        return fmt::format("'{}' has no host", url);
    }
    if (url.find_first_of(" \t\r\n") != std::string::npos) {
        return fmt::format("'{}' contains whitespace", url);
    }
    return {};
}

/// "" when `ref` is `provider/model` naming a configured provider (any provider when none are
/// configured), else what is wrong.
std::string CheckModelRef(const std::string& ref, const ModelsOptions& models) {
    const auto slash = ref.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == ref.size()) {
        return fmt::format("'{}' is not of the form provider/model", ref);
    }
    const std::string provider = ref.substr(0, slash);
    if (models.providers.empty() || models.providers.count(provider) != 0) {
        return {};
    }
    std::string known;
    for (const auto& [id, p] : models.providers) {
        known += (known.empty() ? "" : ", ") + id;
    }
    return fmt::format("unknown provider '{}' in '{}' (configured: {})", provider, ref, known);
}

Result<void> ValidateAgent(
    const AgentOptions& agent, const std::string& path, const ModelsOptions& models, const LoadContext& ctx
) {
    if (agent.model) {
        if (auto problem = CheckModelRef(*agent.model, models); !problem.empty()) {
            return ctx.Fail(ctx.OriginOf(path + ".model"), path + ".model", problem);
        }
    }
    if (agent.fallbacks) {
        for (std::size_t i = 0; i < agent.fallbacks->size(); ++i) {
            if (auto problem = CheckModelRef((*agent.fallbacks)[i], models); !problem.empty()) {
                return ctx.Fail(
                    ctx.OriginOf(path + ".fallbacks"), fmt::format("{}.fallbacks[{}]", path, i), problem
                );
            }
        }
    }
    return Ok();
}

/// An agent id used as a default must be configured, unless no entries exist (or it is "main").
Result<void> CheckAgentRef(
    const std::string& id, std::string_view path, const AgentsOptions& agents, const LoadContext& ctx
) {
    if (auto problem = CheckId(id); !problem.empty()) {
        return ctx.Fail(ctx.OriginOf(path), path, problem);
    }
    if (agents.entries.empty() || id == "main" || agents.entries.count(id) != 0) {
        return Ok();
    }
    std::string known;
    for (const auto& [key, a] : agents.entries) {
        known += (known.empty() ? "" : ", ") + key;
    }
    return ctx.Fail(
        ctx.OriginOf(path), path, fmt::format("unknown agent '{}' (agents.entries has: {})", id, known)
    );
}

Result<void> ValidateProvider(const ProviderOptions& p, const LoadContext& ctx) {
    const std::string path = "models.providers." + p.id;
    if (auto problem = CheckBaseUrl(p.base_url); !problem.empty()) {
        const auto origin = ctx.OriginOf(path + ".base_url");
        return ctx.Fail(origin.kind == Origin::Kind::kDefault ? ctx.OriginOf(path) : origin, path + ".base_url", problem);
    }
    if (std::find(kApis.begin(), kApis.end(), p.api) == kApis.end()) {
        return ctx.Fail(
            ctx.OriginOf(path + ".api"),
            path + ".api",
            fmt::format("expected one of openai-completions, openai-responses, anthropic-messages, got '{}'", p.api)
        );
    }
    if (p.retry_max_delay < p.retry_base_delay) {
        return ctx.Fail(ctx.OriginOf(path + ".retry_max_delay"), path + ".retry_max_delay", "must be >= retry_base_delay");
    }
    if (!p.ca_file.empty()) {
        std::unique_ptr<std::FILE, int (*)(std::FILE*)> fp(std::fopen(p.ca_file.c_str(), "rb"), &std::fclose);
        if (!fp) {
            return ctx.Fail(
                ctx.OriginOf(path + ".ca_file"), path + ".ca_file", fmt::format("cannot read '{}'", p.ca_file)
            );
        }
    }
    return Ok();
}

}  // namespace

std::string CheckId(const std::string& id) {
    bool ok = !id.empty() && id.size() <= 64;
    for (std::size_t i = 0; ok && i < id.size(); ++i) {
        ok = IsIdChar(id[i], i == 0);
    }
    if (ok) {
        return {};
    }
    return fmt::format(
        "invalid id '{}' (expected 1-64 of a-z, 0-9, '_' and '-', starting with a letter or digit)", id
    );
}

Result<void> ValidateAgents(const GatewayConfig& cfg, const LoadContext& ctx) {
    for (const auto& [id, provider] : cfg.models.providers) {
        if (auto r = ValidateProvider(provider, ctx); !r) {
            return r;
        }
    }
    if (auto r = ValidateAgent(cfg.agents.defaults, "agents.defaults", cfg.models, ctx); !r) {
        return r;
    }
    for (const auto& [id, agent] : cfg.agents.entries) {
        if (auto r = ValidateAgent(agent, "agents.entries." + id, cfg.models, ctx); !r) {
            return r;
        }
    }
    if (auto r = CheckAgentRef(cfg.agents.default_agent, "agents.default_agent", cfg.agents, ctx); !r) {
        return r;
    }
    if (!cfg.hooks.default_agent.empty()) {
        if (auto r = CheckAgentRef(cfg.hooks.default_agent, "hooks.default_agent", cfg.agents, ctx); !r) {
            return r;
        }
    }
    if (cfg.hooks.enabled && !cfg.hooks.token.IsSet()) {
        return ctx.Fail(
            ctx.OriginOf("hooks.enabled"),
            "hooks.token",
            "required when hooks.enabled is true (or set OPENCLAW_HOOKS_TOKEN)"
        );
    }
    if (cfg.hooks.token.IsSet() && cfg.hooks.token.value == cfg.auth.token.value) {
        return ctx.Fail(
            ctx.OriginOf("hooks.token"), "hooks.token", "must differ from auth.token (use a separate webhook secret)"
        );
    }
    return Ok();
}

}  // namespace gw::config::internal
