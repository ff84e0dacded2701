#pragma once
/// @file
/// @brief The pre-authentication phase of the OpenClaw gateway protocol v4 on `/` (reference §2.1–2.2):
/// `connect.challenge` at once, a 64 KiB frame cap, a handshake timeout, and "first request must be
/// connect" enforcement. The `connect` method itself (auth, device proof, hello-ok) belongs to the
/// protocol module (issue #4); until it lands a valid `connect` is answered with a retryable
/// `UNAVAILABLE` error and the socket is closed with 1013 (try again later).

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "net/websocket.hpp"

namespace gw::api {

class WsHandshakeHandler final : public net::WebSocketHandler {
public:
    static constexpr std::size_t kPreAuthMaxFrameBytes = 64 * 1024;

    WsHandshakeHandler(boost::asio::io_context& ioc, std::chrono::milliseconds handshake_timeout);

    void OnOpen(std::shared_ptr<net::WebSocketSession> session) override;
    boost::asio::awaitable<void> OnMessage(std::shared_ptr<net::WebSocketSession> session, std::string text)
        override;
    void OnClose(net::WebSocketSession& session, std::uint16_t code) override;

    /// Builds the `connect.challenge` event frame (exposed for tests).
    static std::string ChallengeFrame(const std::string& nonce, std::int64_t ts_ms);

private:
    void CancelTimer(const std::string& session_id);

    boost::asio::io_context& ioc_;
    std::chrono::milliseconds handshake_timeout_;
    std::mutex mutex_;  // guards timers_; never held across co_await
    std::unordered_map<std::string, std::shared_ptr<boost::asio::steady_timer>> timers_;
};

}  // namespace gw::api
