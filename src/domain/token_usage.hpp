#pragma once
/// @file
/// @brief Token counts of one model call (OpenClaw `usage{input, output, cacheRead, cacheWrite, total}`).

#include <cstdint>

namespace gw::domain {

struct TokenUsage {
    std::int64_t input = 0;
    std::int64_t output = 0;
    std::int64_t cache_read = 0;
    std::int64_t cache_write = 0;
    std::int64_t total = 0;

    TokenUsage& operator+=(const TokenUsage& other) noexcept {
        input += other.input;
        output += other.output;
        cache_read += other.cache_read;
        cache_write += other.cache_write;
        total += other.total;
        return *this;
    }

    friend bool operator==(const TokenUsage&, const TokenUsage&) = default;
};

}  // namespace gw::domain
