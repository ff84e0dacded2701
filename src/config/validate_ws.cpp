// Cross-field checks of the `ws:` section: tick interval floor, the Control UI directory, base path and
// allowed origins. Positive durations and integer ranges are enforced by the schema.

#include <cctype>
#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

#include <fmt/format.h>

#include "config/internal/validate.hpp"

namespace gw::config::internal {

namespace {

bool IsSchemeChar(char c, bool first) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalpha(u) != 0) {
        return true;
    }
    return !first && (std::isdigit(u) != 0 || c == '+' || c == '-' || c == '.');
}

bool IsHostChar(char c) {
    const auto u = static_cast<unsigned char>(c);
    return std::isalnum(u) != 0 || c == '-' || c == '.' || c == '_';
}

}  // namespace

std::string CheckOrigin(std::string_view origin) {
    if (origin == "*") {
        return {};
    }
    const std::string expected = "expected \"*\" or scheme://host[:port]";
    const auto sep = origin.find("://");
    if (sep == std::string_view::npos || sep == 0) {
        return fmt::format("'{}': {}", origin, expected);
    }
    for (std::size_t i = 0; i < sep; ++i) {
        if (!IsSchemeChar(origin[i], i == 0)) {
            return fmt::format("'{}': {}", origin, expected);
        }
    }
    std::string_view rest = origin.substr(sep + 3);
    std::string_view host = rest;
    std::string_view port;
    if (rest.starts_with('[')) {
        const auto close = rest.find(']');
        if (close == std::string_view::npos || close == 1) {
            return fmt::format("'{}': {}", origin, expected);
        }
        for (char c : rest.substr(1, close - 1)) {
            if (std::isxdigit(static_cast<unsigned char>(c)) == 0 && c != ':' && c != '.') {
                return fmt::format("'{}': {}", origin, expected);
            }
        }
        host = rest.substr(0, close + 1);
        std::string_view after = rest.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') {
                return fmt::format("'{}': {} (no path, query or trailing slash)", origin, expected);
            }
            port = after.substr(1);
            if (port.empty()) {
                return fmt::format("'{}': empty port", origin);
            }
        }
    } else {
        const auto colon = rest.find(':');
        if (colon != std::string_view::npos) {
            host = rest.substr(0, colon);
            port = rest.substr(colon + 1);
            if (port.empty()) {
                return fmt::format("'{}': empty port", origin);
            }
        }
        if (host.empty()) {
            return fmt::format("'{}': {}", origin, expected);
        }
        for (char c : host) {
            if (!IsHostChar(c)) {
                return fmt::format("'{}': {} (no path, query or trailing slash)", origin, expected);
            }
        }
    }
    if (!port.empty()) {
        if (port.size() > 5) {
            return fmt::format("'{}': port must be 1..65535", origin);
        }
        int value = 0;
        for (char c : port) {
            if (std::isdigit(static_cast<unsigned char>(c)) == 0) {
                return fmt::format("'{}': {} (no path, query or trailing slash)", origin, expected);
            }
            value = value * 10 + (c - '0');
        }
        if (value < 1 || value > 65535) {
            return fmt::format("'{}': port must be 1..65535", origin);
        }
    }
    return {};
}

Result<void> ValidateWs(const GatewayConfig& cfg, const LoadContext& ctx) {
    const auto& ws = cfg.ws;
    if (ws.tick_interval < std::chrono::milliseconds(100)) {
        return ctx.Fail(ctx.OriginOf("ws.tick_interval"), "ws.tick_interval", "must be at least 100ms");
    }
    const auto& ui = ws.control_ui;
    if (!ui.base_path.starts_with('/')) {
        return ctx.Fail(
            ctx.OriginOf("ws.control_ui.base_path"),
            "ws.control_ui.base_path",
            fmt::format("must start with '/', got '{}'", ui.base_path)
        );
    }
    for (std::size_t i = 0; i < ui.allowed_origins.size(); ++i) {
        if (std::string problem = CheckOrigin(ui.allowed_origins[i]); !problem.empty()) {
            const std::string path = fmt::format("ws.control_ui.allowed_origins[{}]", i);
            return ctx.Fail(ctx.OriginOf("ws.control_ui.allowed_origins"), path, problem);
        }
    }
    if (ui.enabled) {
        if (ui.root.empty()) {
            return ctx.Fail(
                ctx.OriginOf("ws.control_ui.enabled"),
                "ws.control_ui.root",
                "required when control_ui.enabled is true"
            );
        }
        std::error_code ec;
        const std::filesystem::path root(ui.root);
        if (!std::filesystem::is_directory(root, ec)) {
            return ctx.Fail(
                ctx.OriginOf("ws.control_ui.root"),
                "ws.control_ui.root",
                fmt::format("'{}' is not an existing directory", ui.root)
            );
        }
        if (!std::filesystem::is_regular_file(root / "index.html", ec)) {
            return ctx.Fail(
                ctx.OriginOf("ws.control_ui.root"),
                "ws.control_ui.root",
                fmt::format("'{}' has no index.html", ui.root)
            );
        }
    }
    return Ok();
}

}  // namespace gw::config::internal
