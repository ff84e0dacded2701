#include "domain/clock.hpp"

#include <chrono>

namespace gw::domain {

WallClock SystemWallClock() {
    return [] {
        const auto now = std::chrono::system_clock::now().time_since_epoch();
        return static_cast<std::int64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(now).count());
    };
}

}  // namespace gw::domain
