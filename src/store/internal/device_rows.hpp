#pragma once
/// @file
/// @brief SQL of the SQLite DeviceRepository (store threads only: every function takes a Connection).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.hpp"
#include "domain/device.hpp"
#include "drivers/sqlite/bind.hpp"
#include "drivers/sqlite/connection.hpp"

namespace gw::store::internal {

/// Runs a prepared statement with `args` bound; the number of changed rows.
template <class... Args>
Result<int> ExecCount(sqlite::Connection& conn, std::string_view sql, const Args&... args) {
    auto stmt = sqlite::PrepareBound(conn, sql, args...);
    if (!stmt) {
        return stmt.error();
    }
    auto changed = stmt->Run();
    if (!changed) {
        return changed.error();
    }
    return static_cast<int>(*changed);
}

/// Runs a prepared SELECT and maps every row.
template <class T, class Map>
Result<std::vector<T>> CollectRows(sqlite::Statement& stmt, Map map) {
    std::vector<T> out;
    while (true) {
        auto row = stmt.Step();
        if (!row) {
            return row.error();
        }
        if (!*row) {
            return out;
        }
        auto value = map(stmt);
        if (!value) {
            return value.error();
        }
        out.push_back(std::move(*value));
    }
}

/// The first mapped row, if any.
template <class T>
Result<std::optional<T>> FirstOrNone(Result<std::vector<T>> rows) {
    if (!rows) {
        return rows.error();
    }
    if (rows->empty()) {
        return std::optional<T>();
    }
    return std::optional<T>(std::move(rows->front()));
}

/// Scopes as a JSON array of strings, and back (a malformed column is kInternal).
std::string EncodeScopes(const std::vector<std::string>& scopes);
Result<std::vector<std::string>> DecodeScopes(std::string_view text);

Result<std::optional<domain::PairedDevice>> LoadDevice(
    sqlite::Connection& conn, const std::string& tenant_id, const std::string& device_id
);
Result<std::vector<domain::PairedDevice>> LoadDevices(sqlite::Connection& conn, const std::string& tenant_id);
Result<void> StoreDevice(sqlite::Connection& conn, const domain::PairedDevice& device);
Result<int> TouchDeviceRow(
    sqlite::Connection& conn, const std::string& tenant_id, const std::string& device_id, std::int64_t seen_at
);
/// Deletes the device and revokes its valid tokens; kNotFound when it was not paired.
Result<void> DeleteDevice(
    sqlite::Connection& conn, const std::string& tenant_id, const std::string& device_id, std::int64_t now
);

Result<std::optional<domain::PairingRequest>> LoadRequest(
    sqlite::Connection& conn, const std::string& tenant_id, const std::string& request_id
);
Result<std::vector<domain::PairingRequest>> LoadRequests(
    sqlite::Connection& conn, const std::string& tenant_id, bool pending_only
);
/// Inserts, or updates the wishes of the device's pending request (keeping its id and created_at).
Result<domain::PairingRequest> UpsertPending(sqlite::Connection& conn, domain::PairingRequest request);
Result<domain::PairingRequest> Resolve(
    sqlite::Connection& conn,
    const std::string& tenant_id,
    const std::string& request_id,
    domain::PairingStatus status,
    std::int64_t resolved_at,
    const std::optional<domain::PairedDevice>& device
);

Result<void> StoreToken(sqlite::Connection& conn, const domain::DeviceToken& token);
Result<std::optional<domain::DeviceToken>> LoadValidTokenByHash(
    sqlite::Connection& conn, const std::string& tenant_id, const std::string& token_sha256
);
Result<int> RevokeTokenRows(
    sqlite::Connection& conn,
    const std::string& tenant_id,
    const std::string& device_id,
    const std::optional<std::string>& role,
    std::int64_t revoked_at
);

}  // namespace gw::store::internal
