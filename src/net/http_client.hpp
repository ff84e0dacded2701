#pragma once
/// @file
/// @brief HTTP/1.1 client (http and https) with per-host keep-alive pooling, deadlines on every step,
/// TLS verification, and incremental body reads for streaming (SSE) responses.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include "base/error.hpp"

namespace gw::net {

/// An absolute point in time by which an operation must complete.
using Deadline = std::chrono::steady_clock::time_point;

/// Header list in wire order, names as sent.
using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpClientOptions {
    /// Bounds DNS + TCP connect + TLS handshake of a new connection (the request deadline applies too).
    std::chrono::milliseconds connect_timeout{10'000};
    /// Idle keep-alive connections kept per (scheme, host, port); 0 disables pooling.
    std::size_t max_idle_per_host = 8;
    /// An idle connection older than this is not reused.
    std::chrono::milliseconds idle_timeout{30'000};
    /// Verify the server certificate chain and host name.
    bool verify_tls = true;
    /// PEM CA bundle trusted in addition to the system store (tests, private CAs).
    std::string extra_ca_file;
    std::string user_agent = "openclaw-gateway";
    /// Default response body limit of `Request`.
    std::size_t max_body_bytes = 8 * 1024 * 1024;
    /// Response header limit.
    std::size_t max_header_bytes = 64 * 1024;
};

struct HttpClientRequest {
    std::string method = "GET";
    /// Absolute http:// or https:// URL; the fragment is ignored.
    std::string url;
    /// Extra headers. Host, Content-Length, Transfer-Encoding and Connection are set by the client (yours
    /// are ignored); User-Agent only if you set none. Names/values with CR, LF or NUL: kInvalidArgument.
    HttpHeaders headers;
    /// Sent with Content-Length (always for POST/PUT/PATCH, else only if not empty).
    std::string body;
    /// Response body limit for `Request`; 0 = HttpClientOptions::max_body_bytes.
    std::size_t max_body_bytes = 0;
};

struct HttpClientResponse {
    int status = 0;
    HttpHeaders headers;
    std::string body;

    /// First header with this name (ASCII case-insensitive).
    std::optional<std::string_view> Header(std::string_view name) const;
};

/// A response whose body is read incrementally (e.g. an SSE stream). Move-only; not thread-safe (one
/// `NextChunk` at a time). Destroying it before the end of the body closes the connection; after the
/// end the connection returns to the pool.
class StreamingResponse {
public:
    ~StreamingResponse();
    StreamingResponse(StreamingResponse&&) noexcept;
    StreamingResponse& operator=(StreamingResponse&&) noexcept;

    int Status() const noexcept;
    const HttpHeaders& Headers() const noexcept;
    std::optional<std::string_view> Header(std::string_view name) const;

    /// The next slice of the (de-chunked) body as it arrives, or nullopt at the end of the body. Slices
    /// have no relation to the server's chunk boundaries. Uses the deadline given to `HttpClient::Stream`.
    /// Errors: kDeadlineExceeded, kUnavailable (reset, cancelled), kUpstreamError (malformed or truncated
    /// body). After an error or the end, further calls return the same result.
    boost::asio::awaitable<Result<std::optional<std::string>>> NextChunk();

    /// Same with its own deadline (e.g. an idle limit per chunk of a long stream).
    boost::asio::awaitable<Result<std::optional<std::string>>> NextChunk(Deadline deadline);

private:
    friend class HttpClient;
    struct Impl;

    explicit StreamingResponse(std::unique_ptr<Impl> impl);

    std::unique_ptr<Impl> impl_;
};

/// HTTP/1.1 client over plain TCP or TLS (>= 1.2, SNI, peer + host name verification against the system
/// trust store plus `extra_ca_file`). No proxy support (HTTP(S)_PROXY are ignored); no response
/// decompression (Accept-Encoding is not sent).
///
/// Pooling: connections are kept per (scheme, host, port) after a response was read completely and both
/// sides allow keep-alive; a response not read to its end closes its connection. A reused connection
/// found closed by the server is replaced transparently (retried once on a new connection) when the
/// request can be assumed unprocessed: writing the request failed, or the connection ended before any
/// response byte arrived and the method is idempotent (GET, HEAD, OPTIONS, TRACE, PUT, DELETE). A
/// request on a fresh connection is never retried.
///
/// Errors: kInvalidArgument (bad URL or header), kUnavailable (DNS failure, connection refused/reset,
/// TLS failure — "certificate verify failed" in the message for verification errors — or the calling
/// coroutine was cancelled), kDeadlineExceeded (deadline or connect timeout passed), kUpstreamError
/// (malformed response, body over the limit, truncated body).
///
/// Thread-safe: any number of coroutines on any executors may use one client concurrently. Each
/// operation honours terminal cancellation of the awaiting coroutine. The client may be destroyed while
/// operations are in flight (they keep its internals alive).
class HttpClient {
public:
    /// Fails with kInvalidArgument if `extra_ca_file` cannot be loaded.
    static Result<std::unique_ptr<HttpClient>> Create(
        boost::asio::io_context& ioc, HttpClientOptions options
    );

    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    /// Sends `req` and reads the whole response (body limited to `req.max_body_bytes`).
    boost::asio::awaitable<Result<HttpClientResponse>> Request(HttpClientRequest req, Deadline deadline);

    /// Sends `req` and returns once the response head arrived; read the body with `NextChunk`. There is no
    /// body limit (bound what you buffer, e.g. with SseParser's limit).
    boost::asio::awaitable<Result<StreamingResponse>> Stream(HttpClientRequest req, Deadline deadline);

    /// Idle pooled connections (all hosts).
    std::size_t IdleConnections() const;

    /// Closes every idle pooled connection.
    void CloseIdle();

private:
    struct Impl;

    explicit HttpClient(std::shared_ptr<Impl> impl);

    std::shared_ptr<Impl> impl_;
};

}  // namespace gw::net
