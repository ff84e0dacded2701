#include "base/ids.hpp"

#include <array>
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

std::string NewRequestId() {
    std::string s;
    s.reserve(16);
    AppendHex(s, NextRandom(), 16);
    return s;
}

}  // namespace gw
