#include "store/sqlite_device_repository.hpp"

#include <utility>

#include "store/internal/device_rows.hpp"
#include "store/internal/store_calls.hpp"

namespace gw::store {

namespace asio = boost::asio;
using domain::DeviceToken;
using domain::PairedDevice;
using domain::PairingRequest;
using domain::PairingStatus;

SqliteDeviceRepository::SqliteDeviceRepository(EmbeddedStore& store, domain::WallClock clock)
    : store_(store), clock_(std::move(clock)) {}

asio::awaitable<Result<std::optional<PairedDevice>>> SqliteDeviceRepository::GetDevice(
    std::string tenant_id, std::string device_id
) {
    auto read = [tenant_id = std::move(tenant_id), device_id = std::move(device_id)](sqlite::Connection& conn
                ) { return internal::LoadDevice(conn, tenant_id, device_id); };
    Result<std::optional<PairedDevice>> device =
        co_await internal::ReadValue<std::optional<PairedDevice>>(store_, std::move(read));
    co_return device;
}

asio::awaitable<Result<PairedDevice>> SqliteDeviceRepository::PutDevice(PairedDevice device) {
    if (device.tenant_id.empty() || device.device_id.empty()) {
        co_return MakeError(ErrorCode::kInvalidArgument, "device without tenant or id");
    }
    auto write = [device = std::move(device)](sqlite::Connection& conn) -> Result<PairedDevice> {
        if (auto stored = internal::StoreDevice(conn, device); !stored) {
            return stored.error();
        }
        return device;
    };
    Result<PairedDevice> stored = co_await internal::WriteValue<PairedDevice>(store_, std::move(write));
    co_return stored;
}

asio::awaitable<Result<void>> SqliteDeviceRepository::TouchDevice(
    std::string tenant_id, std::string device_id, std::int64_t seen_at_ms
) {
    auto write = [tenant_id = std::move(tenant_id),
                  device_id = std::move(device_id),
                  seen_at_ms](sqlite::Connection& conn) -> Result<bool> {
        auto touched = internal::TouchDeviceRow(conn, tenant_id, device_id, seen_at_ms);
        if (!touched) {
            return touched.error();
        }
        if (*touched == 0) {
            return MakeError(ErrorCode::kNotFound, "device is not paired");
        }
        return true;
    };
    Result<bool> touched = co_await internal::WriteValue<bool>(store_, std::move(write));
    if (!touched) {
        co_return touched.error();
    }
    co_return Ok();
}

asio::awaitable<Result<std::vector<PairedDevice>>> SqliteDeviceRepository::ListDevices(std::string tenant_id
) {
    auto read = [tenant_id = std::move(tenant_id)](sqlite::Connection& conn) {
        return internal::LoadDevices(conn, tenant_id);
    };
    Result<std::vector<PairedDevice>> devices =
        co_await internal::ReadValue<std::vector<PairedDevice>>(store_, std::move(read));
    co_return devices;
}

asio::awaitable<Result<void>> SqliteDeviceRepository::RemoveDevice(
    std::string tenant_id, std::string device_id
) {
    auto write = [tenant_id = std::move(tenant_id),
                  device_id = std::move(device_id),
                  clock = clock_](sqlite::Connection& conn) -> Result<bool> {
        if (auto removed = internal::DeleteDevice(conn, tenant_id, device_id, clock()); !removed) {
            return removed.error();
        }
        return true;
    };
    Result<bool> removed = co_await internal::WriteValue<bool>(store_, std::move(write));
    if (!removed) {
        co_return removed.error();
    }
    co_return Ok();
}

asio::awaitable<Result<PairingRequest>> SqliteDeviceRepository::UpsertPendingRequest(PairingRequest request) {
    if (request.tenant_id.empty() || request.device_id.empty()) {
        co_return MakeError(ErrorCode::kInvalidArgument, "pairing request without tenant or device");
    }
    auto write = [request = std::move(request)](sqlite::Connection& conn) mutable {
        return internal::UpsertPending(conn, std::move(request));
    };
    Result<PairingRequest> stored = co_await internal::WriteValue<PairingRequest>(store_, std::move(write));
    co_return stored;
}

asio::awaitable<Result<PairingRequest>> SqliteDeviceRepository::GetRequest(
    std::string tenant_id, std::string request_id
) {
    auto read = [tenant_id = std::move(tenant_id),
                 request_id = std::move(request_id)](sqlite::Connection& conn) -> Result<PairingRequest> {
        auto request = internal::LoadRequest(conn, tenant_id, request_id);
        if (!request) {
            return request.error();
        }
        if (!*request) {
            return MakeError(ErrorCode::kNotFound, "unknown pairing request");
        }
        return std::move(**request);
    };
    Result<PairingRequest> request = co_await internal::ReadValue<PairingRequest>(store_, std::move(read));
    co_return request;
}

asio::awaitable<Result<std::vector<PairingRequest>>> SqliteDeviceRepository::ListRequests(
    std::string tenant_id, bool pending_only
) {
    auto read = [tenant_id = std::move(tenant_id), pending_only](sqlite::Connection& conn) {
        return internal::LoadRequests(conn, tenant_id, pending_only);
    };
    Result<std::vector<PairingRequest>> requests =
        co_await internal::ReadValue<std::vector<PairingRequest>>(store_, std::move(read));
    co_return requests;
}

asio::awaitable<Result<PairingRequest>> SqliteDeviceRepository::ResolveRequest(
    std::string tenant_id,
    std::string request_id,
    PairingStatus status,
    std::int64_t resolved_at_ms,
    std::optional<PairedDevice> device
) {
    auto write = [tenant_id = std::move(tenant_id),
                  request_id = std::move(request_id),
                  status,
                  resolved_at_ms,
                  device = std::move(device)](sqlite::Connection& conn) {
        return internal::Resolve(conn, tenant_id, request_id, status, resolved_at_ms, device);
    };
    Result<PairingRequest> resolved = co_await internal::WriteValue<PairingRequest>(store_, std::move(write));
    co_return resolved;
}

asio::awaitable<Result<DeviceToken>> SqliteDeviceRepository::PutToken(DeviceToken token) {
    if (token.tenant_id.empty() || token.device_id.empty() || token.token_id.empty()) {
        co_return MakeError(ErrorCode::kInvalidArgument, "device token without tenant, device or id");
    }
    if (token.token_sha256.size() != 64) {
        co_return MakeError(ErrorCode::kInvalidArgument, "device token hash must be 64 hex characters");
    }
    auto write = [token = std::move(token)](sqlite::Connection& conn) -> Result<DeviceToken> {
        if (auto stored = internal::StoreToken(conn, token); !stored) {
            return stored.error();
        }
        return token;
    };
    Result<DeviceToken> stored = co_await internal::WriteValue<DeviceToken>(store_, std::move(write));
    co_return stored;
}

asio::awaitable<Result<std::optional<DeviceToken>>> SqliteDeviceRepository::FindTokenByHash(
    std::string tenant_id, std::string token_sha256
) {
    auto read = [tenant_id = std::move(tenant_id),
                 token_sha256 = std::move(token_sha256)](sqlite::Connection& conn) {
        return internal::LoadValidTokenByHash(conn, tenant_id, token_sha256);
    };
    Result<std::optional<DeviceToken>> token =
        co_await internal::ReadValue<std::optional<DeviceToken>>(store_, std::move(read));
    co_return token;
}

asio::awaitable<Result<int>> SqliteDeviceRepository::RevokeTokens(
    std::string tenant_id, std::string device_id, std::optional<std::string> role, std::int64_t revoked_at_ms
) {
    auto write = [tenant_id = std::move(tenant_id),
                  device_id = std::move(device_id),
                  role = std::move(role),
                  revoked_at_ms](sqlite::Connection& conn) {
        return internal::RevokeTokenRows(conn, tenant_id, device_id, role, revoked_at_ms);
    };
    Result<int> revoked = co_await internal::WriteValue<int>(store_, std::move(write));
    co_return revoked;
}

}  // namespace gw::store
