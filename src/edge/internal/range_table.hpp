#pragma once
/// @file
/// @brief Internal: flat, sorted, disjoint address ranges with a value each, built from CIDR blocks
/// (which are always nested or disjoint); lookup is one binary search. The innermost (most specific)
/// block wins; identical blocks combine with a caller-given function.

#include <algorithm>
#include <compare>
#include <cstdint>
#include <functional>
#include <limits>
#include <type_traits>
#include <vector>

#include "edge/ip_address.hpp"

namespace gw::edge::internal {

/// Unsigned 128-bit key (no __int128: -Wpedantic).
struct U128 {
    std::uint64_t hi = 0;
    std::uint64_t lo = 0;

    friend bool operator==(const U128&, const U128&) = default;
    friend auto operator<=>(const U128&, const U128&) = default;
};

inline U128 Next(U128 v) noexcept {
    return v.lo == std::numeric_limits<std::uint64_t>::max() ? U128{v.hi + 1, 0} : U128{v.hi, v.lo + 1};
}

inline U128 Prev(U128 v) noexcept {
    return v.lo == 0 ? U128{v.hi - 1, std::numeric_limits<std::uint64_t>::max()} : U128{v.hi, v.lo - 1};
}

inline std::uint32_t Next(std::uint32_t v) noexcept {
    return v + 1;
}

inline std::uint32_t Prev(std::uint32_t v) noexcept {
    return v - 1;
}

inline U128 V6Key(const IpAddress& ip) noexcept {
    U128 k;
    const auto& b = ip.bytes();
    for (std::size_t i = 0; i < 8; ++i) {
        k.hi = (k.hi << 8) | b[i];
        k.lo = (k.lo << 8) | b[i + 8];
    }
    return k;
}

/// Last address of the block `network/prefix` (network has its host bits clear).
inline std::uint32_t LastV4(std::uint32_t network, int prefix) noexcept {
    return prefix == 0
               ? std::numeric_limits<std::uint32_t>::max()
               : network | (prefix >= 32 ? 0U : (std::numeric_limits<std::uint32_t>::max() >> prefix));
}

inline U128 LastV6(U128 network, int prefix) noexcept {
    constexpr auto kAll = std::numeric_limits<std::uint64_t>::max();
    if (prefix <= 0) {
        return {kAll, kAll};
    }
    if (prefix < 64) {
        return {network.hi | (kAll >> prefix), kAll};
    }
    if (prefix == 64) {
        return {network.hi, kAll};
    }
    if (prefix < 128) {
        return {network.hi, network.lo | (kAll >> (prefix - 64))};
    }
    return network;
}

template <class K, class V>
class RangeTable {
public:
    struct Block {
        K first;
        K last;
        V value;
    };

    /// Builds from CIDR blocks in any order. `combine(old, new)` resolves identical blocks.
    template <class Combine>
    static RangeTable Build(std::vector<Block> blocks, Combine combine) {
        // Outer blocks first (same start: the larger end first); stable keeps file order for equals.
        std::stable_sort(blocks.begin(), blocks.end(), [](const Block& a, const Block& b) {
            return a.first != b.first ? a.first < b.first : a.last > b.last;
        });
        std::vector<Block> merged;  // identical blocks combined
        for (auto& b : blocks) {
            if (!merged.empty() && merged.back().first == b.first && merged.back().last == b.last) {
                merged.back().value = combine(merged.back().value, b.value);
            } else {
                merged.push_back(std::move(b));
            }
        }
        RangeTable table;
        std::vector<const Block*> open;  // stack of enclosing blocks, innermost on top
        K cursor{};
        bool exhausted = false;  // cursor ran past the maximum key
        auto close_top = [&] {
            const Block& top = *open.back();
            if (!exhausted && !(top.last < cursor)) {
                table.Emit(cursor, top.last, top.value);
                exhausted = top.last == MaxKey();
                cursor = Next(top.last);
            }
            open.pop_back();
        };
        for (const auto& b : merged) {
            while (!open.empty() && open.back()->last < b.first) {
                close_top();
            }
            if (!open.empty() && cursor < b.first) {
                table.Emit(cursor, Prev(b.first), open.back()->value);
            }
            cursor = b.first;
            exhausted = false;
            open.push_back(&b);
        }
        while (!open.empty()) {
            close_top();
        }
        return table;
    }

    /// The value of the innermost block containing `key`, or nullptr.
    const V* Find(const K& key) const noexcept {
        auto it = std::upper_bound(ranges_.begin(), ranges_.end(), key, [](const K& k, const Block& r) {
            return k < r.first;
        });
        if (it == ranges_.begin()) {
            return nullptr;
        }
        --it;
        return key <= it->last ? &it->value : nullptr;
    }

    std::size_t size() const noexcept { return ranges_.size(); }

    bool empty() const noexcept { return ranges_.empty(); }

private:
    static K MaxKey() noexcept {
        if constexpr (std::is_same_v<K, U128>) {
            return U128{std::numeric_limits<std::uint64_t>::max(), std::numeric_limits<std::uint64_t>::max()};
        } else {
            return std::numeric_limits<K>::max();
        }
    }

    void Emit(const K& first, const K& last, const V& value) {
        if (!ranges_.empty() && ranges_.back().value == value && Next(ranges_.back().last) == first &&
            ranges_.back().last != MaxKey()) {
            ranges_.back().last = last;  // coalesce adjacent equal ranges
            return;
        }
        ranges_.push_back(Block{first, last, value});
    }

    std::vector<Block> ranges_;
};

}  // namespace gw::edge::internal
