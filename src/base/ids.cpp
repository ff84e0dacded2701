#include "base/ids.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <random>

namespace gw {
namespace {

std::uint64_t NextRandom() {
    // One generator per thread, seeded from the OS; ids are for correlation, not secrets.
    thread_local std::mt19937_64 gen{std::random_device{}()};
    return gen();
}

void AppendHex(std::string& out, std::uint64_t v, int digits) {
    static constexpr char kHex[] = "0123456789abcdef";
    for (int i = digits - 1; i >= 0; --i) {
        out.push_back(kHex[(v >> (i * 4)) & 0xF]);
    }
}

}  // namespace

std::string NewUuid() {
    std::uint64_t hi = NextRandom();
    std::uint64_t lo = NextRandom();
    hi = (hi & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;  // version 4
    lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // variant 10
    std::string s;
    s.reserve(36);
    AppendHex(s, hi >> 32, 8);
    s.push_back('-');
    AppendHex(s, (hi >> 16) & 0xFFFF, 4);
    s.push_back('-');
    AppendHex(s, hi & 0xFFFF, 4);
    s.push_back('-');
    AppendHex(s, lo >> 48, 4);
    s.push_back('-');
    AppendHex(s, lo & 0xFFFFFFFFFFFFULL, 12);
    return s;
}

std::string NewTimeOrderedUuid() {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string id = NewUuid();  // version 4: random everywhere but the version and variant
    const auto ms = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                   std::chrono::system_clock::now().time_since_epoch()
    )
                                                   .count());
    // Hex digits 0-7 and 9-12 (after the first dash) carry the timestamp, most significant first.
    static constexpr int kPositions[12] = {0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12};
    for (int i = 0; i < 12; ++i) {
        id[static_cast<std::size_t>(kPositions[i])] = kHex[(ms >> (44 - 4 * i)) & 0xF];
    }
    id[14] = '7';
    return id;
}

std::string NewRequestId() {
    std::string s;
    s.reserve(16);
    AppendHex(s, NextRandom(), 16);
    return s;
}

}  // namespace gw
