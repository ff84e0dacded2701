#pragma once
/// @file
/// @brief Private to net: URL parsing and request serialization for HttpClient.

#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "net/http_client.hpp"

namespace gw::net::internal {

/// Where a request goes: one pool key per (scheme, host, port).
struct Origin {
    bool tls = false;
    std::string host;         ///< DNS name or IP literal (IPv6 without brackets), lower-case
    bool host_is_ip = false;  ///< no SNI / DNS lookup for IP literals
    std::uint16_t port = 0;
    std::string host_header;  ///< Host header value: host[:port] (port omitted when default)
    std::string key;          ///< "https://host:port"
};

struct ParsedUrl {
    Origin origin;
    std::string target;  ///< origin-form: path (at least "/") plus "?query"
};

/// Parses an absolute http/https URL with Boost.URL. kInvalidArgument for other schemes, a missing host,
/// userinfo (credentials in URLs are refused), or port 0.
Result<ParsedUrl> ParseUrl(std::string_view url);

/// True for methods whose requests may be repeated safely (RFC 9110 §9.2.2).
bool IsIdempotent(std::string_view method) noexcept;

/// The request head + body bytes. kInvalidArgument for an invalid method token or header names/values
/// with CR, LF or NUL.
Result<std::string> SerializeRequest(
    const HttpClientRequest& req, const ParsedUrl& url, std::string_view default_user_agent
);

}  // namespace gw::net::internal
