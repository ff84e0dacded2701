#pragma once
/// @file
/// @brief Argon2id password hashing in PHC string format (libargon2), constant-time verification and
/// rehash detection.
///
/// Hashing costs tens of milliseconds and MiB of memory by design: call these on the blocking pool,
/// never on an io thread. All functions are thread-safe.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"

namespace gw::crypto {

/// Argon2id cost parameters. Defaults are OWASP's (2023) minimum: m=19456 KiB (19 MiB), t=2, p=1.
struct Argon2Params {
    std::uint32_t memory_kib = 19456;  ///< m, KiB
    std::uint32_t iterations = 2;      ///< t
    std::uint32_t parallelism = 1;     ///< p (lanes and threads)
    std::uint32_t salt_bytes = 16;
    std::uint32_t hash_bytes = 32;
};

/// Bounds accepted for hashing and in parsed PHC strings (guards against resource exhaustion from a
/// tampered hash): 8 <= m <= 1 GiB (1048576 KiB) and m >= 8*p; 1 <= t <= 64; 1 <= p <= 64;
/// salt 8..64 bytes; hash 16..64 bytes; passwords at most kMaxPasswordBytes.
inline constexpr std::uint32_t kArgon2MaxMemoryKib = 1024U * 1024U;
inline constexpr std::uint32_t kArgon2MaxIterations = 64;
inline constexpr std::uint32_t kArgon2MaxParallelism = 64;
inline constexpr std::size_t kMaxPasswordBytes = 4096;

/// A parsed "$argon2id$v=19$m=..,t=..,p=..$<salt>$<hash>" string (salt/hash: unpadded standard base64).
struct Argon2Phc {
    Argon2Params params;  ///< salt_bytes/hash_bytes reflect the decoded lengths
    std::vector<std::uint8_t> salt;
    std::vector<std::uint8_t> hash;
};

/// Parses and bounds-checks a PHC string. Only argon2id version 19 is accepted; parameters must appear
/// in the order m, t, p, with canonical decimal numbers; an optional keyid/data segment is refused.
/// kInvalidArgument on anything else.
Result<Argon2Phc> ParseArgon2Phc(std::string_view phc);

/// Hashes `password` with a fresh random salt. kInvalidArgument on out-of-bounds parameters or an
/// over-long password; kInternal if libargon2 fails (e.g. out of memory).
Result<std::string> HashPassword(std::string_view password, const Argon2Params& params = {});

/// Recomputes the hash with the PHC string's own parameters and compares in constant time.
/// Returns false on a wrong password; kInvalidArgument for a malformed PHC string or over-long
/// password (never crashes on input).
Result<bool> VerifyPassword(std::string_view password, std::string_view phc);

/// True when `phc` was made with parameters other than `params` (m, t, p, salt or hash length), so the
/// caller should re-hash after a successful VerifyPassword. kInvalidArgument for a malformed string.
Result<bool> NeedsRehash(std::string_view phc, const Argon2Params& params = {});

}  // namespace gw::crypto
