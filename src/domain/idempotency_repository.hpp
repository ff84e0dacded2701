#pragma once
/// @file
/// @brief IdempotencyRepository: durable dedupe of client idempotency keys with a TTL.

#include <chrono>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "base/error.hpp"
#include "domain/idempotency.hpp"

namespace gw::domain {

/// First-writer-wins records keyed by (tenant, key). Expiry uses the repository's clock; an expired record
/// behaves as absent. Thread-safe; awaitables resume on the awaiting coroutine's executor.
/// Common errors: kUnavailable, kInternal.
class IdempotencyRepository {
public:
    virtual ~IdempotencyRepository() = default;

    /// Claims `key` with the ack the caller will send. If a live record exists, nothing changes and it is
    /// returned (`claimed = false`): answer with its result, or its ack while it is still pending (OpenClaw
    /// `in_flight`). kInvalidArgument: empty key, or `ttl` below kMinIdempotencyTtl.
    virtual boost::asio::awaitable<Result<ClaimResult>> Claim(
        std::string tenant_id, std::string key, std::string ack, std::chrono::milliseconds ttl
    ) = 0;

    /// Stores the terminal result of a claimed key (first result wins) and restarts its TTL from now.
    /// Returns the record. kNotFound: no live record.
    virtual boost::asio::awaitable<Result<IdempotencyRecord>> Complete(
        std::string tenant_id, std::string key, std::string result
    ) = 0;

    /// Drops a pending claim whose request failed before it was acknowledged, so a retry can run. A missing
    /// record is fine; kConflict for a completed one (its result stays authoritative).
    virtual boost::asio::awaitable<Result<void>> Release(std::string tenant_id, std::string key) = 0;

    /// Deletes expired records; returns how many.
    virtual boost::asio::awaitable<Result<int>> PurgeExpired() = 0;

    /// Startup recovery, before serving: drops every pending claim (their requests died with the process;
    /// a retry then reaches StartRun, which returns the recovered run). Returns how many.
    virtual boost::asio::awaitable<Result<int>> DropPendingClaims() = 0;
};

}  // namespace gw::domain
