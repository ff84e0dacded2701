#pragma once
/// @file
/// @brief Serving a static OpenClaw Control UI directory (`ws.control_ui`, e.g. the `dist/control-ui`
/// folder of an installed `openclaw` npm package) on the gateway port, the way OpenClaw's gateway
/// serves it: `<base>/control-ui-config.json` (bootstrap config, also at the legacy
/// `<base>/__openclaw/control-ui-config.json`), static files under the root with their content types,
/// `index.html` for document paths (single-page app) with the base-path attribute on `<html>`,
/// `./assets/` links anchored to the base path, and a CSP allowing its inline scripts by hash.

#include <string>

#include "config/options.hpp"

namespace gw::net {
class Router;
}

namespace gw::api {

/// Registers GET/HEAD routes under `cfg.ws.control_ui.base_path` when the UI is enabled (no-op
/// otherwise). API paths (/v1/, /api/, /hooks/, /tools/) below a "/" base still answer JSON 404.
/// Files are read on each request (the OS caches them); paths with "..", NUL or leaving the root
/// through a symlink are 404.
void RegisterControlUiRoutes(net::Router& router, const config::GatewayConfig& cfg, std::string version);

/// The Content-Security-Policy for a served page whose inline `<script>` blocks are allowed by their
/// SHA-256 hashes (exposed for tests).
std::string ControlUiCsp(const std::string& html, std::string_view host);

/// index.html as served under `base_path` (exposed for tests).
std::string PrepareControlUiIndex(std::string html, std::string_view base_path);

}  // namespace gw::api
