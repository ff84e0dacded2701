#pragma once
/// @file
/// @brief W3C Trace Context (`traceparent`) parsing for log correlation.

#include <optional>
#include <string>
#include <string_view>

namespace gw::obs {

struct TraceContext {
    std::string trace_id;   ///< 32 lower-case hex digits, not all zero
    std::string parent_id;  ///< 16 lower-case hex digits, not all zero
    bool sampled = false;
};

/// Parses `version-traceid-parentid-flags` (version 00, or a higher version with the same prefix).
/// Returns nullopt for anything malformed, as the W3C spec says to ignore such headers.
std::optional<TraceContext> ParseTraceparent(std::string_view header);

}  // namespace gw::obs
