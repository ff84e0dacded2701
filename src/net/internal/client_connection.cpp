#include "net/internal/client_connection.hpp"

#include <cerrno>
#include <tuple>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>

namespace gw::net::internal {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using namespace asio::experimental::awaitable_operators;  // NOLINT(google-build-using-namespace): ||
using SysError = boost::system::error_code;

/// Awaits `op` (an as_tuple(use_awaitable) operation yielding (ec, bytes)) or the deadline, whichever
/// comes first; the loser is cancelled. Cancellation of the awaiting coroutine cancels both.
asio::awaitable<IoResult> Race(
    asio::awaitable<std::tuple<SysError, std::size_t>> op, ClientClock::time_point deadline
) {
    IoResult out;
    try {
        asio::steady_timer timer(co_await asio::this_coro::executor, deadline);
        auto r = co_await (std::move(op) || timer.async_wait(asio::as_tuple(asio::use_awaitable)));
        if (r.index() == 0) {
            std::tie(out.ec, out.bytes) = std::get<0>(r);
        } else if (!std::get<0>(std::get<1>(r))) {
            out.timed_out = true;
            out.ec = asio::error::timed_out;
        } else {
            out.cancelled = true;
            out.ec = asio::error::operation_aborted;
        }
    } catch (const boost::system::system_error& e) {
        // The awaiting coroutine was cancelled before an operation could start.
        out.cancelled = true;
        out.ec = e.code();
    }
    if (out.ec == asio::error::operation_aborted) {
        out.cancelled = true;
    }
    co_return out;
}

asio::awaitable<std::tuple<SysError, std::size_t>> ConnectOp(
    ClientTcp::socket& socket, ClientTcp::resolver::results_type endpoints
) {
    auto [ec, ep] = co_await asio::async_connect(socket, endpoints, asio::as_tuple(asio::use_awaitable));
    co_return std::tuple<SysError, std::size_t>{ec, 0};
}

asio::awaitable<std::tuple<SysError, std::size_t>> HandshakeOp(ClientTlsStream& stream) {
    auto [ec] =
        co_await stream.async_handshake(ssl::stream_base::client, asio::as_tuple(asio::use_awaitable));
    co_return std::tuple<SysError, std::size_t>{ec, 0};
}

using ResolveChannel =
    asio::experimental::concurrent_channel<void(SysError, ClientTcp::resolver::results_type)>;

/// Resolves `origin` within `deadline`. The resolver cannot be cancelled per operation, so its result is
/// handed over through a channel that the deadline can stop waiting on.
asio::awaitable<Result<ClientTcp::resolver::results_type>> Resolve(
    asio::io_context& ioc, const Origin& origin, ClientClock::time_point deadline
) {
    const std::string port = std::to_string(origin.port);
    if (origin.host_is_ip) {
        SysError ec;
        const auto address = asio::ip::make_address(origin.host, ec);
        if (ec) {
            co_return MakeError(ErrorCode::kInvalidArgument, "invalid IP address '" + origin.host + "'");
        }
        co_return ClientTcp::resolver::results_type::create(
            ClientTcp::endpoint(address, origin.port), origin.host, port
        );
    }
    auto channel = std::make_shared<ResolveChannel>(ioc.get_executor(), 1);
    auto resolver = std::make_shared<ClientTcp::resolver>(ioc.get_executor());
    auto on_resolved = [channel, resolver](const SysError& ec, ClientTcp::resolver::results_type results) {
        channel->try_send(ec, std::move(results));
    };
    resolver->async_resolve(origin.host, port, std::move(on_resolved));
    IoResult io;
    ClientTcp::resolver::results_type results;
    try {
        asio::steady_timer timer(co_await asio::this_coro::executor, deadline);
        auto r = co_await (
            channel->async_receive(asio::as_tuple(asio::use_awaitable)) ||
            timer.async_wait(asio::as_tuple(asio::use_awaitable))
        );
        if (r.index() == 0) {
            std::tie(io.ec, results) = std::move(std::get<0>(r));
        } else if (!std::get<0>(std::get<1>(r))) {
            io.timed_out = true;
            io.ec = asio::error::timed_out;
        } else {
            io.cancelled = true;
            io.ec = asio::error::operation_aborted;
        }
    } catch (const boost::system::system_error& e) {
        io.cancelled = true;
        io.ec = e.code();
    }
    if (io.timed_out || io.cancelled) {
        resolver->cancel();
        co_return MapIoError(io, "resolve", origin);
    }
    if (io.ec || results.empty()) {
        co_return MakeError(
            ErrorCode::kUnavailable, "cannot resolve host '" + origin.host + "': " + io.ec.message()
        );
    }
    co_return results;
}

std::string VerifyFailure(SSL* native, bool host_mismatch, const std::string& host) {
    std::string detail;
    if (host_mismatch) {
        detail = "certificate does not match host name '" + host + "'";
    } else if (const long res = SSL_get_verify_result(native); res != X509_V_OK) {
        detail = X509_verify_cert_error_string(res);
    }
    return "certificate verify failed" + (detail.empty() ? std::string() : " (" + detail + ")");
}

}  // namespace

