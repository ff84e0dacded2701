#pragma once
/// @file
/// @brief ASCII text helpers for the session-key grammar (private to domain).

#include <string>
#include <string_view>
#include <vector>

namespace gw::domain::internal {

inline char AsciiLower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

inline bool IsAsciiSpace(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

inline std::string_view Trim(std::string_view s) noexcept {
    while (!s.empty() && IsAsciiSpace(s.front())) {
        s.remove_prefix(1);
    }
    while (!s.empty() && IsAsciiSpace(s.back())) {
        s.remove_suffix(1);
    }
    return s;
}

inline std::string LowerAscii(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        c = AsciiLower(c);
    }
    return out;
}

/// Splits on ':' and drops empty segments (OpenClaw `split(":").filter(Boolean)`). The views point into `s`.
inline std::vector<std::string_view> SplitSegments(std::string_view s) {
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (start <= s.size()) {
        std::size_t end = s.find(':', start);
        if (end == std::string_view::npos) {
            end = s.size();
        }
        if (end > start) {
            parts.push_back(s.substr(start, end - start));
        }
        start = end + 1;
    }
    return parts;
}

}  // namespace gw::domain::internal
