// hello-ok (reference §2.2 item 5, §11 item 7) and the presence entries.
#include <algorithm>
#include <unistd.h>

#include <sys/utsname.h>

#include "api/ws/internal/gateway.hpp"

namespace gw::api::ws {
namespace {

std::string HostName() {
    char name[256] = {};
    if (gethostname(name, sizeof(name) - 1) != 0) {
        return "localhost";
    }
    return name;
}

std::string PlatformName() {
    utsname info{};
    if (uname(&info) != 0) {
        return "linux";
    }
    std::string sysname(info.sysname);
    for (char& c : sysname) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return sysname + " " + info.release;
}

json::array ToArray(const std::vector<std::string>& values) {
    json::array out;
    out.reserve(values.size());
    for (const auto& value : values) {
        out.emplace_back(value);
    }
    return out;
}

bool ModelConfigured(const config::GatewayConfig& config) {
    if (config.agents.defaults.model) {
        return true;
    }
    auto it = config.agents.entries.find(config.agents.default_agent);
    return it != config.agents.entries.end() && it->second.model.has_value();
}

std::string AuthMode(const config::AuthOptions& auth) {
    if (auth.token.IsSet()) {
        return "token";
    }
    return auth.password.IsSet() ? "password" : "none";
}

}  // namespace

json::array Gateway::Presence(std::size_t max_clients) const {
    json::array entries;
    json::object self{{"host", HostName()},
                      {"ip", deps_.config.server.host},
                      {"version", deps_.version},
                      {"platform", PlatformName()},
                      {"mode", "gateway"},
                      {"reason", "self"},
                      {"instanceId", boot_id_},
                      {"ts", started_at_ms_}};
    entries.emplace_back(std::move(self));
    std::vector<std::shared_ptr<Connection>> conns;
    {
        std::lock_guard lock(mutex_);
        // Bounded: a hello-ok listing every one of 10,000 connections would make the handshake
        // O(connections) in time and bytes (and all handshakes together quadratic).
        conns.reserve(std::min(open_.size(), max_clients));
        for (const auto& [id, conn] : open_) {
            if (conns.size() == max_clients) {
                break;
            }
            conns.push_back(conn);
        }
    }
    for (const auto& conn : conns) {
        const ConnectionInfo& info = conn->Info();
        json::object entry{{"host", info.display_name.empty() ? info.client_id : info.display_name},
                           {"ip", info.remote_ip},
                           {"version", info.client_version},
                           {"platform", info.platform},
                           {"mode", info.client_mode},
                           {"reason", "connect"},
                           {"instanceId", info.instance_id.empty() ? info.conn_id : info.instance_id},
                           {"ts", info.connected_at_ms},
                           {"roles", json::array{json::string(info.role)}},
                           {"scopes", ToArray(info.scopes)}};
        if (info.device_id) {
            entry["deviceId"] = *info.device_id;
        }
        entries.emplace_back(std::move(entry));
    }
    return entries;
}

json::object Gateway::BuildHello(const ConnectionInfo& info, const HelloInputs& inputs) {
    const config::GatewayConfig& config = deps_.config;
    const std::string default_agent = config.agents.default_agent.empty() ? "main" : config.agents.default_agent;

    json::object server{{"version", deps_.version},
                        {"buildId", deps_.version + "-" + boot_id_.substr(0, 8)},
                        {"bootId", boot_id_},
                        // Stock Control UIs compare their own build with a "bundled" server's and stop
                        // with "refresh required" on a mismatch; ours is always a configured root.
                        {"controlUiBuildSource", "configured"},
                        {"connId", info.conn_id}};
    json::object features{{"methods", ToArray(methods_.Names())},
                          {"events", ToArray(EmittedEvents())},
                          {"capabilities", json::array{}}};
    json::object session_defaults{{"defaultAgentId", default_agent},
                                  {"mainKey", "main"},
                                  {"mainSessionKey", "agent:" + default_agent + ":main"},
                                  {"scope", "per-sender"},
                                  {"modelConfigured", ModelConfigured(config)}};
    json::object snapshot{{"presence", Presence(kHelloPresenceClients)},
                          {"health", inputs.health},
                          {"stateVersion",
                           json::object{{"presence", presence_version_.load()}, {"health", health_version_.load()}}},
                          {"uptimeMs", Now() - started_at_ms_},
                          {"sessionDefaults", std::move(session_defaults)},
                          {"authMode", AuthMode(config.auth)}};
    json::object auth{{"method", info.auth_method}, {"role", info.role}, {"scopes", ToArray(info.scopes)}};
    if (inputs.device_token) {
        auth["deviceToken"] = *inputs.device_token;
        auth["issuedAtMs"] = inputs.device_token_issued_at_ms;
    }
    json::object policy{
        {"maxPayload", config.server.ws_max_message_bytes},
        {"maxBufferedBytes", config.server.ws_max_queued_bytes},
        {"tickIntervalMs", config.ws.tick_interval.count()},
    };
    return json::object{{"type", "hello-ok"},          {"protocol", inputs.protocol}, {"server", std::move(server)},
                        {"features", std::move(features)}, {"snapshot", std::move(snapshot)},
                        {"auth", std::move(auth)},          {"policy", std::move(policy)}};
}

}  // namespace gw::api::ws
