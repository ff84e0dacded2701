#pragma once
/// @file
/// @brief The wall clock the domain and its repositories read, injectable so tests control time.

#include <cstdint>
#include <functional>

namespace gw::domain {

/// Milliseconds since the Unix epoch, UTC. Must be thread-safe: repositories call it from store threads.
using WallClock = std::function<std::int64_t()>;

/// The system clock (std::chrono::system_clock).
WallClock SystemWallClock();

}  // namespace gw::domain
