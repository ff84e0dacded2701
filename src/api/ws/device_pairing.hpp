#pragma once
/// @file
/// @brief DevicePairing: the device policy of the OpenClaw protocol on top of domain::DeviceRepository,
/// shared by the `connect` handshake, the `device.pair.*` / `device.token.*` methods and the
/// `openclaw-gateway devices ...` CLI.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "base/error.hpp"
#include "domain/clock.hpp"
#include "domain/device.hpp"

namespace gw::domain {
class DeviceRepository;
}

namespace gw::api::ws {

/// What a verified device asks for on connect (the proof was already checked).
struct DeviceAccessRequest {
    std::string tenant_id;
    std::string device_id;
    std::string public_key;  ///< canonical base64url raw key
    std::string role;
    std::vector<std::string> scopes;
    std::string client_id;
    std::string client_mode;
    std::string platform;
    std::string device_family;
    std::string display_name;
    std::string remote_ip;
    bool local = false;  ///< direct loopback peer without forwarding headers
    /// The connection authenticated with a valid device token of this device and role: a granted
    /// decision then issues no new token (the client keeps the one it has).
    bool presented_valid_token = false;
};

/// The decision for a connecting device.
struct DeviceAccessDecision {
    bool granted = false;
    /// Granted: the device's record (auto-approved just now when `auto_approved`).
    std::optional<domain::PairedDevice> device;
    bool auto_approved = false;
    /// Granted: a fresh device token for hello-ok `auth.deviceToken` (plaintext, shown once) and its
    /// issue time. Issued unless the connection presented this device's valid token (tokens are stored
    /// hashed, so an existing one cannot be shown again; a new one replaces it).
    std::optional<std::string> device_token;
    std::int64_t device_token_issued_at_ms = 0;
    /// Not granted: the pending request (PAIRING_REQUIRED details: requestId, reason).
    std::optional<domain::PairingRequest> request;
};

/// A device token presented in `connect.auth.deviceToken`, resolved.
struct DeviceTokenGrant {
    domain::DeviceToken token;
    domain::PairedDevice device;
};

/// Thread-safe (stateless over the repository).
class DevicePairing {
public:
    DevicePairing(domain::DeviceRepository& repo, bool auto_approve_local, domain::WallClock clock);

    /// Known device whose approved role matches and scopes cover the wish: granted (last_seen updated).
    /// Unknown device, or a wider role/scopes: auto-approved when `local` and auto_approve_local, else a
    /// pending request (reason not-paired / role-upgrade / scope-upgrade) and not granted.
    boost::asio::awaitable<Result<DeviceAccessDecision>> Decide(DeviceAccessRequest request);

    /// Resolves a token from `connect.auth.deviceToken`: nullopt when unknown or revoked. When
    /// `device_id` is given (a device proof came along) the token must belong to that device.
    boost::asio::awaitable<Result<std::optional<DeviceTokenGrant>>> ResolveToken(
        std::string tenant_id, std::string token, std::optional<std::string> device_id
    );

    /// Operator actions (CLI and RPC). Approve pairs the device with the request's role and scopes
    /// (merged with what it had) and returns the device; kNotFound / kConflict (not pending).
    boost::asio::awaitable<Result<domain::PairedDevice>> Approve(std::string tenant_id, std::string request_id);
    boost::asio::awaitable<Result<domain::PairingRequest>> Reject(std::string tenant_id, std::string request_id);
    boost::asio::awaitable<Result<std::vector<domain::PairingRequest>>> ListRequests(
        std::string tenant_id, bool pending_only
    );
    boost::asio::awaitable<Result<std::vector<domain::PairedDevice>>> ListDevices(std::string tenant_id);
    /// Unpairs the device and revokes its tokens.
    boost::asio::awaitable<Result<void>> Remove(std::string tenant_id, std::string device_id);

    /// Revokes the device's tokens for `role` and issues a new one (device.token.rotate).
    /// kNotFound when the device is not paired for that role.
    boost::asio::awaitable<Result<std::string>> RotateToken(
        std::string tenant_id, std::string device_id, std::string role
    );
    /// device.token.revoke: returns how many tokens were revoked.
    boost::asio::awaitable<Result<int>> RevokeTokens(
        std::string tenant_id, std::string device_id, std::optional<std::string> role
    );

private:
    domain::DeviceRepository& repo_;
    bool auto_approve_local_;
    domain::WallClock clock_;
};

}  // namespace gw::api::ws
