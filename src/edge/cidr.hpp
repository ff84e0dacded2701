#pragma once
/// @file
/// @brief `Cidr` (one address block, parsed strictly) and `CidrSet` (an immutable union of blocks of
/// both families with O(log n) `Contains`).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "edge/internal/range_table.hpp"
#include "edge/ip_address.hpp"

namespace gw::edge {

class Cidr {
public:
    /// `addr/len` or a bare address (/32 or /128). Host bits after `len` must be zero ("10.0.0.1/8" is
    /// rejected). An IPv4-mapped IPv6 block with len ≥ 96 (`::ffff:10.0.0.0/104`) becomes IPv4
    /// (`10.0.0.0/8`); one shorter than /96 that overlaps the mapped range only matches IPv6 addresses.
    static Result<Cidr> Parse(std::string_view text);

    /// The block of `address` with its host bits cleared; `prefix_length` is clamped to the family.
    Cidr(const IpAddress& address, int prefix_length) noexcept;

    const IpAddress& network() const noexcept { return network_; }

    int prefix_length() const noexcept { return prefix_length_; }

    bool Contains(const IpAddress& ip) const noexcept;

    /// "10.0.0.0/8", "2001:db8::/32".
    std::string ToString() const;

    friend bool operator==(const Cidr&, const Cidr&) = default;

private:
    IpAddress network_;
    int prefix_length_ = 0;
};

/// An immutable set of blocks (IPv4 and IPv6). Build once, share freely (const methods are thread-safe).
class CidrSet {
public:
    CidrSet() = default;

    explicit CidrSet(const std::vector<Cidr>& blocks);

    /// Parses every entry with `Cidr::Parse`; the error names the first bad entry ("entry 2: ...").
    static Result<CidrSet> Parse(const std::vector<std::string>& texts);

    bool Contains(const IpAddress& ip) const noexcept;

    bool empty() const noexcept { return v4_.empty() && v6_.empty(); }

    /// Number of disjoint ranges after merging (for tests and diagnostics).
    std::size_t RangeCount() const noexcept { return v4_.size() + v6_.size(); }

private:
    struct Member {
        friend bool operator==(const Member&, const Member&) = default;
    };

    internal::RangeTable<std::uint32_t, Member> v4_;
    internal::RangeTable<internal::U128, Member> v6_;
};

}  // namespace gw::edge
