#pragma once
/// @file
/// @brief Gateway: the implementation behind WsGateway (handshake, dispatch, events, shutdown),
/// shared by ws_gateway.cpp, handshake.cpp, dispatch.cpp and hello.cpp. Module-internal.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/object.hpp>

#include "api/ws/device_pairing.hpp"
#include "api/ws/internal/connect.hpp"
#include "api/ws/internal/connection.hpp"
#include "api/ws/internal/event_hub.hpp"
#include "api/ws/internal/methods.hpp"
#include "api/ws/ws_gateway.hpp"
#include "net/websocket.hpp"
#include "obs/metrics.hpp"

namespace gw::api::ws {

/// Pre-auth frame cap.
inline constexpr std::size_t kPreAuthMaxFrameBytes = 64 * 1024;

/// Per upgraded session; touched only from the session's handler callbacks (one at a time).
struct SessionState {
    enum class Phase { kAwaitConnect, kOpen, kClosed };
    std::string nonce;
    std::int64_t challenge_ts = 0;
    std::shared_ptr<boost::asio::steady_timer> timer;
    Phase phase = Phase::kAwaitConnect;
    std::shared_ptr<Connection> conn;
};

/// Inputs of hello-ok that are not in ConnectionInfo.
struct HelloInputs {
    std::int64_t protocol = kProtocolVersion;
    json::object health;
    std::optional<std::string> device_token;
    std::int64_t device_token_issued_at_ms = 0;
};

class Gateway final : public net::WebSocketHandler, public std::enable_shared_from_this<Gateway> {
public:
    Gateway(WsGatewayDeps deps, const std::function<void(MethodRegistry&)>& extra_methods);
    ~Gateway() override;

    void Start();
    void Stop();

    void OnOpen(std::shared_ptr<net::WebSocketSession> session) override;
    boost::asio::awaitable<void> OnMessage(std::shared_ptr<net::WebSocketSession> session, std::string text) override;
    void OnClose(net::WebSocketSession& session, std::uint16_t code) override;

    void BeginShutdown(std::string reason, std::optional<std::int64_t> restart_expected_ms);
    std::size_t Connections() const;

    /// The gateway itself plus up to `max_clients` open connections (hello-ok lists a few, the
    /// system-presence method more).
    json::array Presence(std::size_t max_clients) const;
    static constexpr std::size_t kHelloPresenceClients = 32;
    static constexpr std::size_t kMethodPresenceClients = 1000;

    GatewayServices& Services() { return *services_; }
    const MethodRegistry& Methods() const { return methods_; }

private:
    // handshake.cpp
    boost::asio::awaitable<void> Handshake(std::shared_ptr<net::WebSocketSession> session,
                                           std::shared_ptr<SessionState> state, std::string text);
    void RejectHandshake(net::WebSocketSession& session, std::string_view id, const WsError& error,
                         std::uint16_t close_code, std::string_view metric_reason);
    // dispatch.cpp
    void Dispatch(const std::shared_ptr<Connection>& conn, std::string_view text);
    void StartRequest(const std::shared_ptr<Connection>& conn, const MethodSpec& spec, RequestFrame frame);
    // hello.cpp
    json::object BuildHello(const ConnectionInfo& info, const HelloInputs& inputs);

    void ScheduleTick();
    void Register(std::shared_ptr<Connection> conn);
    std::int64_t Now() const { return deps_.clock(); }

    WsGatewayDeps deps_;
    std::string boot_id_;
    std::int64_t started_at_ms_ = 0;
    DevicePairing pairing_;
    EventHub hub_;
    MethodRegistry methods_;
    std::unique_ptr<GatewayServices> services_;

    obs::Gauge& connections_gauge_;
    obs::CounterFamily& handshake_failures_;
    obs::CounterFamily& requests_total_;

    std::atomic<bool> shutting_down_{false};
    std::atomic<std::int64_t> presence_version_{1};
    std::atomic<std::int64_t> health_version_{0};

    mutable std::mutex mutex_;
    std::unordered_map<std::string, std::shared_ptr<SessionState>> sessions_;  ///< by session id
    std::unordered_map<std::string, std::shared_ptr<Connection>> open_;        ///< authenticated, by conn id
    std::unordered_map<std::string, std::shared_ptr<net::WebSocketSession>> handles_;  ///< by session id
    std::shared_ptr<boost::asio::steady_timer> tick_timer_;
};

/// WsGateway::Create with extra methods registered after the core and device ones (tests).
Result<std::unique_ptr<WsGateway>> CreateWsGateway(WsGatewayDeps deps,
                                                   std::function<void(MethodRegistry&)> extra_methods);

}  // namespace gw::api::ws
