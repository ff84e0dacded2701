#include "net/internal/client_url.hpp"

#include <array>
#include <cctype>

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include "net/http_types.hpp"

namespace gw::net::internal {
namespace {

Error Invalid(std::string message) {
    return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}

bool IsTokenChar(char c) noexcept {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
        return true;
    }
    constexpr std::string_view kExtra = "!#$%&'*+-.^_`|~";
    return kExtra.find(c) != std::string_view::npos;
}

bool IsToken(std::string_view s) noexcept {
    if (s.empty()) {
        return false;
    }
    for (char c : s) {
        if (!IsTokenChar(c)) {
            return false;
        }
    }
    return true;
}

bool IsSafeValue(std::string_view v) noexcept {
    return v.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

bool IsClientOwned(std::string_view name) noexcept {
    return IEquals(name, "Host") || IEquals(name, "Content-Length") || IEquals(name, "Transfer-Encoding") ||
           IEquals(name, "Connection");
}

std::string Lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

}  // namespace

Result<ParsedUrl> ParseUrl(std::string_view url) {
    auto parsed = boost::urls::parse_uri(url);
    if (!parsed) {
        return Invalid("invalid URL '" + std::string(url) + "': " + parsed.error().message());
    }
    const boost::urls::url_view& u = *parsed;
    ParsedUrl out;
    const std::string scheme = Lower(u.scheme());
    if (scheme == "https") {
        out.origin.tls = true;
    } else if (scheme != "http") {
        return Invalid("unsupported URL scheme '" + scheme + "' (http and https only)");
    }
    if (u.has_userinfo()) {
        return Invalid("credentials in URLs are not supported");
    }
    switch (u.host_type()) {
        case boost::urls::host_type::name:
            out.origin.host = Lower(u.host_name());
            break;
        case boost::urls::host_type::ipv4:
        case boost::urls::host_type::ipv6:
            out.origin.host = Lower(u.host_address());
            out.origin.host_is_ip = true;
            break;
        default:
            return Invalid("URL '" + std::string(url) + "' has no usable host");
    }
    if (out.origin.host.empty()) {
        return Invalid("URL '" + std::string(url) + "' has no host");
    }
    const std::uint16_t default_port = out.origin.tls ? 443 : 80;
    out.origin.port = default_port;
    if (u.has_port()) {
        if (u.port().empty()) {
            out.origin.port = default_port;
        } else if (u.port_number() == 0) {
            return Invalid("URL '" + std::string(url) + "' has an invalid port");
        } else {
            out.origin.port = u.port_number();
        }
    }
    const bool v6 = u.host_type() == boost::urls::host_type::ipv6;
    out.origin.host_header = v6 ? "[" + out.origin.host + "]" : out.origin.host;
    if (out.origin.port != default_port) {
        out.origin.host_header += ":" + std::to_string(out.origin.port);
    }
    out.origin.key = scheme + "://" + (v6 ? "[" + out.origin.host + "]" : out.origin.host) + ":" +
                     std::to_string(out.origin.port);
    out.target = u.encoded_path().empty() ? std::string("/") : std::string(u.encoded_path());
    if (u.has_query()) {
        out.target += '?';
        out.target += u.encoded_query();
    }
    return out;
}

bool IsIdempotent(std::string_view method) noexcept {
    static constexpr std::array<std::string_view, 6> kIdempotent{
        "GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"};
    for (auto m : kIdempotent) {
        if (m == method) {
            return true;
        }
    }
    return false;
}

Result<std::string> SerializeRequest(
    const HttpClientRequest& req, const ParsedUrl& url, std::string_view default_user_agent
) {
    if (!IsToken(req.method)) {
        return Invalid("invalid HTTP method '" + req.method + "'");
    }
    bool has_user_agent = false;
    std::size_t size =
        req.method.size() + url.target.size() + url.origin.host_header.size() + req.body.size() + 96;
    for (const auto& [name, value] : req.headers) {
        if (!IsToken(name) || !IsSafeValue(value)) {
            return Invalid("invalid request header '" + name + "'");
        }
        has_user_agent = has_user_agent || IEquals(name, "User-Agent");
        size += name.size() + value.size() + 4;
    }
    std::string out;
    out.reserve(size);
    out.append(req.method).append(" ").append(url.target).append(" HTTP/1.1\r\nHost: ");
    out.append(url.origin.host_header).append("\r\n");
    if (!has_user_agent && !default_user_agent.empty() && IsSafeValue(default_user_agent)) {
        out.append("User-Agent: ").append(default_user_agent).append("\r\n");
    }
    for (const auto& [name, value] : req.headers) {
        if (IsClientOwned(name)) {
            continue;
        }
        out.append(name).append(": ").append(value).append("\r\n");
    }
    const bool wants_length =
        !req.body.empty() || req.method == "POST" || req.method == "PUT" || req.method == "PATCH";
    if (wants_length) {
        out.append("Content-Length: ").append(std::to_string(req.body.size())).append("\r\n");
    }
    out.append("\r\n").append(req.body);
    return out;
}

}  // namespace gw::net::internal
