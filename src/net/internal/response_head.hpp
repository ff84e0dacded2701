#pragma once
/// @file
/// @brief Private to net: serializes an HttpResponse head (status line + headers) without Beast's
/// per-field allocations, and small helpers shared by the connection code.

#include <cstddef>
#include <string>
#include <string_view>

#include "net/http_types.hpp"

namespace gw::net::internal {

/// Statuses a handler may return (200..599 except 1xx).
bool IsValidHandlerStatus(int status) noexcept;

/// True if the status forbids a body and Content-Length (204, 304).
bool StatusHasNoBody(int status) noexcept;

/// How the body of a response is delimited.
enum class BodyFraming {
    kContentLength,  ///< `resp.body`, with Content-Length
    kChunked,        ///< a stream: Transfer-Encoding: chunked (HTTP/1.1 clients)
    kUntilClose,     ///< a stream to an HTTP/1.0 client: no length, ends when the connection closes
};

/// Replaces `out` with the response head: status line, Server, Content-Type (if a body, or always
/// for a stream), Content-Length (kContentLength, unless 204/304) or Transfer-Encoding: chunked
/// (kChunked), Connection, X-Request-Id, the security headers, then `resp.headers` minus framing
/// headers and headers with CR/LF/NUL. A handler header with the same name as a default security
/// header replaces it. Ends with the empty line.
void SerializeHead(
    std::string& out,
    const HttpResponse& resp,
    std::string_view request_id,
    bool keep_alive,
    BodyFraming framing = BodyFraming::kContentLength
);

/// A bounded metric label for a method: the standard methods as themselves, anything else "OTHER".
std::string_view MethodLabel(std::string_view method) noexcept;

}  // namespace gw::net::internal
