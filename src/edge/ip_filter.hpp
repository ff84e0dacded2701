#pragma once
/// @file
/// @brief `IpFilter`: CIDR allow and deny lists (IPv4 and IPv6).

#include <string_view>
#include <utility>

#include "base/error.hpp"
#include "edge/cidr.hpp"
#include "edge/ip_address.hpp"
#include "edge/options.hpp"

namespace gw::edge {

struct IpFilterDecision {
    bool allowed = true;
    std::string_view detail;  ///< "" | "deny_list" | "not_in_allow_list" (static strings)
};

/// Deny wins: an address in `deny` is refused even if `allow` lists it. A non-empty `allow` list
/// admits only its members; an empty one admits everything not denied. Immutable, thread-safe.
class IpFilter {
public:
    IpFilter() = default;

    IpFilter(CidrSet allow, CidrSet deny) : allow_(std::move(allow)), deny_(std::move(deny)) {}

    /// Parses the option lists; errors name the list and entry ("deny: entry 1: ...").
    static Result<IpFilter> Create(const IpFilterOptions& options);

    IpFilterDecision Check(const IpAddress& ip) const noexcept;

    bool active() const noexcept { return !allow_.empty() || !deny_.empty(); }

private:
    CidrSet allow_;
    CidrSet deny_;
};

}  // namespace gw::edge
