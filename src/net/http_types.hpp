#pragma once
/// @file
/// @brief Transport-neutral HTTP request/response values handed to route handlers, and `JsonError`,
/// the one builder of the public error body `{"error":{"code","message","request_id"}}`.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/response_stream.hpp"

namespace gw::net {

/// A fully read HTTP/1.x request. Built by HttpServer on the connection's strand; handlers get it by
/// const reference, valid until their coroutine completes (copy what must live longer).
struct HttpRequest {
    std::string method;  ///< as sent, e.g. "GET" (methods are case-sensitive)
    std::string target;  ///< request-target as sent, e.g. "/v1/x?y=1"
    std::string path;    ///< target up to '?', still percent-encoded
    std::string query;   ///< after '?', without it; empty if none
    std::vector<std::pair<std::string, std::string>> headers;  ///< in arrival order, names as sent
    std::string body;
    std::string remote_ip;  ///< the TCP peer
    std::uint16_t remote_port = 0;
    /// The client as far as the server knows: the TCP peer, or the address a trusted proxy reported
    /// (set by the server's Admission hook, see admission.hpp). Use this, not remote_ip, for
    /// per-client decisions and logs.
    std::string client_ip;
    std::string request_id;  ///< valid incoming X-Request-Id, else generated; echoed in the response
    std::string trace_id;    ///< from a valid `traceparent`, else empty
    bool keep_alive = false;

    /// First header with this name (ASCII case-insensitive), or nullopt.
    std::optional<std::string_view> Header(std::string_view name) const;
};

/// What a handler returns. The server adds Content-Type (from `content_type`, if there is a body),
/// Content-Length, Connection, X-Request-Id, Server and the security headers. In `headers`, framing
/// and server-owned names (Content-Length, Transfer-Encoding, Connection, Content-Type, X-Request-Id)
/// are ignored, names/values with CR, LF or NUL are dropped (logged), and a header named like a
/// default (Server, X-Content-Type-Options, Referrer-Policy, Permissions-Policy) replaces it.
/// `status` must be 200..599 (else the client gets 500).
///
/// Streaming: when `stream` is set (and the status allows a body, i.e. not 204/304), `body` is
/// ignored; the server sends the head with `Transfer-Encoding: chunked` (HTTP/1.0 clients: no
/// length and `Connection: close`, the body ends with the connection), Content-Type from
/// `content_type` (e.g. "text/event-stream"), then runs `stream`. `request_timeout` does not limit
/// a stream; instead every single write must finish within it. A HEAD request gets the head only
/// (the producer is not called). During a drain an in-flight stream may finish; the connection is
/// closed afterwards.
struct HttpResponse {
    int status = 200;
    std::string content_type = "application/json";
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    StreamProducer stream;  ///< optional streaming body (see above)
};

/// `{"error":{"code":code,"message":message,"request_id":request_id}}` with JSON escaping, with
/// `status` and content type application/json. Adds `Retry-After: 1` for 503.
HttpResponse JsonError(
    int status, std::string_view code, std::string_view message, std::string_view request_id
);

/// True when `id` is 1..64 characters of [A-Za-z0-9._-] (accepted as an incoming X-Request-Id).
bool IsValidRequestId(std::string_view id) noexcept;

/// ASCII case-insensitive equality (header names).
bool IEquals(std::string_view a, std::string_view b) noexcept;

}  // namespace gw::net
