#include "config/internal/validate.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <system_error>

#include <fmt/format.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "config/loader.hpp"

namespace gw::config {
namespace internal {
namespace {

constexpr std::array<std::string_view, 7> kLogLevels{
    "trace", "debug", "info", "warn", "error", "critical", "off"};

/// "" when `file` can be opened for reading as a regular file, else what is wrong.
std::string CheckReadableFile(const std::string& file) {
    std::error_code ec;
    if (std::filesystem::is_directory(file, ec)) {
        return fmt::format("'{}' is a directory, expected a file", file);
    }
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> fp(std::fopen(file.c_str(), "rb"), &std::fclose);
    if (!fp) {
        const int err = errno;
        return fmt::format("cannot read '{}': {}", file, std::strerror(err));
    }
    return {};
}

Result<void> ValidateTls(const TlsOptions& tls, const LoadContext& ctx) {
    if (tls.min_version != "1.2" && tls.min_version != "1.3") {
        return ctx.Fail(
            ctx.OriginOf("server.tls.min_version"),
            "server.tls.min_version",
            fmt::format("expected \"1.2\" or \"1.3\", got '{}'", tls.min_version)
        );
    }
    if (!tls.enabled) {
        return Ok();
    }
    const std::array<std::pair<std::string_view, const std::string*>, 2> files{{
        {"server.tls.cert_file", &tls.cert_file},
        {"server.tls.key_file", &tls.key_file},
    }};
    for (const auto& [path, value] : files) {
        if (value->empty()) {
            return ctx.Fail(
                ctx.OriginOf("server.tls.enabled"), path, "required when server.tls.enabled is true"
            );
        }
        if (auto problem = CheckReadableFile(*value); !problem.empty()) {
            return ctx.Fail(ctx.OriginOf(path), path, problem);
        }
    }
    return Ok();
}

}  // namespace

Result<void> Validate(const GatewayConfig& cfg, const LoadContext& ctx) {
    if (cfg.server.host.empty()) {
        return ctx.Fail(ctx.OriginOf("server.host"), "server.host", "must not be empty");
    }
    if (std::find(kLogLevels.begin(), kLogLevels.end(), cfg.log.level) == kLogLevels.end()) {
        return ctx.Fail(
            ctx.OriginOf("log.level"),
            "log.level",
            fmt::format(
                "expected one of trace, debug, info, warn, error, critical, off, got '{}'", cfg.log.level
            )
        );
    }
    if (cfg.store.driver == "postgres") {
        return ctx.Fail(
            ctx.OriginOf("store.driver"),
            "store.driver",
            "'postgres' needs cluster mode, which this build does not have yet; use 'sqlite'"
        );
    }
    if (cfg.store.driver != "sqlite") {
        return ctx.Fail(
            ctx.OriginOf("store.driver"),
            "store.driver",
            fmt::format("unknown driver '{}' (expected 'sqlite')", cfg.store.driver)
        );
    }
    if (cfg.store.data_dir.empty()) {
        return ctx.Fail(ctx.OriginOf("store.data_dir"), "store.data_dir", "must not be empty");
    }
    if (auto r = ValidateTls(cfg.server.tls, ctx); !r) {
        return r;
    }
    if (!IsLoopbackHost(cfg.server.host) && !cfg.auth.AnyConfigured()) {
        return ctx.Fail(
            ctx.OriginOf("server.host"),
            "server.host",
            fmt::format(
                "refusing to bind non-loopback address {} without authentication; set "
                "auth.token or auth.password (or OPENCLAW_GATEWAY_TOKEN)",
                cfg.server.host
            )
        );
    }
    if (auto r = ValidateAgents(cfg, ctx); !r) {
        return r;
    }
    if (auto r = ValidateEdge(cfg, ctx); !r) {
        return r;
    }
    return ValidateWs(cfg, ctx);
}

}  // namespace internal

bool IsLoopbackHost(std::string_view host) {
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    constexpr std::string_view kLocalhost = "localhost";
    if (host.size() == kLocalhost.size() &&
        std::equal(host.begin(), host.end(), kLocalhost.begin(), [](char a, char b) {
            return (a >= 'A' && a <= 'Z' ? a - 'A' + 'a' : a) == b;
        })) {
        return true;
    }
    const std::string text(host);
    in_addr v4{};
    if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
        return (ntohl(v4.s_addr) >> 24) == 127;
    }
    in6_addr v6{};
    if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
        const auto& b = v6.s6_addr;
        const bool first_ten_zero = std::all_of(b, b + 10, [](unsigned char c) { return c == 0; });
        const bool is_v6_loopback = first_ten_zero && b[10] == 0 && b[11] == 0 && b[12] == 0 && b[13] == 0 &&
                                    b[14] == 0 && b[15] == 1;
        const bool is_v4_mapped_loopback = first_ten_zero && b[10] == 0xff && b[11] == 0xff && b[12] == 127;
        return is_v6_loopback || is_v4_mapped_loopback;
    }
    return false;
}

}  // namespace gw::config
