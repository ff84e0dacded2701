#pragma once
/// @file
/// @brief The SQL of the audit log (audit_events, audit_head): the chain append, queries and the verifying
/// scan. Runs on store threads only (they take a Connection).

#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "domain/audit.hpp"
#include "drivers/sqlite/connection.hpp"
#include "store/audit_chain.hpp"

namespace gw::store::internal {

/// The head row, or nullopt when it is missing.
Result<std::optional<AuditHead>> LoadAuditHead(sqlite::Connection& conn);

/// Links `event` (normalised and time-stamped) to the chain: reads the head, inserts record head.seq + 1
/// with prev_hash = head.hash, and moves the head to it. Must run inside the caller's write transaction
/// (the group-commit SAVEPOINT), which makes the three statements one atomic step and serialises
/// appenders (the write lock is held from the head read to COMMIT). kInternal when the head is missing or
/// malformed; `hmac_key` empty: no MAC.
Result<domain::AuditRecord> AppendAuditRecord(
    sqlite::Connection& conn, domain::AuditEvent event, std::string id, const std::string& hmac_key
);

/// Records matching `filter` (validated by the caller), of `tenant_id` or of every tenant (nullopt).
/// kInternal when a matching row cannot be decoded.
Result<std::vector<domain::AuditRecord>> QueryAuditRecords(
    sqlite::Connection& conn, const std::optional<std::string>& tenant_id, const domain::AuditFilter& filter
);

/// Streams every record in seq order through an AuditChainChecker (inside the caller's read transaction,
/// so the head and the records are one snapshot). Errors only when the database cannot be read.
Result<AuditVerifyReport> VerifyAuditRecords(sqlite::Connection& conn, const AuditVerifyOptions& options);

}  // namespace gw::store::internal
