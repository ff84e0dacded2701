#pragma once
/// @file
/// @brief Built-in tools the model (and `/tools/invoke`) can call, their registry, and the policy hook
/// where authorisation plugs in.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "base/error.hpp"
#include "domain/clock.hpp"
#include "domain/model_client.hpp"
#include "domain/ports.hpp"

namespace gw::engine {

class SkillCatalog;

/// Who calls a tool, and for which session.
struct ToolContext {
    std::string tenant_id;
    std::string user_id;
    std::string agent_id;
    std::string session_key;    ///< canonical; may be empty for /tools/invoke without a session
    std::string transcript_id;  ///< current transcript of that session, if any
    std::string run_id;         ///< empty outside a run
};

/// What a tool returns: text content for the model (and `/tools/invoke`'s result.content).
struct ToolOutput {
    std::string text;
    bool is_error = false;  ///< the tool ran but failed (reported to the model, not an HTTP error)
};

class Tool {
public:
    virtual ~Tool() = default;
    virtual const domain::ToolSpec& Spec() const = 0;
    /// `args_json` is the model's arguments (JSON object text, possibly malformed: answer is_error).
    virtual boost::asio::awaitable<ToolOutput> Invoke(const ToolContext& ctx, std::string args_json) = 0;
};

/// Decides whether `ctx` may call `tool` (RBAC plugs in here). Return a reason to deny.
using ToolPolicy = std::function<std::optional<std::string>(const ToolContext& ctx, std::string_view tool)>;

/// Name → tool. Registration happens at startup; lookups are then thread-safe.
class ToolRegistry {
public:
    ToolRegistry();
    ~ToolRegistry();
    ToolRegistry(const ToolRegistry&) = delete;
    ToolRegistry& operator=(const ToolRegistry&) = delete;

    /// kConflict if the name is taken.
    Result<void> Register(std::unique_ptr<Tool> tool);
    Tool* Find(std::string_view name) const;
    std::vector<domain::ToolSpec> Specs() const;  ///< sorted by name

    void SetPolicy(ToolPolicy policy);
    /// nullopt = allowed.
    std::optional<std::string> CheckPolicy(const ToolContext& ctx, std::string_view tool) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// What the built-in tools read. The references must outlive the registry.
struct BuiltinToolDeps {
    domain::TranscriptRepository& transcripts;
    domain::SessionRepository& sessions;
    const SkillCatalog& skills;  ///< what skills_list / skill_read serve (e.g. agents.defaults.skills_dirs)
    domain::WallClock clock = domain::SystemWallClock();
};

/// Registers the safe built-ins: `current_time` (args `{timezone?}`: "UTC", "Z" or a fixed offset such as
/// "+05:30" / "UTC-3"; IANA names answer is_error because g++ 12's libstdc++ has no chrono tzdb),
/// `session_history` (args `{limit?}`: this session's recent messages as text), `skills_list`,
/// `skill_read` (args `{name}`). kConflict if one of the names is already registered.
Result<void> RegisterBuiltinTools(ToolRegistry& registry, const BuiltinToolDeps& deps);

}  // namespace gw::engine
