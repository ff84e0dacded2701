#pragma once
/// @file
/// @brief Cross-field validation of the merged config (after defaults, file and env).

#include "base/error.hpp"
#include "config/internal/binder.hpp"
#include "config/options.hpp"

namespace gw::config::internal {

/// Checks values that need the whole config (log level names, store driver, TLS files, the
/// non-loopback-without-auth refusal). Errors name the YAML path and where the value came from.
Result<void> Validate(const GatewayConfig& cfg, const LoadContext& ctx);

}  // namespace gw::config::internal
