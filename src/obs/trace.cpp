#include "obs/trace.hpp"

namespace gw::obs {
namespace {

bool IsLowerHex(std::string_view s) {
    for (char c : s) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
    }
    return true;
}

bool AllZero(std::string_view s) {
    return s.find_first_not_of('0') == std::string_view::npos;
}

}  // namespace

std::optional<TraceContext> ParseTraceparent(std::string_view h) {
    // 2 + 1 + 32 + 1 + 16 + 1 + 2 = 55 characters for version 00.
    constexpr std::size_t kLen = 55;
    if (h.size() < kLen || h[2] != '-' || h[35] != '-' || h[52] != '-') {
        return std::nullopt;
    }
    auto version = h.substr(0, 2);
    if (!IsLowerHex(version) || version == "ff") {
        return std::nullopt;
    }
    if (version == "00" && h.size() != kLen) {
        return std::nullopt;
    }
    if (h.size() > kLen && h[kLen] != '-') {
        return std::nullopt;
    }
    auto trace_id = h.substr(3, 32);
    auto parent_id = h.substr(36, 16);
    auto flags = h.substr(53, 2);
    if (!IsLowerHex(trace_id) || !IsLowerHex(parent_id) || !IsLowerHex(flags) || AllZero(trace_id) ||
        AllZero(parent_id)) {
        return std::nullopt;
    }
    TraceContext ctx;
    ctx.trace_id = std::string(trace_id);
    ctx.parent_id = std::string(parent_id);
    ctx.sampled = (std::stoi(std::string(flags), nullptr, 16) & 1) != 0;
    return ctx;
}

}  // namespace gw::obs
