// Pairing-request SQL of the SQLite DeviceRepository (see device_rows.hpp).
#include <utility>

#include "store/internal/conversation_rows.hpp"
#include "store/internal/device_rows.hpp"

namespace gw::store::internal {

namespace {

using domain::PairedDevice;
using domain::PairingRequest;
using domain::PairingStatus;

Result<PairingStatus> ParseStatus(std::string_view text) {
    if (text == "pending") {
        return PairingStatus::kPending;
    }
    if (text == "approved") {
        return PairingStatus::kApproved;
    }
    if (text == "rejected") {
        return PairingStatus::kRejected;
    }
    return MakeError(ErrorCode::kInternal, "store: unknown pairing request status");
}

Result<PairingRequest> RequestFromRow(const sqlite::Statement& stmt) {
    auto scopes = DecodeScopes(stmt.ColumnText(5));
    if (!scopes) {
        return scopes.error();
    }
    auto status = ParseStatus(stmt.ColumnText(13));
    if (!status) {
        return status.error();
    }
    PairingRequest request;
    request.tenant_id = ColText(stmt, 0);
    request.request_id = ColText(stmt, 1);
    request.device_id = ColText(stmt, 2);
    request.public_key = ColText(stmt, 3);
    request.role = ColText(stmt, 4);
    request.scopes = std::move(*scopes);
    request.client_id = ColText(stmt, 6);
    request.client_mode = ColText(stmt, 7);
    request.platform = ColText(stmt, 8);
    request.device_family = ColText(stmt, 9);
    request.display_name = ColText(stmt, 10);
    request.remote_ip = ColText(stmt, 11);
    request.reason = ColText(stmt, 12);
    request.status = *status;
    request.created_at_ms = stmt.ColumnInt64(14);
    request.resolved_at_ms = stmt.ColumnInt64(15);
    return request;
}

}  // namespace

Result<std::optional<PairingRequest>> LoadRequest(
    sqlite::Connection& conn, const std::string& tenant_id, const std::string& request_id
) {
    auto stmt = PrepareBound(
        conn,
        "SELECT tenant_id, id, device_id, public_key, role, scopes, client_id, client_mode, platform, "
        "device_family, display_name, remote_ip, reason, status, created_at, resolved_at "
        "FROM device_pairing_requests WHERE tenant_id = ?1 AND id = ?2",
        tenant_id,
        request_id
    );
    if (!stmt) {
        return stmt.error();
    }
    return FirstOrNone(CollectRows<PairingRequest>(*stmt, RequestFromRow));
}

Result<std::vector<PairingRequest>> LoadRequests(
    sqlite::Connection& conn, const std::string& tenant_id, bool pending_only
) {
    auto stmt = PrepareBound(
        conn,
        "SELECT tenant_id, id, device_id, public_key, role, scopes, client_id, client_mode, platform, "
        "device_family, display_name, remote_ip, reason, status, created_at, resolved_at "
        "FROM device_pairing_requests WHERE tenant_id = ?1 AND (?2 = 0 OR status = 'pending') "
        "ORDER BY created_at DESC, id",
        tenant_id,
        pending_only ? 1 : 0
    );
    if (!stmt) {
        return stmt.error();
    }
    return CollectRows<PairingRequest>(*stmt, RequestFromRow);
}

Result<PairingRequest> UpsertPending(sqlite::Connection& conn, PairingRequest request) {
    auto stmt = PrepareBound(
        conn,
        "SELECT id, created_at FROM device_pairing_requests "
        "WHERE tenant_id = ?1 AND device_id = ?2 AND status = 'pending'",
        request.tenant_id,
        request.device_id
    );
    if (!stmt) {
        return stmt.error();
    }
    auto row = stmt->Step();
    if (!row) {
        return row.error();
    }
    request.status = PairingStatus::kPending;
    request.resolved_at_ms = 0;
    const std::string scopes = EncodeScopes(request.scopes);
    if (*row) {
        request.request_id = ColText(*stmt, 0);
        request.created_at_ms = stmt->ColumnInt64(1);
        auto updated = ExecCount(
            conn,
            "UPDATE device_pairing_requests SET public_key = ?3, role = ?4, scopes = ?5, client_id = ?6, "
            "client_mode = ?7, platform = ?8, device_family = ?9, display_name = ?10, remote_ip = ?11, "
            "reason = ?12 WHERE tenant_id = ?1 AND id = ?2",
            request.tenant_id,
            request.request_id,
            request.public_key,
            request.role,
            scopes,
            request.client_id,
            request.client_mode,
            request.platform,
            request.device_family,
            request.display_name,
            request.remote_ip,
            request.reason
        );
        if (!updated) {
            return updated.error();
        }
        return request;
    }
    if (request.request_id.empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "pairing request without an id");
    }
    auto inserted = ExecCount(
        conn,
        "INSERT INTO device_pairing_requests (tenant_id, id, device_id, public_key, role, scopes, client_id, "
        "client_mode, platform, device_family, display_name, remote_ip, reason, status, created_at, "
        "resolved_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 'pending', ?14, 0)",
        request.tenant_id,
        request.request_id,
        request.device_id,
        request.public_key,
        request.role,
        scopes,
        request.client_id,
        request.client_mode,
        request.platform,
        request.device_family,
        request.display_name,
        request.remote_ip,
        request.reason,
        request.created_at_ms
    );
    if (!inserted) {
        return inserted.error();
    }
    return request;
}

Result<PairingRequest> Resolve(
    sqlite::Connection& conn,
    const std::string& tenant_id,
    const std::string& request_id,
    PairingStatus status,
    std::int64_t resolved_at,
    const std::optional<PairedDevice>& device
) {
    if (status == PairingStatus::kPending) {
        return MakeError(ErrorCode::kInvalidArgument, "a pairing request cannot be resolved to pending");
    }
    auto loaded = LoadRequest(conn, tenant_id, request_id);
    if (!loaded) {
        return loaded.error();
    }
    if (!*loaded) {
        return MakeError(ErrorCode::kNotFound, "unknown pairing request");
    }
    PairingRequest request = std::move(**loaded);
    if (request.status != PairingStatus::kPending) {
        return MakeError(ErrorCode::kConflict, "pairing request is already resolved");
    }
    if (status == PairingStatus::kApproved && device) {
        if (device->tenant_id != tenant_id || device->device_id != request.device_id) {
            return MakeError(ErrorCode::kInvalidArgument, "approved device does not match the request");
        }
        if (auto stored = StoreDevice(conn, *device); !stored) {
            return stored.error();
        }
    }
    const std::string status_name(domain::PairingStatusName(status));
    auto updated = ExecCount(
        conn,
        "UPDATE device_pairing_requests SET status = ?3, resolved_at = ?4 WHERE tenant_id = ?1 AND id = ?2",
        tenant_id,
        request_id,
        status_name,
        resolved_at
    );
    if (!updated) {
        return updated.error();
    }
    request.status = status;
    request.resolved_at_ms = resolved_at;
    return request;
}

}  // namespace gw::store::internal
