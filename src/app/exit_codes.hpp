#pragma once

/// @file
/// @brief Process exit codes (sysexits.h values where one fits). Invalid configuration exits with
/// config::kExitConfigError (78, EX_CONFIG).

namespace gw::app {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  ///< runtime failure (store, bind, ...)
inline constexpr int kExitUsage = 64;   ///< EX_USAGE: bad command line

}  // namespace gw::app
