#pragma once
/// @file
/// @brief Private to net: the WebSocketSession implementation (one per upgraded connection). Created
/// and run by RunWebSocket (ws_connection.hpp); members are defined in ws_connection.cpp.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "base/ids.hpp"
#include "net/internal/server_state.hpp"
#include "net/internal/ws_connection.hpp"
#include "net/websocket.hpp"

namespace gw::net::internal {

/// How long a close handshake (or a write stuck behind a slow peer) may take before the TCP
/// connection is dropped.
inline constexpr auto kWsCloseTimeout = std::chrono::seconds(2);

/// Strand rules: Run, ReadLoop, Writer and the posted parts of Close/Send/Kill run on the connection's
/// strand; the queue and close request are shared with other threads under `mutex_`.
template <class Stream>
class WsSession final : public WebSocketSession,
                        public Connection,
                        public std::enable_shared_from_this<WsSession<Stream>> {
public:
    WsSession(
        std::shared_ptr<ServerState> state,
        Stream&& stream,
        HttpRequest request,
        boost::asio::cancellation_signal* cancel
    )
        : state_(std::move(state)),
          executor_(boost::beast::get_lowest_layer(stream).get_executor()),
          ws_(std::move(stream)),
          request_(std::move(request)),
          cancel_(cancel),
          wake_(executor_),
          guard_(executor_),
          read_limit_(state_->options.ws_max_message_bytes) {}

    static boost::asio::awaitable<void> Run(std::shared_ptr<WsSession> self, UpgradeMessage upgrade);

    // WebSocketSession
    bool Send(std::string text) override;

    void Close(std::uint16_t code, std::string reason) override {
        RequestClose(code, std::move(reason), false);
    }

    void SetReadLimit(std::size_t bytes) override {
        read_limit_.store(std::min(bytes, state_->options.ws_max_message_bytes));
    }

    const HttpRequest& UpgradeRequest() const override { return request_; }

    std::string_view Id() const override { return id_; }

    // Connection
    void Drain() override { RequestClose(kWsCloseServiceRestart, "service restart", false); }

    void Kill() override;

private:
    boost::asio::awaitable<std::uint16_t> ReadLoop(std::shared_ptr<WsSession> self);
    static boost::asio::awaitable<void> Writer(std::shared_ptr<WsSession> self);
    void RequestClose(std::uint16_t code, std::string reason, bool discard);
    std::uint16_t CloseCodeFor(const boost::beast::error_code& ec) const;
    void CloseSocket() noexcept;

    std::shared_ptr<ServerState> state_;
    const boost::asio::any_io_executor executor_;
    boost::beast::websocket::stream<Stream> ws_;
    const HttpRequest request_;
    const std::string id_ = NewUuid();
    boost::asio::cancellation_signal* const cancel_;
    boost::asio::steady_timer wake_;   // the writer sleeps on it while the queue is empty
    boost::asio::steady_timer guard_;  // drops the connection if a close does not complete in time
    std::atomic<std::size_t> read_limit_;

    mutable std::mutex mutex_;  // guards the fields below; never held across co_await
    std::deque<std::string> queue_;
    std::size_t queued_bytes_ = 0;  // queued plus the message being written
    bool writer_waiting_ = false;
    bool close_requested_ = false;
    bool closed_ = false;
    std::uint16_t requested_code_ = 0;
    std::string requested_reason_;

    // Strand-only.
    std::uint64_t registration_ = 0;
    std::uint16_t sent_code_ = 0;
    bool in_handler_ = false;
    bool ended_ = false;
};

}  // namespace gw::net::internal
