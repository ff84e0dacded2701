#include "engine/internal/engine_support.hpp"

#include <algorithm>
#include <utility>

#include <boost/json.hpp>

#include "domain/session_key.hpp"

namespace gw::engine::internal {

namespace json = boost::json;

namespace {

template <class T>
void Fill(std::optional<T>& field, const std::optional<T>& fallback) {
    if (!field) {
        field = fallback;
    }
}

config::AgentOptions Merge(config::AgentOptions entry, const config::AgentOptions& d) {
    Fill(entry.name, d.name);
    Fill(entry.model, d.model);
    Fill(entry.fallbacks, d.fallbacks);
    Fill(entry.system_prompt, d.system_prompt);
    Fill(entry.timeout, d.timeout);
    Fill(entry.skills_dirs, d.skills_dirs);
    Fill(entry.tools_allow, d.tools_allow);
    Fill(entry.tools_deny, d.tools_deny);
    Fill(entry.max_tool_iterations, d.max_tool_iterations);
    Fill(entry.max_output_tokens, d.max_output_tokens);
    Fill(entry.history_limit, d.history_limit);
    return entry;
}

Error AgentError(const std::string& id, const std::string& what) {
    return MakeError(ErrorCode::kInvalidArgument, "agents.entries." + id + ": " + what);
}

Result<AgentConfig> Resolve(const std::string& id, config::AgentOptions options) {
    AgentConfig agent;
    options.id = id;
    if (options.model && !options.model->empty()) {
        auto model = domain::ParseModelRef(*options.model);
        if (!model) {
            return AgentError(id, "model: " + model.error().message);
        }
        agent.model = *model;
    }
    for (const auto& f : options.fallbacks.value_or(std::vector<std::string>{})) {
        auto model = domain::ParseModelRef(f);
        if (!model) {
            return AgentError(id, "fallbacks: " + model.error().message);
        }
        agent.fallbacks.push_back(*model);
    }
    if (options.timeout) {
        if (options.timeout->count() <= 0) {
            return AgentError(id, "timeout must be positive");
        }
        agent.timeout = *options.timeout;
    }
    if (options.max_tool_iterations) {
        if (*options.max_tool_iterations < 1) {
            return AgentError(id, "max_tool_iterations must be at least 1");
        }
        agent.max_tool_iterations = *options.max_tool_iterations;
    }
    if (options.history_limit) {
        if (*options.history_limit < 1) {
            return AgentError(id, "history_limit must be at least 1");
        }
        agent.history_limit = std::min(*options.history_limit, domain::kMaxHistoryLimit);
    }
    agent.skills = SkillCatalog::Load(options.skills_dirs.value_or(std::vector<std::string>{}));
    agent.options = std::move(options);
    return agent;
}

}  // namespace

Result<std::map<std::string, AgentConfig>> ResolveAgents(const config::AgentsOptions& agents) {
    std::map<std::string, AgentConfig> out;
    std::map<std::string, config::AgentOptions> entries = agents.entries;
    if (entries.empty()) {
        entries.emplace(std::string(domain::kDefaultAgentId), config::AgentOptions{});
    }
    for (const auto& [raw_id, entry] : entries) {
        if (!domain::IsValidAgentId(raw_id)) {
            return MakeError(
                ErrorCode::kInvalidArgument,
                "agents.entries." + raw_id + ": agent ids must match [a-z0-9][a-z0-9_-]{0,63}"
            );
        }
        std::string id = domain::NormalizeAgentId(raw_id);
        auto agent = Resolve(id, Merge(entry, agents.defaults));
        if (!agent) {
            return agent.error();
        }
        out.insert_or_assign(id, std::move(*agent));
    }
    return out;
}

std::string KnownAgents(const std::map<std::string, AgentConfig>& agents) {
    std::string out;
    for (const auto& [id, agent] : agents) {
        out += (out.empty() ? "" : ", ") + id;
    }
    return out;
}

std::string BuildSystemPrompt(
    const std::optional<std::string>& agent_prompt,
    const std::optional<std::string>& extra_prompt,
    const SkillCatalog& skills
) {
    std::vector<std::string> parts;
    if (agent_prompt && !agent_prompt->empty()) {
        parts.push_back(*agent_prompt);
    }
    if (extra_prompt && !extra_prompt->empty()) {
        parts.push_back(*extra_prompt);
    }
    if (!skills.Empty()) {
        parts.push_back(
            "## Skills\nSkills hold specialised instructions. When a task matches a skill's description, "
            "read "
            "its instructions first (skill_read with its name, or its location).\n" +
            skills.PromptListing()
        );
    }
    std::string out;
    for (const auto& p : parts) {
        out += (out.empty() ? "" : "\n\n") + p;
    }
    return out;
}

std::vector<domain::TranscriptEntry> ConversationOrder(
    std::vector<domain::TranscriptEntry> entries, const std::set<std::string>& excluded_runs
) {
    std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.seq < b.seq; });
    // Group position = the seq of the group's first entry (a run's user message, committed at StartRun).
    std::map<std::string, std::int64_t> run_position;
    for (const auto& e : entries) {
        if (e.run_id) {
            run_position.emplace(*e.run_id, e.seq);  // keeps the first
        }
    }
    std::vector<domain::TranscriptEntry> kept;
    kept.reserve(entries.size());
    for (auto& e : entries) {
        if (!e.run_id || !excluded_runs.contains(*e.run_id)) {
            kept.push_back(std::move(e));
        }
    }
    auto position = [&run_position](const domain::TranscriptEntry& e) {
        return e.run_id ? run_position.at(*e.run_id) : e.seq;
    };
    std::stable_sort(kept.begin(), kept.end(), [&position](const auto& a, const auto& b) {
        auto pa = position(a);
        auto pb = position(b);
        return pa != pb ? pa < pb : a.seq < b.seq;
    });
    return kept;
}

