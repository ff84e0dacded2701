#pragma once
/// @file
/// @brief Private to net: runs an upgraded connection as a WebSocket session (WebSocketSession impl).

#include <memory>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "net/http_types.hpp"
#include "net/internal/server_state.hpp"

namespace gw::net::internal {

using UpgradeMessage = boost::beast::http::request<boost::beast::http::string_body>;
using StatePtr = std::shared_ptr<ServerState>;
using CancelSignal = boost::asio::cancellation_signal;

/// Accepts the upgrade on `stream` (already on its strand), calls the WebSocketHandler, and returns
/// when the session has ended (after OnClose). `cancel` is the signal bound to the calling
/// coroutine (it outlives this call); it is emitted by Kill while OnMessage runs.
template <class Stream>
boost::asio::awaitable<void> RunWebSocket(
    std::shared_ptr<ServerState> state,
    Stream stream,
    HttpRequest request,
    UpgradeMessage upgrade,
    boost::asio::cancellation_signal* cancel
);

extern template boost::asio::awaitable<void>
RunWebSocket<PlainStream>(StatePtr, PlainStream, HttpRequest, UpgradeMessage, CancelSignal*);
extern template boost::asio::awaitable<void>
RunWebSocket<TlsStream>(StatePtr, TlsStream, HttpRequest, UpgradeMessage, CancelSignal*);

}  // namespace gw::net::internal
