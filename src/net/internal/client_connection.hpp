#pragma once
/// @file
/// @brief Private to net: one HttpClient connection (TCP or TLS) with deadline-bounded I/O, the client
/// TLS context, and the mapping of transport errors to gw::Error.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include "base/error.hpp"
#include "net/http_client.hpp"
#include "net/internal/client_url.hpp"

namespace gw::net::internal {

using ClientTcp = boost::asio::ip::tcp;
using ClientTlsStream = boost::asio::ssl::stream<ClientTcp::socket>;
using ClientClock = std::chrono::steady_clock;

/// The outcome of one deadline-bounded I/O step.
struct IoResult {
    boost::system::error_code ec;
    std::size_t bytes = 0;
    bool timed_out = false;  ///< the deadline passed (ec is then timed_out)
    bool cancelled = false;  ///< the awaiting coroutine was cancelled (ec is then operation_aborted)
};

/// TLS >= 1.2 client context: system trust store plus `extra_ca_file` (kInvalidArgument if unreadable);
/// peer verification per `verify`.
Result<std::shared_ptr<boost::asio::ssl::context>> BuildClientTlsContext(const HttpClientOptions& options);

/// Maps a failed I/O step to an Error: timeout → kDeadlineExceeded, cancelled/refused/reset/other
/// transport errors → kUnavailable. `what` says which step ("connect", "read", ...).
Error MapIoError(const IoResult& io, std::string_view what, const Origin& origin);

class ClientConnection {
public:
    /// Resolves, connects (trying every address) and, for https, handshakes with SNI, peer verification and
    /// host name verification. The socket uses `ioc`'s executor; `connect_deadline` bounds all of it.
    static boost::asio::awaitable<Result<std::unique_ptr<ClientConnection>>> Open(
        boost::asio::io_context& ioc,
        const Origin& origin,
        std::shared_ptr<boost::asio::ssl::context> tls,
        bool verify,
        ClientClock::time_point connect_deadline
    );

    ~ClientConnection();
    ClientConnection(const ClientConnection&) = delete;
    ClientConnection& operator=(const ClientConnection&) = delete;

    /// One read into `buffer`, bounded by `deadline` and by cancellation of the awaiting coroutine.
    boost::asio::awaitable<IoResult> ReadSome(
        boost::asio::mutable_buffer into, ClientClock::time_point deadline
    );

    /// Writes all of `data`, bounded likewise.
    boost::asio::awaitable<IoResult> WriteAll(
        boost::asio::const_buffer data, ClientClock::time_point deadline
    );

    /// Non-blocking check for an idle pooled connection: false if the peer closed it, reset it, or sent
    /// unsolicited bytes.
    bool LooksIdleAndAlive() noexcept;

    void Close() noexcept;

    const std::string& Key() const noexcept { return key_; }

    boost::beast::flat_buffer buffer;  ///< received bytes not consumed by the parser yet
    ClientClock::time_point idle_since{};

private:
    ClientConnection(std::string key, ClientTcp::socket socket);

    /// Wraps the connected socket in TLS and handshakes (after `Open` connected it).
    boost::asio::awaitable<Result<void>> Secure(
        const Origin& origin,
        std::shared_ptr<boost::asio::ssl::context> tls,
        bool verify,
        ClientClock::time_point deadline
    );

    ClientTcp::socket& Socket() noexcept;

    std::string key_;
    std::shared_ptr<boost::asio::ssl::context> tls_;  ///< keeps the TLS stream's context alive
    std::variant<ClientTcp::socket, ClientTlsStream> stream_;
};

}  // namespace gw::net::internal
