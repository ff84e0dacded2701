#pragma once
/// @file
/// @brief Idempotency records: the first ack and result for a client's idempotency key (OpenClaw's
/// `agent:<IK>` dedupe map, made durable).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace gw::domain {

/// The shortest TTL the repositories accept (OpenClaw keeps dedupe entries 5 minutes).
inline constexpr std::chrono::milliseconds kMinIdempotencyTtl = std::chrono::minutes(5);
inline constexpr std::chrono::milliseconds kDefaultIdempotencyTtl = std::chrono::minutes(10);

struct IdempotencyRecord {
    std::string tenant_id;
    std::string key;
    std::string ack;                    ///< the payload acknowledged first (opaque to the store)
    std::optional<std::string> result;  ///< the terminal payload once Complete ran
    std::int64_t created_at_ms = 0;
    std::int64_t expires_at_ms = 0;

    bool Completed() const noexcept { return result.has_value(); }

    friend bool operator==(const IdempotencyRecord&, const IdempotencyRecord&) = default;
};

struct ClaimResult {
    bool claimed = false;      ///< true: the key was new (or expired) and is now ours; false: a duplicate
    IdempotencyRecord record;  ///< ours when claimed, else the first request's (ack, maybe result)
};

}  // namespace gw::domain
