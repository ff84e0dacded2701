#pragma once
/// @file
/// @brief WebSocket sessions as seen by a protocol layer: a thread-safe bounded sender, and the
/// handler interface HttpServer calls for every upgraded connection. Text frames only.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "net/http_types.hpp"

namespace gw::net {

/// Close codes used by the server (RFC 6455 §7.4.1).
inline constexpr std::uint16_t kWsCloseNormal = 1000;
inline constexpr std::uint16_t kWsCloseAbnormal = 1006;         ///< reported only, never sent
inline constexpr std::uint16_t kWsCloseUnsupportedData = 1003;  ///< binary frame received
inline constexpr std::uint16_t kWsClosePolicyViolation = 1008;  ///< e.g. "slow consumer"
inline constexpr std::uint16_t kWsCloseMessageTooBig = 1009;
inline constexpr std::uint16_t kWsCloseServiceRestart = 1012;  ///< sent when the server drains

/// One upgraded connection. All members are thread-safe and may be called after the connection ended
/// (they then do nothing / return false).
class WebSocketSession {
public:
    virtual ~WebSocketSession() = default;

    /// Queues a text message. The queue is drained by a single writer (one write in flight). If the
    /// queued bytes (including the message being written) would exceed `ws_max_queued_bytes`, the
    /// session is closed with 1008 "slow consumer", the queue is dropped and false is returned.
    /// Also false once the session is closing.
    virtual bool Send(std::string text) = 0;

    /// Starts the closing handshake: messages queued so far are sent first, then a close frame with
    /// `code`/`reason` (reason is truncated to 123 bytes). If the peer does not complete the handshake
    /// within a few seconds the TCP connection is dropped. Later calls are ignored.
    virtual void Close(std::uint16_t code, std::string reason) = 0;

    /// Limits incoming messages to `bytes` (at most ws_max_message_bytes) from the next read on; a
    /// larger message closes the session with 1009. For a smaller pre-authentication cap.
    virtual void SetReadLimit(std::size_t bytes) = 0;

    /// The HTTP upgrade request (headers, remote address, request id, trace id).
    virtual const HttpRequest& UpgradeRequest() const = 0;

    /// A unique random id of this session (a UUID; not the client-controlled request id).
    virtual std::string_view Id() const = 0;
};

/// Implemented by the protocol layer. Callbacks run on the session's strand, one at a time per
/// session; different sessions run concurrently.
class WebSocketHandler {
public:
    virtual ~WebSocketHandler() = default;

    /// The handshake completed. `Send` may be called right away.
    virtual void OnOpen(std::shared_ptr<WebSocketSession> session) = 0;

    /// One complete text message. The next message is read only after this coroutine completes, so a
    /// slow handler applies backpressure to its peer. Exceptions are logged and close the session (1011).
    virtual boost::asio::awaitable<void> OnMessage(
        std::shared_ptr<WebSocketSession> session, std::string text
    ) = 0;

    /// The session ended: `code` is the close code sent or received, or 1006 if the connection dropped.
    /// Called exactly once per opened session.
    virtual void OnClose(WebSocketSession& session, std::uint16_t code) = 0;
};

}  // namespace gw::net
