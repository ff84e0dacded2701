#pragma once
/// @file
/// @brief Resolving the real client address behind trusted reverse proxies (X-Forwarded-For or RFC
/// 7239 Forwarded). Headers from a peer that is not a trusted proxy are ignored entirely.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "edge/cidr.hpp"
#include "edge/ip_address.hpp"
#include "edge/options.hpp"

namespace gw::edge {

/// Hard cap on entries examined, whatever `max_hops` says (bounded stack buffer).
inline constexpr std::size_t kMaxForwardedHops = 64;

using HeaderList = std::span<const std::pair<std::string, std::string>>;

/// The client address for a request that arrived from `peer`.
///
/// If `peer` is not in `trusted_proxies` (or `header` is kNone) the result is `peer`. Otherwise the
/// chosen header's entries (all header lines, in order, as one list) are walked right to left: each
/// entry is the address the hop to its right saw; the walk stops at the first address that is not
/// a trusted proxy and returns it. It also stops, returning the last trusted hop, at an entry that
/// is not a valid address (`unknown`, an obfuscated `_name`, garbage), at the start of the list,
/// or after `max_hops` entries (≤ kMaxForwardedHops). Only the chosen header is read, so a client
/// cannot inject the other one through a proxy that does not rewrite it.
///
/// X-Forwarded-For entries may be `1.2.3.4`, `1.2.3.4:port`, `2001:db8::1`, `[2001:db8::1]` or
/// `[2001:db8::1]:port`. Forwarded uses `for=` (case-insensitive, token or quoted-string; IPv6 must be
/// bracketed; a port is allowed); an element without exactly one `for` stops the walk.
///
/// Never throws and does not allocate; work is linear in the header bytes.
IpAddress ResolveClientAddress(
    const IpAddress& peer,
    HeaderList headers,
    const CidrSet& trusted_proxies,
    ForwardedHeader header = ForwardedHeader::kXForwardedFor,
    std::size_t max_hops = 16
) noexcept;

/// Parses one X-Forwarded-For entry (trimmed; forms listed above). Exposed for tests.
std::optional<IpAddress> ParseXffEntry(std::string_view entry) noexcept;

/// Parses the `for=` node of one Forwarded element. Exposed for tests.
std::optional<IpAddress> ParseForwardedFor(std::string_view element) noexcept;

}  // namespace gw::edge
