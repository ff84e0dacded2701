#pragma once
/// @file
/// @brief Private to net: the state shared by the acceptor and every connection of one HttpServer.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>

#include "config/options.hpp"
#include "net/admission.hpp"
#include "net/http_server.hpp"
#include "net/router.hpp"
#include "net/websocket.hpp"

namespace gw::net::internal {

using Tcp = boost::asio::ip::tcp;
using PlainStream = Tcp::socket;
using TlsStream = boost::asio::ssl::stream<Tcp::socket>;

inline constexpr std::string_view kLogger = "gw.net";

/// A live connection the server can drain or kill. Both calls are thread-safe (they post to the
/// connection's strand) and harmless after the connection ended.
class Connection {
public:
    virtual ~Connection() = default;
    virtual void Drain() = 0;
    virtual void Kill() = 0;
};

/// Shared by the acceptor and every connection (connections hold a shared_ptr).
struct ServerState {
    ServerState(
        const config::ServerOptions& opts, const Router& r, ServerObserver& obs, WebSocketHandler* ws
    );

    const config::ServerOptions options;
    const Router& router;
    ServerObserver& observer;
    WebSocketHandler* const ws_handler;
    /// Set by HttpServer::SetAdmission before Start (then read-only); null = admit everything.
    std::shared_ptr<Admission> admission;

    std::atomic<bool> draining{false};
    std::atomic<bool> killed{false};
    std::atomic<std::size_t> admitted{0};   ///< open admitted connections
    std::atomic<std::size_t> rejecting{0};  ///< overload answers being written
    /// Null when TLS is off. Connections copy it at accept time, so a reload never pulls a context away.
    std::atomic<std::shared_ptr<boost::asio::ssl::context>> tls;

    /// Body limit for a path: the longest matching `route_body_limits` prefix, else max_body_bytes.
    std::size_t BodyLimitFor(std::string_view path) const noexcept;

    /// Handler time limit for a path: the longest matching `route_handler_timeouts` prefix, else
    /// request_timeout.
    std::chrono::milliseconds HandlerTimeoutFor(std::string_view path) const noexcept;

    std::uint64_t Register(std::weak_ptr<Connection> conn);
    void Unregister(std::uint64_t id);
    std::vector<std::shared_ptr<Connection>> Snapshot();

    /// Called once by every admitted connection when it ends.
    void ConnectionClosed() noexcept;

private:
    std::vector<std::pair<std::string, std::size_t>> body_limits_;  ///< longest prefix first
    std::vector<std::pair<std::string, std::chrono::milliseconds>> handler_timeouts_;  ///< same order

    std::mutex mutex_;  // guards next_id_ and conns_; never held across co_await
    std::uint64_t next_id_ = 1;
    std::unordered_map<std::uint64_t, std::weak_ptr<Connection>> conns_;
};

/// Starts serving an accepted socket (whose executor is its own strand). With `reject` set the
/// connection only gets a 503 overload answer (after the TLS handshake when TLS is on). `ticket` (from
/// Admission::OnAccept, may be null) lives as long as the connection.
void StartConnection(
    const std::shared_ptr<ServerState>& state,
    Tcp::socket socket,
    bool reject,
    std::unique_ptr<AdmissionTicket> ticket = nullptr
);

}  // namespace gw::net::internal
