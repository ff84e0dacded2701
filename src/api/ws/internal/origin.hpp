#pragma once
/// @file
/// @brief Browser-origin check of WebSocket upgrades (`ws.control_ui.allowed_origins`). Module-internal.

#include <string_view>

#include "config/ws_options.hpp"

namespace gw::api::ws {

/// True when a connection may proceed: no Origin header (non-browser clients), an origin listed in
/// `allowed_origins` ("*" allows all; entries compare case-insensitively, without a trailing '/'),
/// or — when the Control UI is enabled — the gateway's own origin (Origin host[:port] equals `host`,
/// the request's Host header). "null" origins are refused unless "*" is listed.
bool OriginAllowed(const config::ControlUiOptions& options, std::string_view origin, std::string_view host);

}  // namespace gw::api::ws
