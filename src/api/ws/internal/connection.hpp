#pragma once
/// @file
/// @brief Connection: one authenticated WebSocket connection (ClientConnection for methods and the
/// event hub) with its outer event `seq` and its in-flight requests. Module-internal.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include "api/ws/internal/methods.hpp"

namespace gw::net {
class WebSocketSession;
}

namespace gw::api::ws {

/// One request running on its own strand; answered exactly once (by its handler or by `cancel`).
struct PendingRequest {
    explicit PendingRequest(boost::asio::io_context& ioc) : strand(boost::asio::make_strand(ioc)) {}

    /// True for the first caller only: that caller sends the `res`.
    bool TryAnswer() noexcept { return !answered.exchange(true); }

    boost::asio::strand<boost::asio::io_context::executor_type> strand;
    boost::asio::cancellation_signal signal;  ///< emitted on `strand` only
    std::atomic<bool> answered{false};
};

/// Thread-safe.
class Connection final : public ClientConnection {
public:
    Connection(std::shared_ptr<net::WebSocketSession> session, ConnectionInfo info);

    const ConnectionInfo& Info() const override { return info_; }
    void SendSerializedEvent(std::string_view event, std::string_view payload_json) override;
    void SendResponse(std::string_view id, const json::value& payload) override;
    void SendErrorResponse(std::string_view id, const WsError& error) override;
    bool Open() const override { return open_.load(); }

    /// Starts the closing handshake (queued frames first).
    void Close(std::uint16_t code, std::string reason);
    /// The session ended: later sends do nothing; in-flight requests are cancelled.
    void MarkClosed();
    /// The last outer seq sent (0 before the first event).
    std::int64_t LastSeq() const;

    enum class Admission { kAdmitted, kDuplicateId, kTooMany };
    Admission BeginRequest(const std::string& id, std::shared_ptr<PendingRequest> request, std::size_t max_inflight);
    /// Removes `request` from the in-flight table (only if `id` still maps to it).
    void EndRequest(const std::string& id, const PendingRequest* request);
    /// `cancel {id}`: answers the request with "request cancelled", frees its id and cancels its
    /// handler. False when no such request is in flight.
    bool CancelRequest(const std::string& id);
    std::size_t InFlight() const;

private:
    void CancelAll();

    std::shared_ptr<net::WebSocketSession> session_;
    ConnectionInfo info_;
    std::atomic<bool> open_{true};
    mutable std::mutex send_mutex_;  ///< orders seq assignment with the enqueue
    std::int64_t seq_ = 0;
    mutable std::mutex pending_mutex_;
    std::unordered_map<std::string, std::shared_ptr<PendingRequest>> pending_;
};

/// The `res` for a request cancelled by the client.
WsError CancelledError();

}  // namespace gw::api::ws
