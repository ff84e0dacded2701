#pragma once
/// @file
/// @brief Paired devices of the OpenClaw WebSocket protocol (reference §2.2): a device is an Ed25519
/// identity (id = hex sha256 of the raw public key) approved for a role and a set of operator scopes;
/// pairing requests wait for an operator's approval; device tokens let a paired device reconnect
/// without the shared gateway token. Plain values; no I/O.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gw::domain {

/// A device approved for `role` with `scopes` (the union of everything ever approved for it).
struct PairedDevice {
    std::string tenant_id;
    std::string device_id;   ///< 64 lower-case hex characters
    std::string public_key;  ///< canonical base64url of the raw 32-byte key
    std::string role;        ///< "operator", "node" or "worker"
    std::vector<std::string> scopes;  ///< sorted, unique
    std::string client_id;   ///< client.id at approval time (e.g. "cli", "openclaw-control-ui")
    std::string client_mode;
    std::string platform;
    std::string device_family;
    std::string display_name;
    std::int64_t paired_at_ms = 0;
    std::int64_t last_seen_ms = 0;
    friend bool operator==(const PairedDevice&, const PairedDevice&) = default;
};

enum class PairingStatus { kPending, kApproved, kRejected };

/// "pending", "approved", "rejected".
std::string_view PairingStatusName(PairingStatus status) noexcept;

/// Why a pairing request was made (OpenClaw details.reason).
inline constexpr std::string_view kPairingReasonNotPaired = "not-paired";
inline constexpr std::string_view kPairingReasonRoleUpgrade = "role-upgrade";
inline constexpr std::string_view kPairingReasonScopeUpgrade = "scope-upgrade";

/// A device asking to be paired (or to get a wider role/scopes). One pending request per
/// (tenant, device): a repeated connect returns the pending one, updated with the new wishes.
struct PairingRequest {
    std::string request_id;  ///< UUID; what `devices approve <requestId>` takes
    std::string tenant_id;
    std::string device_id;
    std::string public_key;
    std::string role;
    std::vector<std::string> scopes;
    std::string client_id;
    std::string client_mode;
    std::string platform;
    std::string device_family;
    std::string display_name;
    std::string remote_ip;
    std::string reason;  ///< kPairingReason*
    PairingStatus status = PairingStatus::kPending;
    std::int64_t created_at_ms = 0;
    std::int64_t resolved_at_ms = 0;  ///< 0 while pending
    friend bool operator==(const PairingRequest&, const PairingRequest&) = default;
};

/// A per-device bearer token (issued in hello-ok `auth.deviceToken`). Only its SHA-256 is stored.
struct DeviceToken {
    std::string token_id;  ///< UUID
    std::string tenant_id;
    std::string device_id;
    std::string role;
    std::vector<std::string> scopes;
    std::string token_sha256;  ///< lower-case hex of sha256(token)
    std::int64_t issued_at_ms = 0;
    std::int64_t revoked_at_ms = 0;  ///< 0 = valid
    friend bool operator==(const DeviceToken&, const DeviceToken&) = default;
};

}  // namespace gw::domain
