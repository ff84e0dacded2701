#pragma once
/// @file
/// @brief Options of the OpenClaw gateway protocol on WebSocket `/` (YAML section `ws`) and of the
/// static Control UI (`ws.control_ui`). Plain values with defaults matching OpenClaw 2026.9.6.

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace gw::config {

/// Serving a static Control UI directory (e.g. `dist/control-ui` of an installed `openclaw` npm
/// package) on the gateway port. Browser WebSocket connections (those sending `Origin`) are accepted
/// only from `allowed_origins` (exact `scheme://host[:port]`, or "*"); the gateway's own origin
/// (same host:port as the request) is always allowed when the UI is enabled.
struct ControlUiOptions {
    bool enabled = false;
    std::string root;              ///< directory holding index.html (required when enabled)
    std::string base_path = "/";   ///< URL prefix the UI is served under ("/" or "/ui" ...)
    std::vector<std::string> allowed_origins;
};

struct WsOptions {
    /// `connect` must arrive within this (env OPENCLAW_HANDSHAKE_TIMEOUT_MS overrides).
    std::chrono::milliseconds handshake_timeout{15'000};
    std::chrono::milliseconds tick_interval{30'000};  ///< `tick` event period; hello policy.tickIntervalMs
    /// New devices connecting from a loopback peer (no forwarding headers) are paired without approval
    /// (OpenClaw gateway.nodes.pairing.autoApproveLocal).
    bool auto_approve_local = true;
    /// Requests of one connection running at once; more get a retryable UNAVAILABLE.
    std::size_t max_inflight_requests = 64;
    ControlUiOptions control_ui;
};

}  // namespace gw::config
