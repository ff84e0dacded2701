#pragma once
/// @file
/// @brief Cross-field validation of the merged config (after defaults, file and env).

#include <string>
#include <string_view>

#include "base/error.hpp"
#include "config/internal/binder.hpp"
#include "config/options.hpp"

namespace gw::config::internal {

/// Checks values that need the whole config (log level names, store driver, TLS files, the
/// non-loopback-without-auth refusal). Errors name the YAML path and where the value came from.
Result<void> Validate(const GatewayConfig& cfg, const LoadContext& ctx);

/// Checks of the models/agents/http/tools/hooks sections (validate_agents.cpp): provider base URLs,
/// `provider/model` references, agent ids, queue mode, the hooks token.
Result<void> ValidateAgents(const GatewayConfig& cfg, const LoadContext& ctx);

/// Checks of the `edge:` section that the schema cannot express (validate_edge.cpp). CIDR syntax is
/// left to edge::EdgeGuard::Create.
Result<void> ValidateEdge(const GatewayConfig& cfg, const LoadContext& ctx);

/// Checks of the `ws:` section (validate_ws.cpp): tick interval ≥ 1 s, Control UI root/base path/origins.
Result<void> ValidateWs(const GatewayConfig& cfg, const LoadContext& ctx);

/// "" when `origin` is "*" or `scheme://host[:port]` (no path, no trailing slash), else what is wrong.
std::string CheckOrigin(std::string_view origin);

/// "" when `id` is a valid provider/agent id (`[a-z0-9][a-z0-9_-]{0,63}`), else what is wrong.
std::string CheckId(const std::string& id);

}  // namespace gw::config::internal
