#pragma once
/// @file
/// @brief The GatewayConfig schema (YAML keys -> fields) and the env override table.

#include <span>
#include <string_view>
#include <vector>

#include "config/internal/binder.hpp"

namespace gw::config::internal {

/// Top-level sections of the YAML file, in rendering order. Built once; immutable afterwards.
const std::vector<Field>& Schema();

/// The `edge:` section (schema_edge.cpp).
Field EdgeSection();

/// The `ws:` section (schema_ws.cpp).
Field WsSection();

/// The `models`, `agents`, `http`, `tools` and `hooks` sections (schema_agents.cpp).
std::vector<Field> AgentSections();

/// An environment variable that overrides one leaf (dotted YAML path) after the file is applied.
struct EnvOverride {
    std::string_view env;
    std::string_view path;
};

/// All env overrides, applied in this order.
std::span<const EnvOverride> EnvOverrides();

}  // namespace gw::config::internal
