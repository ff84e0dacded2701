#pragma once
/// @file
/// @brief DeviceRepository: the durable store of paired devices, pairing requests and device tokens
/// (embedded: SQLite; cluster mode: PostgreSQL). The pairing policy itself lives in api/ws
/// (DevicePairing); this port only stores.

#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "base/error.hpp"
#include "domain/device.hpp"

namespace gw::domain {

/// Thread-safe; awaitables resume on the awaiting coroutine's executor. Every call is scoped to a
/// tenant: another tenant's rows are invisible (kNotFound). Common errors: kUnavailable, kInternal.
class DeviceRepository {
public:
    virtual ~DeviceRepository() = default;

    virtual boost::asio::awaitable<Result<std::optional<PairedDevice>>> GetDevice(
        std::string tenant_id, std::string device_id
    ) = 0;

    /// Inserts or replaces the device (keyed by tenant + device_id).
    virtual boost::asio::awaitable<Result<PairedDevice>> PutDevice(PairedDevice device) = 0;

    /// Updates last_seen_ms only; kNotFound if not paired.
    virtual boost::asio::awaitable<Result<void>> TouchDevice(
        std::string tenant_id, std::string device_id, std::int64_t seen_at_ms
    ) = 0;

    /// Most recently paired first.
    virtual boost::asio::awaitable<Result<std::vector<PairedDevice>>> ListDevices(std::string tenant_id) = 0;

    /// Removes the device and revokes all its tokens (one transaction). kNotFound if not paired.
    virtual boost::asio::awaitable<Result<void>> RemoveDevice(std::string tenant_id, std::string device_id) = 0;

    /// Creates a pending request, or, when the device already has a pending one, updates that one's
    /// wishes (role, scopes, client fields, reason, remote_ip) and returns it with its original id.
    virtual boost::asio::awaitable<Result<PairingRequest>> UpsertPendingRequest(PairingRequest request) = 0;

    virtual boost::asio::awaitable<Result<PairingRequest>> GetRequest(
        std::string tenant_id, std::string request_id
    ) = 0;

    /// Pending only, or every request (newest first).
    virtual boost::asio::awaitable<Result<std::vector<PairingRequest>>> ListRequests(
        std::string tenant_id, bool pending_only
    ) = 0;

    /// Sets a pending request's status and resolved_at_ms. kNotFound unknown id; kConflict
    /// when it is no longer pending. When `status` is kApproved, `device` is stored in the same
    /// transaction (approve = request resolved + device paired atomically).
    virtual boost::asio::awaitable<Result<PairingRequest>> ResolveRequest(
        std::string tenant_id,
        std::string request_id,
        PairingStatus status,
        std::int64_t resolved_at_ms,
        std::optional<PairedDevice> device
    ) = 0;

    virtual boost::asio::awaitable<Result<DeviceToken>> PutToken(DeviceToken token) = 0;

    /// The valid (not revoked) token with this hash, if any.
    virtual boost::asio::awaitable<Result<std::optional<DeviceToken>>> FindTokenByHash(
        std::string tenant_id, std::string token_sha256
    ) = 0;

    /// Revokes every valid token of the device (optionally only for `role`); returns how many.
    virtual boost::asio::awaitable<Result<int>> RevokeTokens(
        std::string tenant_id,
        std::string device_id,
        std::optional<std::string> role,
        std::int64_t revoked_at_ms
    ) = 0;
};

}  // namespace gw::domain
