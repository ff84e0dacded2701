#include "edge/cidr.hpp"

#include <string>

namespace gw::edge {
namespace {

std::optional<int> ParsePrefixLength(std::string_view text) noexcept {
    if (text.empty() || text.size() > 3) {
        return std::nullopt;
    }
    int value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        value = value * 10 + (c - '0');
    }
    if (text.size() > 1 && text[0] == '0') {
        return std::nullopt;
    }
    return value;
}

constexpr int kV4MappedPrefixBits = 96;

}  // namespace

Result<Cidr> Cidr::Parse(std::string_view text) {
    const auto slash = text.find('/');
    const std::string_view addr_text = text.substr(0, slash);
    const auto addr = IpAddress::Parse(addr_text);
    if (!addr) {
        return MakeError(ErrorCode::kInvalidArgument, "invalid IP address '" + std::string(addr_text) + "'");
    }
    const bool written_as_v6 = addr_text.find(':') != std::string_view::npos;
    int prefix = written_as_v6 ? 128 : 32;
    if (slash != std::string_view::npos) {
        const auto parsed = ParsePrefixLength(text.substr(slash + 1));
        if (!parsed || *parsed > prefix) {
            return MakeError(
                ErrorCode::kInvalidArgument, "invalid prefix length in '" + std::string(text) + "'"
            );
        }
        prefix = *parsed;
    }
    if (written_as_v6 && addr->IsV4()) {  // IPv4-mapped IPv6 text, normalised to IPv4
        if (prefix < kV4MappedPrefixBits) {
            return MakeError(
                ErrorCode::kInvalidArgument,
                "IPv4-mapped block shorter than /96 in '" + std::string(text) + "' (write IPv4 CIDRs as IPv4)"
            );
        }
        prefix -= kV4MappedPrefixBits;
    }
    if (addr->Masked(prefix) != *addr) {
        return MakeError(ErrorCode::kInvalidArgument, "host bits set in '" + std::string(text) + "'");
    }
    return Cidr(*addr, prefix);
}

Cidr::Cidr(const IpAddress& address, int prefix_length) noexcept
    : network_(address.Masked(prefix_length)),
      prefix_length_(prefix_length < 0 ? 0 : std::min(prefix_length, address.BitLength())) {}

bool Cidr::Contains(const IpAddress& ip) const noexcept {
    return ip.family() == network_.family() && ip.Masked(prefix_length_) == network_;
}

std::string Cidr::ToString() const {
    return network_.ToString() + "/" + std::to_string(prefix_length_);
}

CidrSet::CidrSet(const std::vector<Cidr>& blocks) {
    using V4Table = internal::RangeTable<std::uint32_t, Member>;
    using V6Table = internal::RangeTable<internal::U128, Member>;
    std::vector<V4Table::Block> v4;
    std::vector<V6Table::Block> v6;
    for (const auto& b : blocks) {
        if (b.network().IsV4()) {
            const auto first = b.network().V4Value();
            v4.push_back({first, internal::LastV4(first, b.prefix_length()), Member{}});
        } else {
            const auto first = internal::V6Key(b.network());
            v6.push_back({first, internal::LastV6(first, b.prefix_length()), Member{}});
        }
    }
    auto keep = [](const Member& m, const Member&) { return m; };
    v4_ = V4Table::Build(std::move(v4), keep);
    v6_ = V6Table::Build(std::move(v6), keep);
}

Result<CidrSet> CidrSet::Parse(const std::vector<std::string>& texts) {
    std::vector<Cidr> blocks;
    blocks.reserve(texts.size());
    for (std::size_t i = 0; i < texts.size(); ++i) {
        auto cidr = Cidr::Parse(texts[i]);
        if (!cidr) {
            return MakeError(
                ErrorCode::kInvalidArgument, "entry " + std::to_string(i) + ": " + cidr.error().message
            );
        }
        blocks.push_back(*cidr);
    }
    return CidrSet(blocks);
}

bool CidrSet::Contains(const IpAddress& ip) const noexcept {
    if (ip.IsV4()) {
        return v4_.Find(ip.V4Value()) != nullptr;
    }
    return v6_.Find(internal::V6Key(ip)) != nullptr;
}

}  // namespace gw::edge
