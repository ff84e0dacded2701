#pragma once
/// @file
/// @brief Options of the conversation engine: LLM providers (`models.providers.<id>`), agents
/// (`agents.defaults`, `agents.entries.<id>`), the OpenAI-compatible HTTP endpoints, `/tools/invoke`
/// policy and webhooks (`hooks`). Plain structs with defaults; bound to YAML in internal/schema_agents.cpp.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/secret.hpp"

namespace gw::config {

/// One upstream LLM endpoint. `api` picks the wire format:
/// "openai-completions" (OpenAI, DeepSeek, Qwen/DashScope, vLLM, Ollama, llama.cpp servers),
/// "openai-responses" (OpenAI Responses API), "anthropic-messages" (Anthropic Messages API).
struct ProviderOptions {
    std::string id;        ///< the map key
    std::string base_url;  ///< e.g. https://api.openai.com/v1, https://api.anthropic.com/v1
    std::string api = "openai-completions";
    Secret api_key;                             ///< Bearer (OpenAI) or x-api-key (Anthropic); may be unset
    std::map<std::string, std::string> headers;  ///< extra request headers
    std::vector<std::string> models;             ///< model ids offered (informational; empty = any)
    std::chrono::milliseconds connect_timeout{10'000};
    std::chrono::milliseconds request_timeout{600'000};  ///< whole upstream call
    std::chrono::milliseconds idle_timeout{120'000};     ///< max gap between stream chunks
    int max_retries = 2;                                 ///< retries of one model before falling back
    std::chrono::milliseconds retry_base_delay{500};     ///< exponential backoff base (with jitter)
    std::chrono::milliseconds retry_max_delay{8'000};    ///< cap, also for Retry-After
    bool verify_tls = true;
    std::string ca_file;  ///< extra PEM trust (private CAs, tests)
};

/// Queue mode of a message that arrives while its session has an active run (OpenClaw
/// `messages.queue.mode`): "steer", "followup", "collect", "interrupt".
struct QueueOptions {
    std::string mode = "steer";
    std::size_t cap = 20;  ///< queued messages per session beyond the active run; more are rejected
    std::chrono::milliseconds collect_debounce{500};
};

/// Agent settings; `agents.defaults` fills every field an entry leaves unset.
struct AgentOptions {
    std::string id;                          ///< the map key ("main" is the default agent)
    std::optional<std::string> name;         ///< display name
    std::optional<std::string> model;        ///< primary `provider/model`
    std::optional<std::vector<std::string>> fallbacks;  ///< `provider/model` chain after the primary
    std::optional<std::string> system_prompt;  ///< identity / instructions prepended to every call
    std::optional<std::chrono::milliseconds> timeout;  ///< run deadline (default 600 s)
    std::optional<std::vector<std::string>> skills_dirs;  ///< directories of `<skill>/SKILL.md`
    std::optional<std::vector<std::string>> tools_allow;  ///< built-in tools offered (empty = all)
    std::optional<std::vector<std::string>> tools_deny;
    std::optional<int> max_tool_iterations;        ///< model calls per run (default 8)
    std::optional<std::int64_t> max_output_tokens;  ///< per model call (default: provider's)
    std::optional<std::size_t> history_limit;      ///< transcript entries sent upstream (default 200)
};

struct AgentsOptions {
    AgentOptions defaults;
    std::map<std::string, AgentOptions> entries;  ///< by agent id
    std::string default_agent = "main";          ///< target of `openclaw` / `openclaw/default`
    int max_concurrent = 16;                     ///< runs in flight across all sessions
    QueueOptions queue;
};

/// `/v1/*` endpoints (OpenClaw `gateway.http.endpoints.*.enabled`; on by default here).
struct HttpApiOptions {
    bool chat_completions = true;
    bool responses = true;
    std::size_t max_body_bytes = 20 * 1024 * 1024;
};

/// `/tools/invoke` policy (OpenClaw `gateway.tools.{allow,deny}`); the HTTP default deny list always
/// applies unless a name is in `allow`.
struct ToolsOptions {
    std::vector<std::string> allow;
    std::vector<std::string> deny;
};

/// `/hooks/wake`, `/hooks/agent` (off unless enabled; the token is required when enabled).
struct HooksOptions {
    bool enabled = false;
    Secret token;
    std::string default_agent;  ///< empty = agents.default_agent
    std::chrono::milliseconds admission_timeout{15'000};
};

struct ModelsOptions {
    std::map<std::string, ProviderOptions> providers;  ///< by provider id
};

}  // namespace gw::config
