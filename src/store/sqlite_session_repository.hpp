#pragma once
/// @file
/// @brief SessionRepository over the embedded SQLite store.

#include <string>

#include <boost/asio/awaitable.hpp>

#include "domain/clock.hpp"
#include "domain/session_repository.hpp"
#include "store/embedded_store.hpp"

namespace gw::store {

/// Sessions in the `sessions` and `transcripts` tables. Reads go through the store's reader pool, writes
/// through its group-commit writer; awaitables resume on the caller's executor. The store must outlive
/// the repository; `clock` is called on store threads (see domain::WallClock).
class SqliteSessionRepository final : public domain::SessionRepository {
public:
    SqliteSessionRepository(EmbeddedStore& store, domain::WallClock clock);

    boost::asio::awaitable<Result<domain::Session>> GetOrCreate(
        std::string tenant_id, domain::SessionKey key, std::string user_id
    ) override;
    boost::asio::awaitable<Result<domain::Session>> Get(std::string tenant_id, domain::SessionKey key)
        override;
    boost::asio::awaitable<Result<domain::SessionPage>> List(
        std::string tenant_id, domain::SessionFilter filter
    ) override;
    boost::asio::awaitable<Result<domain::Session>> Patch(
        std::string tenant_id, domain::SessionKey key, domain::SessionPatch patch
    ) override;
    boost::asio::awaitable<Result<domain::Session>> Reset(std::string tenant_id, domain::SessionKey key)
        override;
    boost::asio::awaitable<Result<void>> Delete(std::string tenant_id, domain::SessionKey key) override;
    boost::asio::awaitable<Result<void>> Touch(std::string tenant_id, domain::SessionKey key) override;

private:
    EmbeddedStore& store_;
    domain::WallClock clock_;
};

}  // namespace gw::store