void OrderCurrentRun(
    std::vector<domain::TranscriptEntry>& conversation,
    const std::string& run_id,
    std::vector<std::string>& prompt_order
) {
    auto mine = [&run_id](const domain::TranscriptEntry& e) { return e.run_id == run_id; };
    auto first = std::find_if(conversation.begin(), conversation.end(), mine);
    if (first == conversation.end()) {
        return;
    }
    // ConversationOrder keeps a run's entries together.
    auto last = std::find_if_not(first, conversation.end(), mine);
    std::vector<domain::TranscriptEntry> group(std::make_move_iterator(first), std::make_move_iterator(last));
    std::vector<domain::TranscriptEntry> ordered;
    if (!prompt_order.empty()) {
        std::map<std::string, std::size_t> at;
        for (std::size_t i = 0; i < group.size(); ++i) {
            at.emplace(group[i].id, i);
        }
        std::vector<bool> used(group.size(), false);
        for (const auto& id : prompt_order) {
            if (auto it = at.find(id); it != at.end() && !used[it->second]) {
                used[it->second] = true;
                ordered.push_back(group[it->second]);
            }
        }
        for (int pass = 0; pass < 2; ++pass) {  // outputs of the last call, then steered messages
            for (std::size_t i = 0; i < group.size(); ++i) {
                bool output =
                    group[i].role == domain::Role::kAssistant || group[i].role == domain::Role::kToolResult;
                if (!used[i] && output == (pass == 0)) {
                    used[i] = true;
                    ordered.push_back(group[i]);
                }
            }
        }
    } else {
        ordered = std::move(group);
    }
    prompt_order.clear();
    for (const auto& e : ordered) {
        prompt_order.push_back(e.id);
    }
    auto position = conversation.erase(first, last);
    conversation.insert(
        position, std::make_move_iterator(ordered.begin()), std::make_move_iterator(ordered.end())
    );
}

std::string AckJson(
    std::string_view run_id, std::string_view status, std::string_view session_key, std::string_view agent_id
) {
    json::object o;
    o["runId"] = run_id;
    o["status"] = status;
    o["sessionKey"] = session_key;
    o["agentId"] = agent_id;
    return json::serialize(o);
}

std::string ResultJson(
    std::string_view run_id,
    std::string_view status,
    std::string_view session_key,
    std::string_view agent_id,
    const std::optional<std::string>& error
) {
    json::object o;
    o["runId"] = run_id;
    o["status"] = status;
    o["sessionKey"] = session_key;
    o["agentId"] = agent_id;
    if (error) {
        o["error"] = *error;
    }
    return json::serialize(o);
}

StoredAck ParseStoredAck(std::string_view payload) {
    StoredAck out;
    boost::system::error_code ec;
    json::value v = json::parse(payload, ec);
    if (ec || !v.is_object()) {
        return out;
    }
    auto text = [&v](std::string_view key) -> std::string {
        const json::value* f = v.as_object().if_contains(key);
        return f != nullptr && f->is_string() ? std::string(f->as_string()) : std::string();
    };
    out.run_id = text("runId");
    out.status = text("status");
    out.session_key = text("sessionKey");
    return out;
}

}  // namespace gw::engine::internal
