#pragma once
/// @file
/// @brief Identifier helpers: random UUIDv4 strings and short request ids. Thread-safe.

#include <string>

namespace gw {

/// A random RFC 4122 version-4 UUID, lower-case hex with dashes.
std::string NewUuid();

/// A 16-hex-digit random id for requests and log correlation.
std::string NewRequestId();

}  // namespace gw
