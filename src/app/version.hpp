#pragma once
/// @file
/// @brief Build version of the gateway.

#include <string_view>

namespace gw::app {

std::string_view Version() noexcept;

/// The OpenClaw gateway protocol version this build speaks.
inline constexpr int kProtocolVersion = 4;

}  // namespace gw::app
