#pragma once
/// @file
/// @brief The HTTP/1.1 + WebSocket server (Asio + Beast, C++20 coroutines): keep-alive, optional TLS,
/// limits and timeouts, JSON errors, security headers, graceful drain.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>

#include "base/error.hpp"
#include "config/options.hpp"
#include "net/admission.hpp"
#include "net/router.hpp"
#include "net/websocket.hpp"

namespace gw::net {

/// Receives server events (the app adapts them to metrics). Called from io threads concurrently, so
/// implementations must be thread-safe and cheap (atomics).
class ServerObserver {
public:
    virtual ~ServerObserver() = default;

    /// Every response written (including errors): method ("GET", ..., "OTHER" for non-standard methods,
    /// "UNKNOWN" when the request line could not be read), status, seconds from header complete.
    virtual void OnRequest(std::string_view method, int status, double seconds) = 0;

    /// A failure: bad_request, not_found, method_not_allowed, payload_too_large, header_too_large,
    /// timeout, tls_handshake, overload, internal.
    virtual void OnError(std::string_view reason) = 0;

    /// An admitted connection (HTTP or WebSocket) opened / closed. Rejected (overload) ones are not counted.
    virtual void OnConnectionOpened() = 0;
    virtual void OnConnectionClosed() = 0;
};

/// Serves `router` (and `ws_handler` for upgrades) on one port. Every member is thread-safe.
/// `router`, `observer` and `ws_handler` must outlive every connection: destroy the server only after
/// `OpenConnections() == 0` or after the io_context stopped running.
class HttpServer {
public:
    /// `ws_handler` may be null: upgrade requests then get a 404 JSON error.
    HttpServer(
        boost::asio::io_context& ioc,
        const config::ServerOptions& options,
        const Router& router,
        ServerObserver& observer,
        WebSocketHandler* ws_handler
    );
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    /// Installs the edge hook (see admission.hpp): every accepted connection and every request is
    /// checked by `admission` from then on. Call before Start (not thread-safe against serving);
    /// the server and its connections share ownership. Null removes it.
    void SetAdmission(std::shared_ptr<Admission> admission);

    /// Loads the TLS certificate (if enabled), binds, listens and starts accepting on the io_context.
    /// Errors: kInvalidArgument (bad host, TLS files unreadable/invalid, bad min_version),
    /// kUnavailable (address in use, permission denied, ...). Call once.
    Result<void> Start();

    /// The bound port (the actual one when options.port was 0); 0 before Start.
    std::uint16_t Port() const noexcept;

    /// "https" when TLS is enabled, else "http".
    std::string Scheme() const;

    /// Re-reads tls.cert_file/key_file; new connections use the new certificate, existing ones keep
    /// theirs. Errors as in Start; on error the old certificate stays. kInvalidArgument if TLS is off.
    Result<void> ReloadTls();

    /// Starts a graceful drain: stops accepting (the listening socket is closed), closes idle
    /// keep-alive connections, answers in-flight requests with `Connection: close`, refuses new
    /// upgrades with 503, and closes WebSockets with 1012 "service restart". Idempotent.
    void BeginDrain();

    /// True once BeginDrain or ForceClose was called.
    bool Draining() const noexcept;

    /// Admitted connections still open (HTTP and WebSocket).
    std::size_t OpenConnections() const noexcept;

    /// Closes the acceptor and every connection now, cancelling running handlers (after the grace period).
    void ForceClose();

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace gw::net
