#pragma once
/// @file
/// @brief SHA-256 hex digests (OpenSSL EVP) for migration checksums.

#include <string>
#include <string_view>

#include "base/error.hpp"

namespace gw::store::internal {

/// Lower-case hex SHA-256 of `data` (64 characters). kInternal if OpenSSL fails (out of memory).
Result<std::string> Sha256Hex(std::string_view data);

}  // namespace gw::store::internal
