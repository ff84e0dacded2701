#include "base/check.hpp"

#include <cstdio>
#include <cstdlib>

namespace gw::detail {

void CheckFailed(const char* expr, const char* file, int line, const char* msg) noexcept {
    std::fprintf(stderr, "GW_CHECK failed: %s at %s:%d: %s\n", expr, file, line, msg);
    std::fflush(stderr);
    std::abort();
}

}  // namespace gw::detail
