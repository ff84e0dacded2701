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

/// Replaces `out` with the response head: status line, Server, Content-Type (if a body), Content-Length
/// (unless 204/304), Connection, X-Request-Id, the security headers, then `resp.headers` minus
/// framing headers and headers with CR/LF/NUL. A handler header with the same name as a default
/// security header replaces it. Ends with the empty line.
void SerializeHead(std::string& out, const HttpResponse& resp, std::string_view request_id, bool keep_alive);

/// A bounded metric label for a method: the standard methods as themselves, anything else "OTHER".
std::string_view MethodLabel(std::string_view method) noexcept;

}  // namespace gw::net::internal
