#pragma once
/// @file
/// @brief Typed gateway configuration (plain structs with defaults). Filled by config::Load from YAML and
/// environment; lower-layer modules (net, store, obs) take the part they need by const reference.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "config/agent_options.hpp"
#include "config/edge_options.hpp"
#include "config/secret.hpp"
#include "config/ws_options.hpp"

namespace gw::config {

struct TlsOptions {
    bool enabled = false;
    std::string cert_file;
    std::string key_file;
    std::string min_version = "1.2";  ///< "1.2" or "1.3"
};

struct ServerOptions {
    std::string host = "127.0.0.1";
    std::uint16_t port = 3000;
    int io_threads = 0;  ///< 0 = number of cores
    std::size_t max_connections = 10000;
    std::size_t max_header_bytes = 16 * 1024;
    std::size_t max_body_bytes = 1024 * 1024;              ///< default per-route limit
    std::map<std::string, std::size_t> route_body_limits;  ///< path prefix -> bytes
    std::chrono::milliseconds header_read_timeout{10'000};
    std::chrono::milliseconds keepalive_idle_timeout{5'000};
    std::chrono::milliseconds request_timeout{30'000};
    /// Path prefix -> handler time limit replacing request_timeout for the handler of matching routes
    /// (longest prefix wins). Not read from YAML: the app derives it (e.g. `/v1/` waits for a whole
    /// model run, bounded by the agents' timeouts).
    std::map<std::string, std::chrono::milliseconds> route_handler_timeouts;
    std::chrono::milliseconds shutdown_grace{10'000};
    std::size_t ws_max_message_bytes = 25 * 1024 * 1024;
    std::size_t ws_max_queued_bytes = 50 * 1024 * 1024;
    TlsOptions tls;
};

struct AuthOptions {
    Secret token;     ///< OpenClaw gateway token (env OPENCLAW_GATEWAY_TOKEN)
    Secret password;  ///< OpenClaw gateway password

    bool AnyConfigured() const noexcept { return token.IsSet() || password.IsSet(); }
};

/// Encryption at rest (`store.encryption`): which classification protects whose data, and how often the
/// data keys rotate. Classifications: "public" (stored in plaintext), "internal", "confidential",
/// "restricted". The most specific rule wins: channel, then agent, then tenant, then the default.
struct EncryptionOptions {
    std::string default_classification = "confidential";
    std::map<std::string, std::string> tenants;   ///< tenant id -> classification
    std::map<std::string, std::string> agents;    ///< agent id -> classification
    std::map<std::string, std::string> channels;  ///< channel id -> classification
    /// Automatic rotation age per class; 0 = never (the brief: confidential 30 days, restricted 7 days).
    std::chrono::seconds rotate_internal{0};
    std::chrono::seconds rotate_confidential{std::chrono::hours(24 * 30)};
    std::chrono::seconds rotate_restricted{std::chrono::hours(24 * 7)};
    std::size_t reencrypt_batch_size = 200;           ///< rows per re-encryption batch
    std::chrono::milliseconds reencrypt_batch_delay{20};  ///< pause between batches (throttle)
};

struct StoreOptions {
    std::string driver = "sqlite";  ///< "sqlite" (embedded); "postgres" arrives with cluster mode
    std::string data_dir = "./var";
    std::chrono::milliseconds busy_timeout{5'000};
    std::size_t group_commit_max_batch = 256;
    std::chrono::microseconds group_commit_max_delay{2'000};
    int read_threads = 2;
    EncryptionOptions encryption;
};

struct LogOptions {
    std::string level = "info";  ///< trace, debug, info, warn, error, critical, off
};

/// Cluster-mode connection settings. Read now (config + POSTGRES_HOST/REDIS_HOST/DB_PASSWORD), used when
/// cluster mode lands.
struct ClusterOptions {
    std::string postgres_host;
    std::uint16_t postgres_port = 5432;
    std::string postgres_db = "openclaw";
    std::string postgres_user = "openclaw";
    Secret db_password;
    std::string redis_host;
    std::uint16_t redis_port = 6379;
};

struct GatewayConfig {
    ServerOptions server;
    AuthOptions auth;
    StoreOptions store;
    LogOptions log;
    ClusterOptions cluster;
    ModelsOptions models;
    AgentsOptions agents;
    HttpApiOptions http;
    ToolsOptions tools;
    HooksOptions hooks;
    EdgeOptions edge;
    WsOptions ws;  ///< OpenClaw WebSocket protocol and Control UI (issue #4)
    std::optional<std::string> source_file;  ///< the YAML file this came from, if any
};

}  // namespace gw::config
