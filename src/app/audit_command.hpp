#pragma once
/// @file
/// @brief `openclaw-gateway audit verify`: checks the hash chain of the audit log.

#include <optional>
#include <string>

#include "config/options.hpp"

namespace gw::app {

struct AuditVerifyArgs {
    std::optional<std::string> hmac_key_file;  ///< the chain's HMAC key, if one is used
    std::int64_t mac_from_seq = 1;
    bool json = false;
};

/// Prints the verdict and returns the exit code: 0 intact, 1 broken or unreadable.
int RunAuditVerify(const config::GatewayConfig& cfg, const AuditVerifyArgs& args);

}  // namespace gw::app
