#include "edge/ip_address.hpp"

#include <cstring>
#include <functional>

#include <arpa/inet.h>

namespace gw::edge {
namespace {

constexpr std::array<std::uint8_t, 12> kV4MappedPrefix{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

bool ParseV4Strict(std::string_view text, std::array<std::uint8_t, 4>& out) noexcept {
    // inet_pton(AF_INET) already rejects leading zeros and short forms in glibc; this strict parser
    // keeps the behaviour independent of the libc.
    std::size_t part = 0;
    std::size_t i = 0;
    while (part < 4) {
        if (i >= text.size() || text[i] < '0' || text[i] > '9') {
            return false;
        }
        const std::size_t start = i;
        unsigned value = 0;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
            value = value * 10 + static_cast<unsigned>(text[i] - '0');
            if (value > 255 || i - start >= 3) {
                return false;
            }
            ++i;
        }
        if (i - start > 1 && text[start] == '0') {
            return false;  // leading zeros are ambiguous (octal in some parsers)
        }
        out[part++] = static_cast<std::uint8_t>(value);
        if (part < 4) {
            if (i >= text.size() || text[i] != '.') {
                return false;
            }
            ++i;
        }
    }
    return i == text.size();
}

}  // namespace

std::optional<IpAddress> IpAddress::Parse(std::string_view text) noexcept {
    if (text.empty() || text.size() >= kMaxTextLength) {
        return std::nullopt;
    }
    if (text.find(':') == std::string_view::npos) {
        std::array<std::uint8_t, 4> v4{};
        if (!ParseV4Strict(text, v4)) {
            return std::nullopt;
        }
        IpAddress ip;
        std::memcpy(ip.bytes_.data(), v4.data(), v4.size());
        return ip;
    }
    // IPv6: inet_pton needs a NUL-terminated string and rejects zone ids ('%'), brackets and ports.
    std::array<char, kMaxTextLength> buf{};
    std::memcpy(buf.data(), text.data(), text.size());
    std::array<std::uint8_t, 16> bytes{};
    if (inet_pton(AF_INET6, buf.data(), bytes.data()) != 1) {
        return std::nullopt;
    }
    return V6(bytes);
}

IpAddress IpAddress::V4(std::uint32_t host_order) noexcept {
    IpAddress ip;
    ip.bytes_[0] = static_cast<std::uint8_t>(host_order >> 24);
    ip.bytes_[1] = static_cast<std::uint8_t>(host_order >> 16);
    ip.bytes_[2] = static_cast<std::uint8_t>(host_order >> 8);
    ip.bytes_[3] = static_cast<std::uint8_t>(host_order);
    return ip;
}

IpAddress IpAddress::V6(const std::array<std::uint8_t, 16>& bytes) noexcept {
    IpAddress ip;
    if (std::memcmp(bytes.data(), kV4MappedPrefix.data(), kV4MappedPrefix.size()) == 0) {
        std::memcpy(ip.bytes_.data(), bytes.data() + 12, 4);
        return ip;
    }
    ip.family_ = IpFamily::kV6;
    ip.bytes_ = bytes;
    return ip;
}

std::uint32_t IpAddress::V4Value() const noexcept {
    if (!IsV4()) {
        return 0;
    }
    return (std::uint32_t{bytes_[0]} << 24) | (std::uint32_t{bytes_[1]} << 16) |
           (std::uint32_t{bytes_[2]} << 8) | std::uint32_t{bytes_[3]};
}

IpAddress IpAddress::Masked(int prefix_length) const noexcept {
    IpAddress out = *this;
    const int bits = BitLength();
    const int keep = prefix_length < 0 ? 0 : (prefix_length > bits ? bits : prefix_length);
    for (int i = 0; i < 16; ++i) {
        const int byte_start = i * 8;
        if (byte_start >= keep) {
            out.bytes_[static_cast<std::size_t>(i)] = 0;
        } else if (byte_start + 8 > keep) {
            const int keep_bits = keep - byte_start;
            const auto mask = static_cast<std::uint8_t>(0xffU << (8 - keep_bits));
            out.bytes_[static_cast<std::size_t>(i)] &= mask;
        }
    }
    return out;
}

std::string_view IpAddress::Format(TextBuffer& buf) const noexcept {
    const int af = IsV4() ? AF_INET : AF_INET6;
    if (inet_ntop(af, bytes_.data(), buf.data(), static_cast<socklen_t>(buf.size())) == nullptr) {
        return {};  // cannot happen: the buffer fits the longest form
    }
    return {buf.data(), std::strlen(buf.data())};
}

std::string IpAddress::ToString() const {
    TextBuffer buf{};
    return std::string(Format(buf));
}

std::size_t IpAddressHash::operator()(const IpAddress& ip) const noexcept {
    const auto& b = ip.bytes();
    const std::string_view raw(reinterpret_cast<const char*>(b.data()), ip.IsV4() ? 4 : 16);
    return std::hash<std::string_view>{}(raw) ^ static_cast<std::size_t>(ip.family());
}

IpAddress ClientIdentity(const IpAddress& ip, int ipv6_prefix_length) noexcept {
    return ip.IsV4() ? ip : ip.Masked(ipv6_prefix_length);
}

}  // namespace gw::edge
