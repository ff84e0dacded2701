#pragma once
/// @file
/// @brief Secret: a configured credential and where it came from.

#include <string>

namespace gw::config {

/// A secret value. It may come from the YAML literally, from `{env: NAME}` or `{file: PATH}`; `source`
/// records where (for redacted printing). Never log `value`.
struct Secret {
    std::string value;
    std::string source;  ///< "" (unset), "inline", "env:NAME", "file:PATH"

    bool IsSet() const noexcept { return !value.empty(); }
};

}  // namespace gw::config
