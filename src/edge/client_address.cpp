#include "edge/client_address.hpp"

#include <algorithm>
#include <array>

#include "net/http_types.hpp"

namespace gw::edge {
namespace {

bool IsOws(char c) noexcept {
    return c == ' ' || c == '\t';
}

std::string_view Trim(std::string_view s) noexcept {
    while (!s.empty() && IsOws(s.front())) {
        s.remove_prefix(1);
    }
    while (!s.empty() && IsOws(s.back())) {
        s.remove_suffix(1);
    }
    return s;
}

bool IsPortDigits(std::string_view s) noexcept {
    return !s.empty() && s.size() <= 5 &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// RFC 7239 node-port: a port number or an obfuscated `_token`.
bool IsForwardedPort(std::string_view s) noexcept {
    if (IsPortDigits(s)) {
        return true;
    }
    return s.size() > 1 && s.front() == '_' && std::all_of(s.begin(), s.end(), [](char c) {
               return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '_' || c == '-';
           });
}

/// `[v6]` or `[v6]:port`; `port_ok` validates the port text.
template <class PortOk>
std::optional<IpAddress> ParseBracketed(std::string_view s, PortOk port_ok) noexcept {
    const auto close = s.find(']');
    if (close == std::string_view::npos) {
        return std::nullopt;
    }
    const std::string_view rest = s.substr(close + 1);
    if (!rest.empty() && (rest.front() != ':' || !port_ok(rest.substr(1)))) {
        return std::nullopt;
    }
    const std::string_view inner = s.substr(1, close - 1);
    if (inner.find(':') == std::string_view::npos) {
        return std::nullopt;  // brackets hold IPv6 only
    }
    return IpAddress::Parse(inner);
}

/// `a.b.c.d` or `a.b.c.d:port` (IPv4 only).
template <class PortOk>
std::optional<IpAddress> ParseV4WithPort(std::string_view s, PortOk port_ok) noexcept {
    const auto colon = s.find(':');
    if (colon != std::string_view::npos) {
        if (!port_ok(s.substr(colon + 1))) {
            return std::nullopt;
        }
        s = s.substr(0, colon);
    }
    if (s.find(':') != std::string_view::npos) {
        return std::nullopt;
    }
    auto ip = IpAddress::Parse(s);
    if (!ip || !ip->IsV4()) {
        return std::nullopt;
    }
    return ip;
}

/// The last `capacity` non-empty list elements pushed (no allocation).
class ElementRing {
public:
    explicit ElementRing(std::size_t capacity) noexcept : capacity_(std::min(capacity, kMaxForwardedHops)) {}

    void Push(std::string_view element) noexcept {
        if (capacity_ == 0) {
            return;
        }
        items_[pushed_ % capacity_] = element;
        ++pushed_;
    }

    std::size_t size() const noexcept { return std::min(pushed_, capacity_); }

    /// 0 = the rightmost element.
    std::string_view FromRight(std::size_t i) const noexcept { return items_[(pushed_ - 1 - i) % capacity_]; }

private:
    std::array<std::string_view, kMaxForwardedHops> items_{};
    std::size_t capacity_;
    std::size_t pushed_ = 0;
};

/// Index of the quote closing the quoted-string that opens at `open`, or npos.
std::size_t FindClosingQuote(std::string_view s, std::size_t open) noexcept {
    for (std::size_t i = open + 1; i < s.size(); ++i) {
        if (s[i] == '\\') {
            ++i;
        } else if (s[i] == '"') {
            return i;
        }
    }
    return std::string_view::npos;
}

/// Calls `on_item(trimmed)` for every non-empty item of `value` separated by `sep`. With
/// `honour_quotes`, separators inside a *closed* quoted-string do not split. An unclosed quote makes
/// the rest of the value unquoted text, so a client cannot swallow the entries a proxy appends after
/// it, and the work stays linear.
template <class OnItem>
void SplitList(std::string_view value, char sep, bool honour_quotes, OnItem on_item) noexcept {
    std::size_t start = 0;
    for (std::size_t i = 0; i <= value.size(); ++i) {
        if (i < value.size() && honour_quotes && value[i] == '"') {
            const auto close = FindClosingQuote(value, i);
            if (close != std::string_view::npos) {
                i = close;
            } else {
                honour_quotes = false;
            }
            continue;
        }
        if (i == value.size() || value[i] == sep) {
            const auto item = Trim(value.substr(start, i - start));
            if (!item.empty()) {
                on_item(item);
            }
            start = i + 1;
        }
    }
}

}  // namespace

std::optional<IpAddress> ParseXffEntry(std::string_view entry) noexcept {
    entry = Trim(entry);
    if (entry.empty()) {
        return std::nullopt;
    }
    if (entry.front() == '[') {
        return ParseBracketed(entry, IsPortDigits);
    }
    const auto colons = std::count(entry.begin(), entry.end(), ':');
    if (colons <= 1) {
        return ParseV4WithPort(entry, IsPortDigits);
    }
    return IpAddress::Parse(entry);
}

std::optional<IpAddress> ParseForwardedFor(std::string_view element) noexcept {
    std::string_view node;
    int for_count = 0;
    SplitList(element, ';', true, [&](std::string_view pair) {
        const auto eq = pair.find('=');
        if (eq == std::string_view::npos || !net::IEquals(Trim(pair.substr(0, eq)), "for")) {
            return;
        }
        ++for_count;
        node = Trim(pair.substr(eq + 1));
    });
    if (for_count != 1) {
        return std::nullopt;
    }
    if (!node.empty() && node.front() == '"') {
        if (node.size() < 2 || node.back() != '"') {
            return std::nullopt;
        }
        node = node.substr(1, node.size() - 2);
        if (node.find('\\') != std::string_view::npos || node.find('"') != std::string_view::npos) {
            return std::nullopt;
        }
    }
    if (node.empty() || node.front() == '_') {
        return std::nullopt;  // obfuscated identifier: the client is unknown
    }
    if (node.front() == '[') {
        return ParseBracketed(node, IsForwardedPort);
    }
    return ParseV4WithPort(node, IsForwardedPort);  // "unknown" and unbracketed IPv6 fail here
}

IpAddress ResolveClientAddress(
    const IpAddress& peer,
    HeaderList headers,
    const CidrSet& trusted_proxies,
    ForwardedHeader header,
    std::size_t max_hops
) noexcept {
    if (header == ForwardedHeader::kNone || !trusted_proxies.Contains(peer)) {
        return peer;
    }
    const bool rfc7239 = header == ForwardedHeader::kForwarded;
    const std::string_view name = rfc7239 ? "Forwarded" : "X-Forwarded-For";
    ElementRing ring(max_hops);
    for (const auto& [k, v] : headers) {
        if (net::IEquals(k, name)) {
            SplitList(v, ',', rfc7239, [&](std::string_view element) { ring.Push(element); });
        }
    }
    IpAddress current = peer;
    for (std::size_t i = 0; i < ring.size(); ++i) {
        const std::string_view entry = ring.FromRight(i);
        const auto hop = rfc7239 ? ParseForwardedFor(entry) : ParseXffEntry(entry);
        if (!hop) {
            return current;
        }
        current = *hop;
        if (!trusted_proxies.Contains(current)) {
            return current;
        }
    }
    return current;
}

}  // namespace gw::edge
