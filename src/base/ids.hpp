#pragma once
/// @file
/// @brief Identifier helpers: random UUIDv4 and time-ordered UUIDv7 strings, short request ids. Thread-safe.

#include <string>

namespace gw {

/// A random RFC 4122 version-4 UUID, lower-case hex with dashes.
std::string NewUuid();

/// A time-ordered RFC 9562 version-7 UUID (`tttttttt-tttt-7rrr-vrrr-rrrrrrrrrrrr`: 48-bit Unix
/// milliseconds, then 74 random bits) for primary keys and other indexed ids. A random v4 key lands on
/// a random leaf page of every B-tree index it is in (one dirty page per index per row, and a cache
/// that must hold whole indexes); ids created later sort after earlier ones, so inserts append to the
/// rightmost pages. Still unguessable; they reveal their creation millisecond, as row timestamps do.
std::string NewTimeOrderedUuid();

/// A 16-hex-digit random id for requests and log correlation.
std::string NewRequestId();

}  // namespace gw
