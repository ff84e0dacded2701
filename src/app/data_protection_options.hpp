#pragma once
/// @file
/// @brief Maps the `store.encryption` config onto the store's DataProtectionOptions (classification
/// policy, rotation schedule, re-encryption throttle). Used by `serve` and the `keys` command.

#include "config/options.hpp"
#include "store/data_protection.hpp"

namespace gw::app {

/// The config was validated at load time (classification names), so this cannot fail.
store::DataProtectionOptions DataProtectionOptionsFrom(const config::EncryptionOptions& enc);

}  // namespace gw::app
