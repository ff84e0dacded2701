#pragma once
/// @file
/// @brief `IpAddress`: an IPv4 or IPv6 address value. IPv4-mapped IPv6 (`::ffff:a.b.c.d`) is normalised
/// to IPv4 so one client has one identity; zone ids (`fe80::1%eth0`) are rejected.

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gw::edge {

enum class IpFamily : std::uint8_t { kV4, kV6 };

class IpAddress {
public:
    /// Longest text `Format` writes (an IPv6 address with an embedded dotted quad is 45 characters).
    static constexpr std::size_t kMaxTextLength = 46;
    using TextBuffer = std::array<char, kMaxTextLength>;

    /// 0.0.0.0
    IpAddress() noexcept = default;

    /// Parses dotted-quad IPv4 (no leading zeros) or RFC 4291 IPv6 text. No brackets, ports or zone
    /// ids. Never throws; any input is safe.
    static std::optional<IpAddress> Parse(std::string_view text) noexcept;

    /// From a host-order IPv4 value, e.g. 0x01020304 = 1.2.3.4.
    static IpAddress V4(std::uint32_t host_order) noexcept;

    /// From 16 network-order bytes; an IPv4-mapped address becomes IPv4.
    static IpAddress V6(const std::array<std::uint8_t, 16>& bytes) noexcept;

    IpFamily family() const noexcept { return family_; }

    bool IsV4() const noexcept { return family_ == IpFamily::kV4; }

    /// 32 for IPv4, 128 for IPv6.
    int BitLength() const noexcept { return IsV4() ? 32 : 128; }

    /// Network-order bytes: the first 4 for IPv4 (the rest are zero), all 16 for IPv6.
    const std::array<std::uint8_t, 16>& bytes() const noexcept { return bytes_; }

    /// Host-order IPv4 value (0 for IPv6).
    std::uint32_t V4Value() const noexcept;

    /// The address with every bit after the first `prefix_length` cleared (clamped to 0..BitLength()).
    IpAddress Masked(int prefix_length) const noexcept;

    /// Canonical text (RFC 5952 lower-case compressed form for IPv6) into `buf`; no allocation.
    std::string_view Format(TextBuffer& buf) const noexcept;

    std::string ToString() const;

    friend bool operator==(const IpAddress&, const IpAddress&) = default;
    friend auto operator<=>(const IpAddress&, const IpAddress&) = default;

private:
    IpFamily family_ = IpFamily::kV4;
    std::array<std::uint8_t, 16> bytes_{};
};

/// Hash for unordered containers keyed by address.
struct IpAddressHash {
    std::size_t operator()(const IpAddress& ip) const noexcept;
};

/// The rate-limit / connection-cap identity of a client: the address itself for IPv4, the
/// `ipv6_prefix_length` prefix for IPv6 (a subscriber usually owns a whole /64).
IpAddress ClientIdentity(const IpAddress& ip, int ipv6_prefix_length) noexcept;

}  // namespace gw::edge
