#pragma once
/// @file
/// @brief Data directory preparation: created owner-only (0700) when missing.

#include <string>

#include "base/error.hpp"

namespace gw::store::internal {

/// Creates `dir` and any missing parents with mode 0700 (umask notwithstanding). An existing directory
/// keeps its mode; a warning is logged if group or others can access it. kInvalidArgument for an empty
/// path; kInternal if a component is not a directory or cannot be created.
Result<void> EnsurePrivateDir(const std::string& dir);

}  // namespace gw::store::internal
