#pragma once
/// @file
/// @brief Pure helpers of the run engine: agent resolution, model references, prompt assembly,
/// conversation order and the idempotency ack/result payloads.

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "config/agent_options.hpp"
#include "domain/model_client.hpp"
#include "domain/transcript.hpp"
#include "engine/skills.hpp"

namespace gw::engine::internal {

inline constexpr std::chrono::milliseconds kDefaultRunTimeout{600'000};
inline constexpr int kDefaultMaxToolIterations = 8;

/// One agent with defaults applied and its model references parsed.
struct AgentConfig {
    config::AgentOptions options;  ///< entry merged over agents.defaults
    std::optional<domain::ModelRef> model;
    std::vector<domain::ModelRef> fallbacks;
    std::chrono::milliseconds timeout = kDefaultRunTimeout;
    int max_tool_iterations = kDefaultMaxToolIterations;
    std::size_t history_limit = domain::kDefaultHistoryLimit;
    SkillCatalog skills;
};


/// Entries merged over defaults (a single agent "main" from the defaults when there are no entries);
/// validates ids, models and limits, loads skills. kInvalidArgument naming the agent and field.
Result<std::map<std::string, AgentConfig>> ResolveAgents(const config::AgentsOptions& agents);

/// "a, b, c" of the map keys.
std::string KnownAgents(const std::map<std::string, AgentConfig>& agents);

/// Agent prompt, extra prompt, then the skills listing, separated by blank lines.
std::string BuildSystemPrompt(
    const std::optional<std::string>& agent_prompt,
    const std::optional<std::string>& extra_prompt,
    const SkillCatalog& skills
);

/// Prompt order: entries grouped by run (groups ordered by their first seq, i.e. run start order), seq
/// order within a run; entries without a run id by seq. Entries of `excluded_runs` (queued runs of the
/// session) are dropped.
std::vector<domain::TranscriptEntry> ConversationOrder(
    std::vector<domain::TranscriptEntry> entries, const std::set<std::string>& excluded_runs
);

/// Orders the entries of the current run inside `conversation` (ConversationOrder output): those the
/// previous call saw keep their places (`prompt_order`), then the outputs of that call (assistant and
/// toolResult entries), then messages steered in meanwhile, so a steered message follows the answer that
/// was streaming when it arrived. The first call keeps seq order. Updates `prompt_order`.
void OrderCurrentRun(
    std::vector<domain::TranscriptEntry>& conversation,
    const std::string& run_id,
    std::vector<std::string>& prompt_order
);

/// Idempotency payloads: {"runId","status","sessionKey","agentId"} (+ "error" in results).
std::string AckJson(
    std::string_view run_id, std::string_view status, std::string_view session_key, std::string_view agent_id
);
std::string ResultJson(
    std::string_view run_id,
    std::string_view status,
    std::string_view session_key,
    std::string_view agent_id,
    const std::optional<std::string>& error
);

struct StoredAck {
    std::string run_id;
    std::string status;
    std::string session_key;
};

/// Parses AckJson/ResultJson output; missing fields stay empty.
StoredAck ParseStoredAck(std::string_view payload);

}  // namespace gw::engine::internal
