#include "net/internal/response_head.hpp"

#include <array>
#include <charconv>

#include <boost/beast/http/status.hpp>

#include "obs/log.hpp"

namespace gw::net::internal {
namespace {

namespace http = boost::beast::http;

struct DefaultHeader {
    std::string_view name;
    std::string_view line;  ///< "Name: value\r\n"
};

constexpr std::array<DefaultHeader, 4> kDefaultHeaders{{
    {"Server", "Server: openclaw-gateway\r\n"},
    {"X-Content-Type-Options", "X-Content-Type-Options: nosniff\r\n"},
    {"Referrer-Policy", "Referrer-Policy: no-referrer\r\n"},
    {"Permissions-Policy", "Permissions-Policy: camera=(), microphone=(self), geolocation=()\r\n"},
}};

bool IsFramingHeader(std::string_view name) noexcept {
    return IEquals(name, "Content-Length") || IEquals(name, "Transfer-Encoding") ||
           IEquals(name, "Connection") || IEquals(name, "X-Request-Id") || IEquals(name, "Content-Type");
}

bool IsTokenChar(char c) noexcept {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
        return true;
    }
    constexpr std::string_view kExtra = "!#$%&'*+-.^_`|~";
    return kExtra.find(c) != std::string_view::npos;
}

bool IsSafeHeader(std::string_view name, std::string_view value) noexcept {
    if (name.empty()) {
        return false;
    }
    for (char c : name) {
        if (!IsTokenChar(c)) {
            return false;
        }
    }
    return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

void AppendNumber(std::string& out, std::size_t v) {
    std::array<char, 24> buf{};
    auto res = std::to_chars(buf.data(), buf.data() + buf.size(), v);
    out.append(buf.data(), res.ptr);
}

}  // namespace

bool IsValidHandlerStatus(int status) noexcept {
    return status >= 200 && status <= 599;
}

bool StatusHasNoBody(int status) noexcept {
    return status == 204 || status == 304;
}

void SerializeHead(
    std::string& out,
    const HttpResponse& resp,
    std::string_view request_id,
    bool keep_alive,
    BodyFraming framing
) {
    out.clear();
    out += "HTTP/1.1 ";
    AppendNumber(out, static_cast<std::size_t>(resp.status));
    out += ' ';
    const auto st = http::int_to_status(static_cast<unsigned>(resp.status));
    out += st == http::status::unknown ? std::string_view("Unknown")
                                       : std::string_view(http::obsolete_reason(st));
    out += "\r\n";

    const bool no_body = StatusHasNoBody(resp.status);
    if (!no_body) {
        const bool streamed = framing != BodyFraming::kContentLength;
        if ((streamed || !resp.body.empty()) && !resp.content_type.empty() &&
            IsSafeHeader("Content-Type", resp.content_type)) {
            out += "Content-Type: ";
            out += resp.content_type;
            out += "\r\n";
        }
        if (framing == BodyFraming::kContentLength) {
            out += "Content-Length: ";
            AppendNumber(out, resp.body.size());
            out += "\r\n";
        } else if (framing == BodyFraming::kChunked) {
            out += "Transfer-Encoding: chunked\r\n";
        }
    }
    out += keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
    out += "X-Request-Id: ";
    out += request_id;
    out += "\r\n";

    for (const auto& def : kDefaultHeaders) {
        bool overridden = false;
        for (const auto& [name, value] : resp.headers) {
            if (IEquals(name, def.name)) {
                overridden = true;
                break;
            }
        }
        if (!overridden) {
            out += def.line;
        }
    }
    for (const auto& [name, value] : resp.headers) {
        if (IsFramingHeader(name)) {
            continue;
        }
        if (!IsSafeHeader(name, value)) {
            obs::Log(obs::LogLevel::kWarn, "gw.net", "dropped an unsafe response header", {{"header", name}});
            continue;
        }
        out += name;
        out += ": ";
        out += value;
        out += "\r\n";
    }
    out += "\r\n";
}

std::string_view MethodLabel(std::string_view method) noexcept {
    static constexpr std::array<std::string_view, 9> kKnown{
        "GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "CONNECT", "TRACE"};
    for (auto m : kKnown) {
        if (m == method) {
            return m;
        }
    }
    return method.empty() ? std::string_view("UNKNOWN") : std::string_view("OTHER");
}

}  // namespace gw::net::internal
