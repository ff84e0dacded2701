#include "api/ws/device_pairing.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <utility>

#include "base/ids.hpp"
#include "crypto/encoding.hpp"
#include "crypto/random.hpp"
#include "crypto/sha256.hpp"
#include "domain/device_repository.hpp"

namespace gw::api::ws {

namespace asio = boost::asio;
using domain::DeviceToken;
using domain::PairedDevice;
using domain::PairingRequest;
using domain::PairingStatus;

namespace {

constexpr std::string_view kTokenPrefix = "ocdt_";

std::vector<std::string> SortedUnique(std::vector<std::string> scopes) {
    std::sort(scopes.begin(), scopes.end());
    scopes.erase(std::unique(scopes.begin(), scopes.end()), scopes.end());
    return scopes;
}

std::vector<std::string> Union(const std::vector<std::string>& a, const std::vector<std::string>& b) {
    std::vector<std::string> all = a;
    all.insert(all.end(), b.begin(), b.end());
    return SortedUnique(std::move(all));
}

/// Every requested scope is in the approved set.
bool Covers(const std::vector<std::string>& approved, const std::vector<std::string>& requested) {
    return std::all_of(requested.begin(), requested.end(), [&](const std::string& scope) {
        return std::find(approved.begin(), approved.end(), scope) != approved.end();
    });
}

std::string NewDeviceToken() {
    std::array<std::uint8_t, 32> bytes{};
    crypto::SecureRandom(bytes);
    return std::string(kTokenPrefix) + crypto::Base64UrlEncode(std::span<const std::uint8_t>(bytes));
}

/// The record a device gets when `wish` is approved on top of `existing` (if it was paired).
PairedDevice Paired(
    const std::optional<PairedDevice>& existing,
    std::string tenant_id,
    std::string device_id,
    std::string public_key,
    std::string role,
    const std::vector<std::string>& scopes,
    std::string client_id,
    std::string client_mode,
    std::string platform,
    std::string device_family,
    std::string display_name,
    std::int64_t now
) {
    PairedDevice device;
    device.tenant_id = std::move(tenant_id);
    device.device_id = std::move(device_id);
    device.public_key = std::move(public_key);
    device.role = std::move(role);
    device.scopes = existing ? Union(existing->scopes, scopes) : SortedUnique(scopes);
    device.client_id = std::move(client_id);
    device.client_mode = std::move(client_mode);
    device.platform = std::move(platform);
    device.device_family = std::move(device_family);
    device.display_name = std::move(display_name);
    device.paired_at_ms = existing ? existing->paired_at_ms : now;
    device.last_seen_ms = existing ? existing->last_seen_ms : 0;
    return device;
}

}  // namespace

DevicePairing::DevicePairing(domain::DeviceRepository& repo, bool auto_approve_local, domain::WallClock clock)
    : repo_(repo), auto_approve_local_(auto_approve_local), clock_(std::move(clock)) {}

asio::awaitable<Result<DeviceAccessDecision>> DevicePairing::Decide(DeviceAccessRequest request) {
    std::string tenant_id = request.tenant_id;
    std::string device_id = request.device_id;
    auto existing = co_await repo_.GetDevice(tenant_id, device_id);
    if (!existing) {
        co_return existing.error();
    }
    const std::int64_t now = clock_();
    DeviceAccessDecision decision;
    const bool role_matches = *existing && (*existing)->role == request.role;
    const bool covered = role_matches && Covers((*existing)->scopes, request.scopes);

    if (covered) {
        if (auto touched = co_await repo_.TouchDevice(tenant_id, device_id, now); !touched) {
            co_return touched.error();
        }
        decision.granted = true;
        decision.device = std::move(**existing);
        decision.device->last_seen_ms = now;
    } else if (request.local && auto_approve_local_) {
        PairedDevice device = Paired(
            *existing,
            request.tenant_id,
            request.device_id,
            request.public_key,
            request.role,
            request.scopes,
            request.client_id,
            request.client_mode,
            request.platform,
            request.device_family,
            request.display_name,
            now
        );
        device.last_seen_ms = now;
        auto stored = co_await repo_.PutDevice(std::move(device));
        if (!stored) {
            co_return stored.error();
        }
        decision.granted = true;
        decision.auto_approved = true;
        decision.device = std::move(*stored);
    } else {
        PairingRequest pending;
        pending.request_id = NewUuid();
        pending.tenant_id = std::move(request.tenant_id);
        pending.device_id = std::move(request.device_id);
        pending.public_key = std::move(request.public_key);
        pending.role = std::move(request.role);
        pending.scopes = SortedUnique(std::move(request.scopes));
        pending.client_id = std::move(request.client_id);
        pending.client_mode = std::move(request.client_mode);
        pending.platform = std::move(request.platform);
        pending.device_family = std::move(request.device_family);
        pending.display_name = std::move(request.display_name);
        pending.remote_ip = std::move(request.remote_ip);
        pending.reason = std::string(
            !*existing      ? domain::kPairingReasonNotPaired
            : !role_matches ? domain::kPairingReasonRoleUpgrade
                            : domain::kPairingReasonScopeUpgrade
        );
        pending.created_at_ms = now;
        auto stored = co_await repo_.UpsertPendingRequest(std::move(pending));
        if (!stored) {
            co_return stored.error();
        }
        decision.request = std::move(*stored);
        co_return decision;
    }

    // A device that authenticated with its own valid token keeps it (OpenClaw answers the same token);
    // otherwise only a hash is stored, so the token of this role is rotated (one valid token per device
    // and role) and shown once.
    if (request.presented_valid_token && !decision.auto_approved) {
        co_return decision;
    }
    std::string role = decision.device->role;
    auto token = co_await RotateToken(tenant_id, device_id, role);
    if (!token) {
        co_return token.error();
    }
    decision.device_token = std::move(*token);
    decision.device_token_issued_at_ms = now;
    co_return decision;
}

asio::awaitable<Result<std::optional<DeviceTokenGrant>>> DevicePairing::ResolveToken(
    std::string tenant_id, std::string token, std::optional<std::string> device_id
) {
    if (!token.starts_with(kTokenPrefix)) {
        co_return std::optional<DeviceTokenGrant>();
    }
    std::string hash = crypto::Sha256Hex(token);
    auto found = co_await repo_.FindTokenByHash(tenant_id, hash);
    if (!found) {
        co_return found.error();
    }
    if (!*found || (device_id && (*found)->device_id != *device_id)) {
        co_return std::optional<DeviceTokenGrant>();
    }
    std::string token_device = (*found)->device_id;
    auto device = co_await repo_.GetDevice(tenant_id, token_device);
    if (!device) {
        co_return device.error();
    }
    if (!*device || (*device)->role != (*found)->role) {
        co_return std::optional<DeviceTokenGrant>();
    }
    co_return std::optional<DeviceTokenGrant>(DeviceTokenGrant{std::move(**found), std::move(**device)});
}

asio::awaitable<Result<PairedDevice>> DevicePairing::Approve(std::string tenant_id, std::string request_id) {
    auto request = co_await repo_.GetRequest(tenant_id, request_id);
    if (!request) {
        co_return request.error();
    }
    if (request->status != PairingStatus::kPending) {
        co_return MakeError(ErrorCode::kConflict, "pairing request is already resolved");
    }
    std::string device_id = request->device_id;
    auto existing = co_await repo_.GetDevice(tenant_id, device_id);
    if (!existing) {
        co_return existing.error();
    }
    const std::int64_t now = clock_();
    PairedDevice device = Paired(
        *existing,
        request->tenant_id,
        request->device_id,
        request->public_key,
        request->role,
        request->scopes,
        request->client_id,
        request->client_mode,
        request->platform,
        request->device_family,
        request->display_name,
        now
    );
    std::optional<PairedDevice> to_store = device;
    auto resolved = co_await repo_.ResolveRequest(
        tenant_id, request_id, PairingStatus::kApproved, now, std::move(to_store)
    );
    if (!resolved) {
        co_return resolved.error();
    }
    co_return device;
}

asio::awaitable<Result<PairingRequest>> DevicePairing::Reject(std::string tenant_id, std::string request_id) {
    const std::int64_t now = clock_();
    std::optional<PairedDevice> none;
    auto resolved = co_await repo_.ResolveRequest(
        std::move(tenant_id), std::move(request_id), PairingStatus::kRejected, now, none
    );
    co_return resolved;
}

asio::awaitable<Result<std::vector<PairingRequest>>> DevicePairing::ListRequests(
    std::string tenant_id, bool pending_only
) {
    auto requests = co_await repo_.ListRequests(std::move(tenant_id), pending_only);
    co_return requests;
}

asio::awaitable<Result<std::vector<PairedDevice>>> DevicePairing::ListDevices(std::string tenant_id) {
    auto devices = co_await repo_.ListDevices(std::move(tenant_id));
    co_return devices;
}

asio::awaitable<Result<void>> DevicePairing::Remove(std::string tenant_id, std::string device_id) {
    auto removed = co_await repo_.RemoveDevice(std::move(tenant_id), std::move(device_id));
    co_return removed;
}

asio::awaitable<Result<std::string>> DevicePairing::RotateToken(
    std::string tenant_id, std::string device_id, std::string role
) {
    auto device = co_await repo_.GetDevice(tenant_id, device_id);
    if (!device) {
        co_return device.error();
    }
    if (!*device || (*device)->role != role) {
        co_return MakeError(ErrorCode::kNotFound, "device is not paired for role " + role);
    }
    const std::int64_t now = clock_();
    std::optional<std::string> revoke_role = role;
    if (auto revoked = co_await repo_.RevokeTokens(tenant_id, device_id, revoke_role, now); !revoked) {
        co_return revoked.error();
    }
    std::string token = NewDeviceToken();
    DeviceToken record;
    record.token_id = NewUuid();
    record.tenant_id = std::move(tenant_id);
    record.device_id = std::move(device_id);
    record.role = std::move(role);
    record.scopes = (*device)->scopes;
    record.token_sha256 = crypto::Sha256Hex(token);
    record.issued_at_ms = now;
    auto stored = co_await repo_.PutToken(std::move(record));
    if (!stored) {
        co_return stored.error();
    }
    co_return token;
}

asio::awaitable<Result<int>> DevicePairing::RevokeTokens(
    std::string tenant_id, std::string device_id, std::optional<std::string> role
) {
    const std::int64_t now = clock_();
    auto revoked =
        co_await repo_.RevokeTokens(std::move(tenant_id), std::move(device_id), std::move(role), now);
    co_return revoked;
}

}  // namespace gw::api::ws
