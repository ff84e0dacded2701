#pragma once
/// @file
/// @brief IdempotencyRepository over the embedded SQLite store (`idempotency_keys`).

#include <chrono>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "domain/clock.hpp"
#include "domain/idempotency_repository.hpp"
#include "store/embedded_store.hpp"

namespace gw::store {

/// Dedupe records with expiry on the injected clock. Claim, Complete and Release are single writes on the
/// group-commit writer, so a key is claimed by exactly one caller. The store must outlive the repository.
class SqliteIdempotencyRepository final : public domain::IdempotencyRepository {
public:
    SqliteIdempotencyRepository(EmbeddedStore& store, domain::WallClock clock);

    boost::asio::awaitable<Result<domain::ClaimResult>> Claim(
        std::string tenant_id, std::string key, std::string ack, std::chrono::milliseconds ttl
    ) override;
    boost::asio::awaitable<Result<domain::IdempotencyRecord>> Complete(
        std::string tenant_id, std::string key, std::string result
    ) override;
    boost::asio::awaitable<Result<void>> Release(std::string tenant_id, std::string key) override;
    boost::asio::awaitable<Result<int>> PurgeExpired() override;
    boost::asio::awaitable<Result<int>> DropPendingClaims() override;

    /// DropPendingClaims for startup, before serving; blocks until committed. Not on an io thread.
    Result<int> DropPendingClaimsBlocking();

private:
    EmbeddedStore& store_;
    domain::WallClock clock_;
};

}  // namespace gw::store
