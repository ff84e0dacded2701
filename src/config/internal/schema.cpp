#include "config/internal/schema.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <utility>

#include "config/internal/fields.hpp"
#include "config/internal/values.hpp"

namespace gw::config::internal {
namespace {

/// A reference to a GatewayConfig member that works on const and non-const configs.
#define GW_CONFIG_REF(member) \
    [](auto& c) -> auto& {    \
        return c.member;      \
    }

using std::chrono::microseconds;
using std::chrono::milliseconds;

/// `store.encryption` (EncryptionOptions).
Field EncryptionSection() {
    const auto classification = OneOfCodec({"public", "internal", "confidential", "restricted"});
    const auto age = DurationCodec<std::chrono::seconds>(true);
    return Section(
        "encryption",
        {
            Leaf("default_classification", GW_CONFIG_REF(store.encryption.default_classification), classification),
            ValueLeaf("tenants", GW_CONFIG_REF(store.encryption.tenants), StringMapOf(classification)),
            ValueLeaf("agents", GW_CONFIG_REF(store.encryption.agents), StringMapOf(classification)),
            ValueLeaf("channels", GW_CONFIG_REF(store.encryption.channels), StringMapOf(classification)),
            Leaf("rotate_internal", GW_CONFIG_REF(store.encryption.rotate_internal), age),
            Leaf("rotate_confidential", GW_CONFIG_REF(store.encryption.rotate_confidential), age),
            Leaf("rotate_restricted", GW_CONFIG_REF(store.encryption.rotate_restricted), age),
            Leaf(
                "reencrypt_batch_size",
                GW_CONFIG_REF(store.encryption.reencrypt_batch_size),
                IntCodec<std::size_t>(1, 100'000)
            ),
            Leaf(
                "reencrypt_batch_delay",
                GW_CONFIG_REF(store.encryption.reencrypt_batch_delay),
                DurationCodec<milliseconds>(true)
            ),
        }
    );
}

std::vector<Field> BuildSchema() {
    const auto size = SizeCodec(1);
    const auto timeout = DurationCodec<milliseconds>(false);
    std::vector<Field> schema{
        Section(
            "server",
            {
                Leaf("host", GW_CONFIG_REF(server.host), StringCodec()),
                Leaf("port", GW_CONFIG_REF(server.port), IntCodec<std::uint16_t>(0, 65535)),
                Leaf("io_threads", GW_CONFIG_REF(server.io_threads), IntCodec<int>(0, 1024)),
                Leaf(
                    "max_connections",
                    GW_CONFIG_REF(server.max_connections),
                    IntCodec<std::size_t>(1, 10'000'000)
                ),
                Leaf("max_header_bytes", GW_CONFIG_REF(server.max_header_bytes), size),
                Leaf("max_body_bytes", GW_CONFIG_REF(server.max_body_bytes), size),
                RouteSizeMapLeaf("route_body_limits", GW_CONFIG_REF(server.route_body_limits), size),
                Leaf("header_read_timeout", GW_CONFIG_REF(server.header_read_timeout), timeout),
                Leaf("keepalive_idle_timeout", GW_CONFIG_REF(server.keepalive_idle_timeout), timeout),
                Leaf("request_timeout", GW_CONFIG_REF(server.request_timeout), timeout),
                Leaf("shutdown_grace", GW_CONFIG_REF(server.shutdown_grace), timeout),
                Leaf("ws_max_message_bytes", GW_CONFIG_REF(server.ws_max_message_bytes), size),
                Leaf("ws_max_queued_bytes", GW_CONFIG_REF(server.ws_max_queued_bytes), size),
                Section(
                    "tls",
                    {
                        Leaf("enabled", GW_CONFIG_REF(server.tls.enabled), BoolCodec()),
                        Leaf("cert_file", GW_CONFIG_REF(server.tls.cert_file), StringCodec()),
                        Leaf("key_file", GW_CONFIG_REF(server.tls.key_file), StringCodec()),
                        Leaf("min_version", GW_CONFIG_REF(server.tls.min_version), StringCodec()),
                    }
                ),
            }
        ),
        Section(
            "auth",
            {
                SecretLeaf("token", GW_CONFIG_REF(auth.token)),
                SecretLeaf("password", GW_CONFIG_REF(auth.password)),
            }
        ),
        Section(
            "store",
            {
                Leaf("driver", GW_CONFIG_REF(store.driver), StringCodec()),
                Leaf("data_dir", GW_CONFIG_REF(store.data_dir), StringCodec()),
                Leaf("busy_timeout", GW_CONFIG_REF(store.busy_timeout), timeout),
                Leaf(
                    "group_commit_max_batch",
                    GW_CONFIG_REF(store.group_commit_max_batch),
                    IntCodec<std::size_t>(1, 1'000'000)
                ),
                Leaf(
                    "group_commit_max_delay",
                    GW_CONFIG_REF(store.group_commit_max_delay),
                    DurationCodec<microseconds>(true)
                ),
                Leaf("read_threads", GW_CONFIG_REF(store.read_threads), IntCodec<int>(1, 256)),
                EncryptionSection(),
            }
        ),
        Section(
            "log",
            {
                Leaf("level", GW_CONFIG_REF(log.level), StringCodec()),
            }
        ),
        Section(
            "cluster",
            {
                Leaf("postgres_host", GW_CONFIG_REF(cluster.postgres_host), StringCodec()),
                Leaf(
                    "postgres_port", GW_CONFIG_REF(cluster.postgres_port), IntCodec<std::uint16_t>(1, 65535)
                ),
                Leaf("postgres_db", GW_CONFIG_REF(cluster.postgres_db), StringCodec()),
                Leaf("postgres_user", GW_CONFIG_REF(cluster.postgres_user), StringCodec()),
                SecretLeaf("db_password", GW_CONFIG_REF(cluster.db_password)),
                Leaf("redis_host", GW_CONFIG_REF(cluster.redis_host), StringCodec()),
                Leaf("redis_port", GW_CONFIG_REF(cluster.redis_port), IntCodec<std::uint16_t>(1, 65535)),
            }
        ),
    };
    for (auto& section : AgentSections()) {
        schema.push_back(std::move(section));
    }
    schema.push_back(EdgeSection());
    schema.push_back(WsSection());
    return schema;
}

#undef GW_CONFIG_REF

constexpr std::array<EnvOverride, 11> kEnvOverrides{{
    {"OPENCLAW_GATEWAY_HOST", "server.host"},
    {"OPENCLAW_GATEWAY_PORT", "server.port"},
    {"OPENCLAW_GATEWAY_TOKEN", "auth.token"},
    {"OPENCLAW_GATEWAY_PASSWORD", "auth.password"},
    {"OPENCLAW_DATA_DIR", "store.data_dir"},
    {"OPENCLAW_LOG_LEVEL", "log.level"},
    {"POSTGRES_HOST", "cluster.postgres_host"},
    {"REDIS_HOST", "cluster.redis_host"},
    {"DB_PASSWORD", "cluster.db_password"},
    {"OPENCLAW_HOOKS_TOKEN", "hooks.token"},
    {"OPENCLAW_HANDSHAKE_TIMEOUT_MS", "ws.handshake_timeout"},
}};

}  // namespace

const std::vector<Field>& Schema() {
    static const std::vector<Field> schema = BuildSchema();  // thread-safe static init
    return schema;
}

std::span<const EnvOverride> EnvOverrides() {
    return kEnvOverrides;
}

}  // namespace gw::config::internal
