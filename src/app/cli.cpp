#include "app/cli.hpp"

#include <cstdio>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/application.hpp"
#include "app/audit_command.hpp"
#include "app/devices_command.hpp"  // issue #4: devices subcommand
#include "app/exit_codes.hpp"
#include "app/keys_command.hpp"  // issue #6: keys subcommand
#include "app/version.hpp"
#include "config/loader.hpp"
#include "obs/log.hpp"
#include "store/embedded_store.hpp"

namespace gw::app {
namespace {

/// Command-line overrides; they win over the environment and the YAML file.
struct GlobalOptions {
    std::optional<std::string> config_path;
    std::optional<std::string> port;
    std::optional<std::string> host;
    std::optional<std::string> data_dir;
    std::optional<std::string> log_level;
};

/// Loads the effective config: defaults < YAML < environment < command line. Prints the error and
/// returns nullopt when invalid.
std::optional<config::GatewayConfig> LoadOrReport(const GlobalOptions& g) {
    const config::EnvLookup process_env = config::ProcessEnv();
    // Command-line flags are applied through the same override path as their environment twins, so
    // they get identical validation.
    config::EnvLookup env = [&g, process_env](std::string_view name) -> std::optional<std::string> {
        if (name == "OPENCLAW_GATEWAY_PORT" && g.port)
            return g.port;
        if (name == "OPENCLAW_GATEWAY_HOST" && g.host)
            return g.host;
        if (name == "OPENCLAW_DATA_DIR" && g.data_dir)
            return g.data_dir;
        if (name == "OPENCLAW_LOG_LEVEL" && g.log_level)
            return g.log_level;
        return process_env(name);
    };
    std::optional<std::string> file = g.config_path;
    if (!file) {
        auto from_env = process_env("OPENCLAW_GATEWAY_CONFIG");
        if (from_env && !from_env->empty()) {
            file = from_env;
        }
    }
    auto cfg = config::Load(file, env);
    if (!cfg) {
        std::fprintf(stderr, "config error: %s\n", cfg.error().message.c_str());
        return std::nullopt;
    }
    return std::move(*cfg);
}

int RunMigrate(const config::GatewayConfig& cfg, bool status_only) {
    auto opened = store::EmbeddedStore::Open(cfg.store, store::MigrateMode::kInspectOnly);
    if (!opened) {
        std::fprintf(stderr, "migrate: %s\n", opened.error().message.c_str());
        return kExitFailure;
    }
    auto& db = **opened;
    auto before = db.Migrations();
    if (!status_only && !before.Current()) {
        if (auto r = db.Migrate(); !r) {
            std::fprintf(stderr, "migrate: %s\n", r.error().message.c_str());
            return kExitFailure;
        }
    }
    auto now = db.Migrations();
    std::printf("database: %s\n", db.DatabasePath().c_str());
    std::printf("schema version: %d (latest known: %d)\n", now.applied_version, now.latest_version);
    if (status_only) {
        for (const auto& name : now.pending) {
            std::printf("pending: %s\n", name.c_str());
        }
        std::printf(
            "%s\n", now.Current() ? "up to date" : "migrations pending (run `openclaw-gateway migrate`)"
        );
    } else {
        std::printf("applied %d migration(s)\n", now.applied_version - before.applied_version);
    }
    return kExitOk;
}

}  // namespace

int RunCli(int argc, char** argv) {
    CLI::App cli{"openclaw-gateway: enterprise AI-assistant gateway speaking the OpenClaw gateway protocol"};
    cli.fallthrough(true);
    cli.require_subcommand(0, 1);
    GlobalOptions g;
    cli.add_option(
        "-c,--config", g.config_path, "YAML config file (default: $OPENCLAW_GATEWAY_CONFIG, else none)"
    );
    cli.add_option(
        "--port", g.port, "listen port (overrides server.port and OPENCLAW_GATEWAY_PORT; 0 = any free port)"
    );
    cli.add_option("--host", g.host, "listen address (overrides server.host)");
    cli.add_option(
        "--data-dir", g.data_dir, "data directory (overrides store.data_dir and OPENCLAW_DATA_DIR)"
    );
    cli.add_option("--log-level", g.log_level, "trace|debug|info|warn|error|critical|off");

    auto* serve = cli.add_subcommand("serve", "run the gateway (default)");
    auto* config_cmd = cli.add_subcommand("config", "configuration tools");
    config_cmd->require_subcommand(1);
    auto* check =
        config_cmd->add_subcommand("check", "validate the config and print it with secrets redacted");
    auto* migrate = cli.add_subcommand("migrate", "apply pending schema migrations");
    bool status_only = false;
    migrate->add_flag("--status", status_only, "only show the schema version and pending migrations");
    auto* audit = cli.add_subcommand("audit", "audit log tools");
    audit->require_subcommand(1);
    auto* audit_verify =
        audit->add_subcommand("verify", "check the audit log's hash chain; names the first bad record");
    AuditVerifyArgs audit_args;
    audit_verify->add_option(
        "--hmac-key-file", audit_args.hmac_key_file, "file holding the chain's HMAC key"
    );
    audit_verify->add_option("--mac-from-seq", audit_args.mac_from_seq, "first record whose MAC is checked");
    audit_verify->add_flag("--json", audit_args.json, "print one JSON object");
    const KeysCommand keys_cmd(cli);  // issue #6: keys rotate|status|retire|shred|reencrypt
    const DevicesCommand devices_cmd(cli);  // issue #4: devices list|approve|reject|remove|revoke
    auto* version = cli.add_subcommand("version", "print the version");

    try {
        cli.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = cli.exit(e);
        return code == 0 ? kExitOk : kExitUsage;
    }

    if (version->parsed()) {
        std::printf(
            "openclaw-gateway %s (OpenClaw gateway protocol %d)\n",
            std::string(Version()).c_str(),
            kProtocolVersion
        );
        return kExitOk;
    }
    auto cfg = LoadOrReport(g);
    if (!cfg) {
        return config::kExitConfigError;
    }
    if (!serve->parsed() &&
        (check->parsed() || migrate->parsed() || audit_verify->parsed() || keys_cmd.Parsed() ||
         devices_cmd.Parsed())) {
        // Tools print their own human-readable result on stdout; only problems are logged.
        obs::InitLogging(obs::LogLevel::kWarn);
    }
    if (check->parsed()) {
        std::fputs(config::RenderEffective(*cfg).c_str(), stdout);
        std::fprintf(
            stderr, "config ok%s\n", cfg->source_file ? fmt::format(" ({})", *cfg->source_file).c_str() : ""
        );
        return kExitOk;
    }
    if (audit_verify->parsed()) {
        return RunAuditVerify(*cfg, audit_args);
    }
    if (migrate->parsed()) {
        return RunMigrate(*cfg, status_only);
    }
    if (keys_cmd.Parsed()) {  // issue #6
        return keys_cmd.Run(*cfg);
    }
    if (devices_cmd.Parsed()) {  // issue #4
        return devices_cmd.Run(*cfg);
    }
    // `serve` and no subcommand both run the gateway.
    Application application(std::move(*cfg));
    return application.Run();
}

}  // namespace gw::app
