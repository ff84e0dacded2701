#pragma once
/// @file
/// @brief DeviceRepository over the embedded SQLite store (`paired_devices`, `device_pairing_requests`,
/// `device_tokens`; migration 0006).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "domain/clock.hpp"
#include "domain/device_repository.hpp"
#include "store/embedded_store.hpp"

namespace gw::store {

/// Every write is one group-commit write (one SAVEPOINT: all or nothing), every read one reader-pool
/// snapshot. Scopes are stored as a JSON array. The store must outlive the repository.
class SqliteDeviceRepository final : public domain::DeviceRepository {
public:
    /// `clock` stamps token revocations of RemoveDevice (called on the writer thread).
    SqliteDeviceRepository(EmbeddedStore& store, domain::WallClock clock);

    boost::asio::awaitable<Result<std::optional<domain::PairedDevice>>> GetDevice(
        std::string tenant_id, std::string device_id
    ) override;
    boost::asio::awaitable<Result<domain::PairedDevice>> PutDevice(domain::PairedDevice device) override;
    boost::asio::awaitable<Result<void>> TouchDevice(
        std::string tenant_id, std::string device_id, std::int64_t seen_at_ms
    ) override;
    boost::asio::awaitable<Result<std::vector<domain::PairedDevice>>> ListDevices(std::string tenant_id
    ) override;
    boost::asio::awaitable<Result<void>> RemoveDevice(std::string tenant_id, std::string device_id) override;
    boost::asio::awaitable<Result<domain::PairingRequest>> UpsertPendingRequest(domain::PairingRequest request
    ) override;
    boost::asio::awaitable<Result<domain::PairingRequest>> GetRequest(
        std::string tenant_id, std::string request_id
    ) override;
    boost::asio::awaitable<Result<std::vector<domain::PairingRequest>>> ListRequests(
        std::string tenant_id, bool pending_only
    ) override;
    boost::asio::awaitable<Result<domain::PairingRequest>> ResolveRequest(
        std::string tenant_id,
        std::string request_id,
        domain::PairingStatus status,
        std::int64_t resolved_at_ms,
        std::optional<domain::PairedDevice> device
    ) override;
    boost::asio::awaitable<Result<domain::DeviceToken>> PutToken(domain::DeviceToken token) override;
    boost::asio::awaitable<Result<std::optional<domain::DeviceToken>>> FindTokenByHash(
        std::string tenant_id, std::string token_sha256
    ) override;
    boost::asio::awaitable<Result<int>> RevokeTokens(
        std::string tenant_id,
        std::string device_id,
        std::optional<std::string> role,
        std::int64_t revoked_at_ms
    ) override;

private:
    EmbeddedStore& store_;
    domain::WallClock clock_;
};

}  // namespace gw::store
