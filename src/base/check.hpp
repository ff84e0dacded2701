#pragma once

/// @file
/// @brief Invariant checks. GW_CHECK is always on (logs to stderr and aborts); GW_ASSERT is debug only.
/// Never use either on external input.

namespace gw::detail {
[[noreturn]] void CheckFailed(const char* expr, const char* file, int line, const char* msg) noexcept;
}  // namespace gw::detail

#define GW_CHECK(cond, msg)                                              \
    do {                                                                 \
        if (!(cond)) [[unlikely]] {                                      \
            ::gw::detail::CheckFailed(#cond, __FILE__, __LINE__, (msg)); \
        }                                                                \
    } while (false)

#ifdef NDEBUG
#define GW_ASSERT(cond, msg) \
    do {                     \
    } while (false)
#else
#define GW_ASSERT(cond, msg) GW_CHECK(cond, msg)
#endif