Result<std::shared_ptr<ssl::context>> BuildClientTlsContext(const HttpClientOptions& options) {
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
    SSL_CTX* native = ctx->native_handle();
    ERR_clear_error();
    if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1) {
        return MakeError(ErrorCode::kInternal, "cannot set the TLS minimum version");
    }
    SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
    SysError ec;
    ctx->set_default_verify_paths(ec);
    if (ec) {
        return MakeError(ErrorCode::kInternal, "cannot load the system trust store: " + ec.message());
    }
    if (!options.extra_ca_file.empty()) {
        ctx->load_verify_file(options.extra_ca_file, ec);
        if (ec) {
            return MakeError(
                ErrorCode::kInvalidArgument,
                "cannot load the CA file '" + options.extra_ca_file + "': " + ec.message()
            );
        }
    }
    ctx->set_verify_mode(options.verify_tls ? ssl::verify_peer : ssl::verify_none);
    return ctx;
}

Error MapIoError(const IoResult& io, std::string_view what, const Origin& origin) {
    const std::string where = std::string(what) + " " + origin.key;
    if (io.timed_out) {
        return MakeError(ErrorCode::kDeadlineExceeded, where + ": deadline exceeded");
    }
    if (io.cancelled) {
        return MakeError(ErrorCode::kUnavailable, where + ": request cancelled");
    }
    const auto& ec = io.ec;
    if (ec == asio::error::connection_refused) {
        return MakeError(ErrorCode::kUnavailable, where + ": connection refused");
    }
    if (ec == asio::error::connection_reset || ec == asio::error::broken_pipe) {
        return MakeError(ErrorCode::kUnavailable, where + ": connection reset by peer");
    }
    if (ec == asio::error::eof || ec == ssl::error::stream_truncated) {
        return MakeError(ErrorCode::kUnavailable, where + ": connection closed by peer");
    }
    return MakeError(ErrorCode::kUnavailable, where + ": " + ec.message());
}

ClientConnection::ClientConnection(std::string key, ClientTcp::socket socket)
    : key_(std::move(key)), stream_(std::in_place_index<0>, std::move(socket)) {}

ClientConnection::~ClientConnection() {
    Close();
}

asio::awaitable<Result<std::unique_ptr<ClientConnection>>> ClientConnection::Open(
    asio::io_context& ioc,
    const Origin& origin,
    std::shared_ptr<ssl::context> tls,
    bool verify,
    ClientClock::time_point connect_deadline
) {
    auto endpoints = co_await Resolve(ioc, origin, connect_deadline);
    if (!endpoints) {
        co_return endpoints.error();
    }
    std::unique_ptr<ClientConnection> conn(new ClientConnection(origin.key, ClientTcp::socket(ioc)));
    auto& socket = std::get<0>(conn->stream_);
    const IoResult io = co_await Race(ConnectOp(socket, std::move(*endpoints)), connect_deadline);
    if (io.ec) {
        co_return MapIoError(io, "connect to", origin);
    }
    SysError ec;
    socket.set_option(ClientTcp::no_delay(true), ec);  // requests and SSE reads are latency-bound
    if (origin.tls) {
        if (auto secured = co_await conn->Secure(origin, std::move(tls), verify, connect_deadline);
            !secured) {
            co_return secured.error();
        }
    }
    co_return conn;
}

