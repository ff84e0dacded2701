#pragma once
/// @file
/// @brief The method framework of the WS protocol: what a method handler sees (the calling
/// connection, its params, the gateway's services), the registry the dispatcher looks methods up in,
/// and operator scopes (reference §2.3). Module-internal.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "api/ws/internal/frames.hpp"
#include "config/options.hpp"
#include "domain/clock.hpp"

namespace gw::domain {
class SessionRepository;
class TranscriptRepository;
}  // namespace gw::domain
namespace gw::engine {
class RunEngine;
class ToolRegistry;
}  // namespace gw::engine
namespace gw::api {
class HealthService;
}

namespace gw::api::ws {

class DevicePairing;
class EventHub;

inline constexpr std::string_view kScopeRead = "operator.read";
inline constexpr std::string_view kScopeWrite = "operator.write";
inline constexpr std::string_view kScopeAdmin = "operator.admin";
inline constexpr std::string_view kScopeApprovals = "operator.approvals";
inline constexpr std::string_view kScopePairing = "operator.pairing";

/// operator.admin implies every scope; operator.write implies operator.read. An empty `required`
/// is always satisfied.
bool ScopeSatisfied(const std::vector<std::string>& granted, std::string_view required) noexcept;

/// The authenticated identity of one connection (fixed after hello-ok).
struct ConnectionInfo {
    std::string conn_id;  ///< hello-ok server.connId
    std::string tenant_id;
    std::string user_id;
    std::string role;                 ///< operator | node | worker
    std::vector<std::string> scopes;  ///< granted
    std::vector<std::string> caps;    ///< client capabilities (not authorisation), e.g. "tool-events"
    std::string client_id;
    std::string client_mode;
    std::string client_version;
    std::string platform;
    std::string device_family;
    std::string display_name;
    std::string instance_id;
    std::optional<std::string> device_id;
    std::string remote_ip;
    std::string auth_method;  ///< "token", "password", "device-token", "none"
    std::int64_t connected_at_ms = 0;

    bool HasCap(std::string_view cap) const noexcept;
};

/// One authenticated connection as methods and the event hub see it. Thread-safe; calls after the
/// connection closed do nothing.
class ClientConnection {
public:
    virtual ~ClientConnection() = default;
    virtual const ConnectionInfo& Info() const = 0;
    /// Sends an event frame with this connection's next outer `seq`. `payload_json` is serialised JSON.
    virtual void SendSerializedEvent(std::string_view event, std::string_view payload_json) = 0;
    void SendEvent(std::string_view event, const json::value& payload);
    /// An additional `res` frame for request `id` (the `agent` method's terminal response).
    virtual void SendResponse(std::string_view id, const json::value& payload) = 0;
    virtual void SendErrorResponse(std::string_view id, const WsError& error) = 0;
    virtual bool Open() const = 0;
};

/// Everything a method may use. Owned by the gateway; outlives every call.
struct GatewayServices {
    boost::asio::io_context& ioc;
    const config::GatewayConfig& config;
    engine::RunEngine& engine;
    engine::ToolRegistry& tools;
    domain::SessionRepository& sessions;
    domain::TranscriptRepository& transcripts;
    DevicePairing& pairing;
    HealthService& health;
    EventHub& events;
    std::string version;
    std::string boot_id;
    std::int64_t started_at_ms = 0;
    domain::WallClock clock;
    /// Presence entries of the open connections plus the gateway itself (system-presence, hello).
    std::function<json::array()> presence;
};

struct MethodCall {
    std::string request_id;
    std::string method;
    json::value params;  ///< null when absent
    std::shared_ptr<ClientConnection> conn;
    GatewayServices& services;
};

/// A method's answer: the ok payload, or an error. Cancellation (a `cancel` frame) arrives as
/// terminal cancellation of the handler coroutine; the dispatcher then answers the request itself.
using MethodReply = std::variant<json::value, WsError>;
using MethodHandler = std::function<boost::asio::awaitable<MethodReply>(MethodCall&)>;

struct MethodSpec {
    std::string name;
    std::string scope;  ///< required scope (checked before the handler runs); "" = any authenticated
    MethodHandler handler;
};

/// Filled once at start-up, read-only afterwards (so lock-free reads are safe).
class MethodRegistry {
public:
    /// Aborts on a duplicate name (a programming error).
    void Add(MethodSpec spec);
    const MethodSpec* Find(std::string_view name) const;
    std::vector<std::string> Names() const;  ///< sorted; hello-ok features.methods

private:
    std::map<std::string, MethodSpec, std::less<>> methods_;
};

/// health, status, chat.*, agent, agent.wait, sessions.*, wake, send, models.list, agents.list,
/// tools.invoke, config.get, system-presence (core_methods*.cpp).
void RegisterCoreMethods(MethodRegistry& registry);
/// device.pair.list/approve/reject/remove, device.token.rotate/revoke (device_methods.cpp).
void RegisterDeviceMethods(MethodRegistry& registry);

/// Health snapshot (the `health` method result, hello-ok snapshot.health, the pushed `health` event):
/// {ok, ts, durationMs, defaultAgentId, agents[], sessions{count…}, channels{}, plugins{}, eventLoop{}}.
boost::asio::awaitable<json::object> BuildHealthSnapshot(GatewayServices& services);

/// Events this server emits (hello-ok features.events).
std::vector<std::string> EmittedEvents();

}  // namespace gw::api::ws
