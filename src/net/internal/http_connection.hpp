#pragma once
/// @file
/// @brief Private to net: one accepted connection serving HTTP/1.1 keep-alive requests on its strand,
/// with a per-connection watchdog enforcing the header, idle, request and write deadlines.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "net/internal/server_state.hpp"

namespace gw::net::internal {

using Clock = std::chrono::steady_clock;

/// Time allowed to write an error answer, and to wait for the peer's FIN after ours (lingering close).
inline constexpr auto kLingerTimeout = std::chrono::seconds(1);

template <class Stream>
inline constexpr bool kIsTls = std::is_same_v<Stream, TlsStream>;

/// Serves one connection. Everything but Drain/Kill runs on the connection's strand (the socket's
/// executor). `Stream` is PlainStream or TlsStream. Streaming responses (HttpResponse::stream) are
/// written by http_stream.cpp.
template <class Stream>
class HttpConnection final : public Connection, public std::enable_shared_from_this<HttpConnection<Stream>> {
public:
    HttpConnection(
        std::shared_ptr<ServerState> state,
        Tcp::socket socket,
        bool reject,
        std::unique_ptr<AdmissionTicket> ticket = nullptr
    );
    ~HttpConnection() override;
    HttpConnection(const HttpConnection&) = delete;
    HttpConnection& operator=(const HttpConnection&) = delete;

    /// The connection's coroutine (keeps `self` alive). Spawn it on `Executor()` with `CancelSlot()`
    /// bound to the completion token.
    static boost::asio::awaitable<void> Run(std::shared_ptr<HttpConnection> self);

    boost::asio::cancellation_slot CancelSlot() noexcept { return cancel_.slot(); }

    const boost::asio::any_io_executor& Executor() const noexcept { return executor_; }

    void Drain() override;
    void Kill() override;

private:
    /// kStream: a streaming producer runs (no deadline); kStreamWrite: one of its writes is in flight
    /// (request_timeout, then the connection is closed).
    enum class Phase { kHandshake, kIdle, kHeader, kBody, kHandler, kWrite, kStream, kStreamWrite, kLinger };
    enum class ReadStatus { kOk, kClosed, kIdleTimeout, kHeaderTimeout, kTooLarge, kBadRequest };

    /// An error answer produced by net itself.
    struct Reply {
        int status;
        std::string_view code;     ///< public error code
        std::string_view message;  ///< public message
        std::string_view reason;   ///< ServerObserver::OnError reason
    };

    // Lifecycle (http_connection.cpp).
    boost::asio::awaitable<void> Serve(std::shared_ptr<HttpConnection> self);
    void ArmAt(Phase phase, Clock::time_point deadline);

    void Arm(Phase phase, Clock::duration timeout) { ArmAt(phase, Clock::now() + timeout); }

    static boost::asio::awaitable<void> Watchdog(std::shared_ptr<HttpConnection> self);
    void OnDeadline();
    void CancelIo() noexcept;
    void CloseSocket() noexcept;
    boost::asio::awaitable<bool> Handshake();
    boost::asio::awaitable<void> Reject();
    boost::asio::awaitable<void> LingeringClose();
    /// Hands the stream to a WebSocket session (after validating the upgrade); returns when it ended.
    boost::asio::awaitable<void> Upgrade();
    void Finish() noexcept;

    // One request/response exchange (http_exchange.cpp).
    boost::asio::awaitable<bool> ServeOne();
    boost::asio::awaitable<ReadStatus> ReadHeader();
    /// nullopt: body read; a Reply with status 0: the client went away; else the error to answer.
    boost::asio::awaitable<std::optional<Reply>> ReadBody(std::size_t limit);
    void FillRequest();
    boost::asio::awaitable<HttpResponse> CallHandler(const Handler* handler);
    /// Asks the server's Admission (if any) about the current request; a rejection is returned (and
    /// counted), the headers to add to an admitted response are kept in `admission_headers_`.
    std::optional<HttpResponse> CheckAdmission();

    // Writing answers (http_write.cpp).
    boost::asio::awaitable<bool> Write(const HttpResponse& resp, bool head_only, bool keep_alive);
    /// Answers `reply` with Connection: close, then closes. `method` must outlive the call (a label).
    boost::asio::awaitable<void> SendError(Reply reply, std::string_view method);
    void Record(std::string_view method, int status) noexcept;

    // Streaming answers (http_stream.cpp).
    class BodyStream;
    /// Writes the head, runs the producer (unless `head_only`) while watching for a disconnect, then
    /// the terminating chunk. True if the response was completed and the connection is usable.
    boost::asio::awaitable<bool> WriteStream(
        const HttpResponse& resp, bool head_only, bool keep_alive, bool chunked
    );
    boost::asio::awaitable<void> Produce(const StreamProducer& producer, BodyStream& sink);
    /// Reads while the producer runs: EOF/error marks the client gone (which cancels the producer);
    /// bytes of a pipelined next request are kept in `buffer_`.
    boost::asio::awaitable<void> WatchClient();
    boost::asio::awaitable<bool> WriteChunk(std::string_view chunk);

    std::shared_ptr<ServerState> state_;
    std::unique_ptr<AdmissionTicket> ticket_;  ///< from Admission::OnAccept; released with the connection
    std::vector<std::pair<std::string, std::string>> admission_headers_;  ///< for the current response
    std::shared_ptr<boost::asio::ssl::context> tls_;  ///< keeps a TLS stream's context alive
    const boost::asio::any_io_executor executor_;
    Stream stream_;
    boost::beast::flat_buffer buffer_;
    std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
    HttpRequest request_;
    std::string head_;            ///< serialized response head, reused
    std::string chunk_;           ///< a framed chunk of a streaming body, reused
    std::string stream_failure_;  ///< what the current producer threw, if it did
    boost::asio::steady_timer timer_;
    boost::asio::cancellation_signal cancel_;
    Clock::time_point first_deadline_{};
    Clock::time_point request_start_{};
    Clock::time_point deadline_ = Clock::time_point::max();
    Clock::time_point armed_ = Clock::time_point::max();
    Phase phase_ = Phase::kIdle;
    std::uint64_t registration_ = 0;
    std::size_t served_ = 0;
    const bool reject_;
    bool timed_out_ = false;
    bool watchdog_waiting_ = false;
    bool done_ = false;
    bool finished_ = false;
    bool chunked_ = false;        ///< the current stream uses chunked framing
    bool client_gone_ = false;    ///< the current stream's client disconnected or a write failed
    bool producer_done_ = false;  ///< the current stream's producer returned (or threw)
};

}  // namespace gw::net::internal
