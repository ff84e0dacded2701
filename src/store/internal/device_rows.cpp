#include "store/internal/device_rows.hpp"

#include <utility>

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "store/internal/conversation_rows.hpp"

namespace gw::store::internal {

namespace {

namespace json = boost::json;
using domain::DeviceToken;
using domain::PairedDevice;

Result<PairedDevice> DeviceFromRow(const sqlite::Statement& stmt) {
    auto scopes = DecodeScopes(stmt.ColumnText(4));
    if (!scopes) {
        return scopes.error();
    }
    PairedDevice device;
    device.tenant_id = ColText(stmt, 0);
    device.device_id = ColText(stmt, 1);
    device.public_key = ColText(stmt, 2);
    device.role = ColText(stmt, 3);
    device.scopes = std::move(*scopes);
    device.client_id = ColText(stmt, 5);
    device.client_mode = ColText(stmt, 6);
    device.platform = ColText(stmt, 7);
    device.device_family = ColText(stmt, 8);
    device.display_name = ColText(stmt, 9);
    device.paired_at_ms = stmt.ColumnInt64(10);
    device.last_seen_ms = stmt.ColumnInt64(11);
    return device;
}

}  // namespace

std::string EncodeScopes(const std::vector<std::string>& scopes) {
    json::array array;
    for (const auto& scope : scopes) {
        array.emplace_back(scope);
    }
    return json::serialize(array);
}

Result<std::vector<std::string>> DecodeScopes(std::string_view text) {
    boost::system::error_code ec;
    json::value value = json::parse(text, ec);
    if (ec || !value.is_array()) {
        return MakeError(ErrorCode::kInternal, "store: malformed device scopes column");
    }
    std::vector<std::string> scopes;
    for (const auto& item : value.get_array()) {
        if (!item.is_string()) {
            return MakeError(ErrorCode::kInternal, "store: malformed device scopes column");
        }
        scopes.emplace_back(item.get_string());
    }
    return scopes;
}

Result<std::optional<PairedDevice>> LoadDevice(
    sqlite::Connection& conn, const std::string& tenant_id, const std::string& device_id
) {
    auto stmt = PrepareBound(
        conn,
        "SELECT tenant_id, device_id, public_key, role, scopes, client_id, client_mode, platform, "
        "device_family, display_name, paired_at, last_seen FROM paired_devices "
        "WHERE tenant_id = ?1 AND device_id = ?2",
        tenant_id,
        device_id
    );
    if (!stmt) {
        return stmt.error();
    }
    return FirstOrNone(CollectRows<PairedDevice>(*stmt, DeviceFromRow));
}

Result<std::vector<PairedDevice>> LoadDevices(sqlite::Connection& conn, const std::string& tenant_id) {
    auto stmt = PrepareBound(
        conn,
        "SELECT tenant_id, device_id, public_key, role, scopes, client_id, client_mode, platform, "
        "device_family, display_name, paired_at, last_seen FROM paired_devices "
        "WHERE tenant_id = ?1 ORDER BY paired_at DESC, device_id",
        tenant_id
    );
    if (!stmt) {
        return stmt.error();
    }
    return CollectRows<PairedDevice>(*stmt, DeviceFromRow);
}

Result<void> StoreDevice(sqlite::Connection& conn, const PairedDevice& device) {
    auto stored = ExecCount(
        conn,
        "INSERT OR REPLACE INTO paired_devices (tenant_id, device_id, public_key, role, scopes, client_id, "
        "client_mode, platform, device_family, display_name, paired_at, last_seen) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        device.tenant_id,
        device.device_id,
        device.public_key,
        device.role,
        EncodeScopes(device.scopes),
        device.client_id,
        device.client_mode,
        device.platform,
        device.device_family,
        device.display_name,
        device.paired_at_ms,
        device.last_seen_ms
    );
    if (!stored) {
        return stored.error();
    }
    return Ok();
}

Result<int> TouchDeviceRow(
    sqlite::Connection& conn, const std::string& tenant_id, const std::string& device_id, std::int64_t seen_at
) {
    return ExecCount(
        conn,
        "UPDATE paired_devices SET last_seen = ?3 WHERE tenant_id = ?1 AND device_id = ?2",
        tenant_id,
        device_id,
        seen_at
    );
}

Result<void> DeleteDevice(
    sqlite::Connection& conn, const std::string& tenant_id, const std::string& device_id, std::int64_t now
) {
    auto deleted = ExecCount(
        conn, "DELETE FROM paired_devices WHERE tenant_id = ?1 AND device_id = ?2", tenant_id, device_id
    );
    if (!deleted) {
        return deleted.error();
    }
    if (*deleted == 0) {
        return MakeError(ErrorCode::kNotFound, "device is not paired");
    }
    auto revoked = RevokeTokenRows(conn, tenant_id, device_id, std::nullopt, now);
    if (!revoked) {
        return revoked.error();
    }
    return Ok();
}

Result<void> StoreToken(sqlite::Connection& conn, const DeviceToken& token) {
    auto stored = ExecCount(
        conn,
        "INSERT INTO device_tokens (tenant_id, id, device_id, role, scopes, token_sha256, issued_at, "
        "revoked_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        token.tenant_id,
        token.token_id,
        token.device_id,
        token.role,
        EncodeScopes(token.scopes),
        token.token_sha256,
        token.issued_at_ms,
        token.revoked_at_ms
    );
    if (!stored) {
        return stored.error();
    }
    return Ok();
}

Result<std::optional<DeviceToken>> LoadValidTokenByHash(
    sqlite::Connection& conn, const std::string& tenant_id, const std::string& token_sha256
) {
    auto stmt = PrepareBound(
        conn,
        "SELECT tenant_id, id, device_id, role, scopes, token_sha256, issued_at, revoked_at FROM "
        "device_tokens "
        "WHERE tenant_id = ?1 AND token_sha256 = ?2 AND revoked_at = 0",
        tenant_id,
        token_sha256
    );
    if (!stmt) {
        return stmt.error();
    }
    return FirstOrNone(CollectRows<DeviceToken>(
        *stmt,
        [](const sqlite::Statement& row) -> Result<DeviceToken> {
            auto scopes = DecodeScopes(row.ColumnText(4));
            if (!scopes) {
                return scopes.error();
            }
            return DeviceToken{
                ColText(row, 1),
                ColText(row, 0),
                ColText(row, 2),
                ColText(row, 3),
                std::move(*scopes),
                ColText(row, 5),
                row.ColumnInt64(6),
                row.ColumnInt64(7),
            };
        }
    ));
}

Result<int> RevokeTokenRows(
    sqlite::Connection& conn,
    const std::string& tenant_id,
    const std::string& device_id,
    const std::optional<std::string>& role,
    std::int64_t revoked_at
) {
    return ExecCount(
        conn,
        "UPDATE device_tokens SET revoked_at = ?4 "
        "WHERE tenant_id = ?1 AND device_id = ?2 AND revoked_at = 0 AND (?3 IS NULL OR role = ?3)",
        tenant_id,
        device_id,
        role,
        revoked_at
    );
}

}  // namespace gw::store::internal
