#pragma once
/// @file
/// @brief `CheckJsonLimits`: a cheap pre-parse check of an untrusted JSON body's size and nesting
/// depth, so a parser (Boost.JSON in the api layer) never sees a pathological document.

#include <cstddef>
#include <string_view>

#include "base/error.hpp"

namespace gw::edge {

struct JsonLimits {
    /// 0 = no size limit (the server's body limits still apply).
    std::size_t max_bytes = std::size_t{1024} * 1024;
    /// Arrays + objects open at once; 0 = scalars only.
    std::size_t max_depth = 32;
};

/// One linear scan, no allocation. Counts `[`/`{` nesting outside strings (escapes honoured); it does
/// not validate the JSON otherwise, so parse the body afterwards. Errors (kInvalidArgument, messages
/// safe to show to the client): "JSON body is larger than N bytes", "JSON nesting is deeper than N".
Result<void> CheckJsonLimits(std::string_view body, const JsonLimits& limits = {});

}  // namespace gw::edge