asio::awaitable<Result<void>> ClientConnection::Secure(
    const Origin& origin, std::shared_ptr<ssl::context> tls, bool verify, ClientClock::time_point deadline
) {
    tls_ = std::move(tls);
    ClientTcp::socket socket = std::move(std::get<0>(stream_));
    auto& stream = stream_.emplace<1>(std::move(socket), *tls_);
    SSL* native = stream.native_handle();
    // SSL_set_tlsext_host_name without its old-style cast.
    if (!origin.host_is_ip && SSL_ctrl(
                                  native,
                                  SSL_CTRL_SET_TLSEXT_HOSTNAME,
                                  TLSEXT_NAMETYPE_host_name,
                                  const_cast<char*>(origin.host.c_str())
                              ) != 1) {
        co_return MakeError(ErrorCode::kInternal, "cannot set TLS SNI for " + origin.host);
    }
    auto host_mismatch = std::make_shared<bool>(false);
    if (verify) {
        stream.set_verify_mode(ssl::verify_peer);
        auto check = [name = ssl::host_name_verification(origin.host),
                      host_mismatch](bool preverified, ssl::verify_context& ctx) {
            const bool ok = name(preverified, ctx);
            if (preverified && !ok) {
                *host_mismatch = true;
            }
            return ok;
        };
        stream.set_verify_callback(std::move(check));
    } else {
        stream.set_verify_mode(ssl::verify_none);
    }
    const IoResult io = co_await Race(HandshakeOp(stream), deadline);
    if (!io.ec) {
        co_return Ok();
    }
    if (io.timed_out || io.cancelled) {
        co_return MapIoError(io, "TLS handshake with", origin);
    }
    const bool verify_failed =
        *host_mismatch || SSL_get_verify_result(native) != X509_V_OK ||
        (io.ec.category() == asio::error::get_ssl_category() &&
         ERR_GET_REASON(static_cast<unsigned long>(io.ec.value())) == SSL_R_CERTIFICATE_VERIFY_FAILED);
    if (verify && verify_failed) {
        co_return MakeError(
            ErrorCode::kUnavailable,
            "TLS handshake with " + origin.key +
                " failed: " + VerifyFailure(native, *host_mismatch, origin.host)
        );
    }
    co_return MakeError(
        ErrorCode::kUnavailable, "TLS handshake with " + origin.key + " failed: " + io.ec.message()
    );
}

ClientTcp::socket& ClientConnection::Socket() noexcept {
    if (auto* tls = std::get_if<1>(&stream_)) {
        return tls->next_layer();
    }
    return std::get<0>(stream_);
}

asio::awaitable<IoResult> ClientConnection::ReadSome(
    asio::mutable_buffer into, ClientClock::time_point deadline
) {
    if (auto* tls = std::get_if<1>(&stream_)) {
        co_return co_await Race(tls->async_read_some(into, asio::as_tuple(asio::use_awaitable)), deadline);
    }
    auto& socket = std::get<0>(stream_);
    co_return co_await Race(socket.async_read_some(into, asio::as_tuple(asio::use_awaitable)), deadline);
}

asio::awaitable<IoResult> ClientConnection::WriteAll(
    asio::const_buffer data, ClientClock::time_point deadline
) {
    if (auto* tls = std::get_if<1>(&stream_)) {
        co_return co_await Race(asio::async_write(*tls, data, asio::as_tuple(asio::use_awaitable)), deadline);
    }
    auto& socket = std::get<0>(stream_);
    co_return co_await Race(asio::async_write(socket, data, asio::as_tuple(asio::use_awaitable)), deadline);
}

bool ClientConnection::LooksIdleAndAlive() noexcept {
    auto& socket = Socket();
    if (!socket.is_open() || buffer.size() != 0) {
        return false;
    }
    char byte = 0;
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-vararg): plain recv for a non-blocking peek
    const ssize_t n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n < 0) {
        return errno == EAGAIN || errno == EWOULDBLOCK;  // nothing pending: still open
    }
    return false;  // 0: the peer closed; > 0: unsolicited bytes (or a TLS close_notify)
}

void ClientConnection::Close() noexcept {
    auto& socket = Socket();
    if (socket.is_open()) {
        SysError ec;
        socket.close(ec);
    }
}

}  // namespace gw::net::internal
