#pragma once
/// @file
/// @brief `/tools/invoke` policy: the HTTP default deny list and its adjustment by `tools.allow/deny`
/// (reference §3). Pure; thread-safe. The handler itself is registered by RegisterConversationRoutes.

#include <array>
#include <string_view>

#include "config/agent_options.hpp"

namespace gw::api {

/// Tools never invocable over HTTP unless named in `tools.allow`.
inline constexpr std::array<std::string_view, 12> kHttpToolDenyList = {
    "exec",
    "spawn",
    "shell",
    "fs_write",
    "fs_delete",
    "fs_move",
    "apply_patch",
    "sessions_spawn",
    "sessions_send",
    "cron",
    "gateway",
    "nodes",
};

/// True when `/tools/invoke` may call `tool`: not in `tools.deny` (which wins, `*` denies all), and
/// either not in kHttpToolDenyList or listed in `tools.allow`.
bool HttpToolAllowed(std::string_view tool, const config::ToolsOptions& options);

}  // namespace gw::api
