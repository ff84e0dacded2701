#pragma once
/// @file
/// @brief SQL helpers shared by the SQLite conversation repositories: parameter binding, row mapping for
/// sessions / entries / runs, and the entry insert used by Append, StartRun and FinishRun. Runs on store
/// threads only (they take a Connection).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/error.hpp"
#include "domain/run.hpp"
#include "domain/session.hpp"
#include "domain/transcript.hpp"
#include "drivers/sqlite/bind.hpp"
#include "drivers/sqlite/connection.hpp"

namespace gw::store {
class ContentProtection;
}  // namespace gw::store

namespace gw::store::internal {

// Positional binding lives in the driver (drivers/sqlite/bind.hpp).
using sqlite::BindAll;
using sqlite::BindValue;
using sqlite::PrepareBound;

std::string ColText(const sqlite::Statement& stmt, int column);
std::optional<std::string> ColOptText(const sqlite::Statement& stmt, int column);
std::optional<std::int64_t> ColOptInt(const sqlite::Statement& stmt, int column);

/// kNotFound unless `tenant_id` names a tenants row.
Result<void> CheckTenantExists(sqlite::Connection& conn, const std::string& tenant_id);

/// The session of (tenant, key) or of (tenant, id); kNotFound when absent.
Result<domain::Session> LoadSession(
    sqlite::Connection& conn, const std::string& tenant_id, const std::string& key
);
Result<domain::Session> LoadSessionById(
    sqlite::Connection& conn, const std::string& tenant_id, const std::string& id
);

/// A positional parameter of a dynamically built query.
using SqlParam = std::variant<std::int64_t, std::string>;

/// Sessions selected by `where_and_order` (appended to `SELECT <columns> FROM sessions `), binding `params`
/// to parameters 1..N.
Result<std::vector<domain::Session>> QuerySessions(
    sqlite::Connection& conn, const std::string& where_and_order, const std::vector<SqlParam>& params
);

/// The entry column list, each prefixed with `table_alias` ("" or "m.").
std::string EntryColumns(std::string_view table_alias);

/// Steps `stmt` (selecting EntryColumns) to the end, opening sealed rows with `protection` (null: a sealed
/// row is an error).
Result<std::vector<domain::TranscriptEntry>> ReadEntries(
    sqlite::Statement& stmt, const ContentProtection* protection
);

/// The run (tenant, id) or (tenant, idempotency key); kNotFound when absent.
Result<domain::Run> LoadRun(
    sqlite::Connection& conn, const std::string& tenant_id, const std::string& run_id
);
Result<domain::Run> LoadRunByIdempotencyKey(
    sqlite::Connection& conn, const std::string& tenant_id, const std::string& idempotency_key
);

/// kInvalidArgument unless every entry names this transcript, session and tenant.
Result<void> CheckEntriesBelongTo(
    const std::vector<domain::TranscriptEntry>& entries,
    const std::string& transcript_id,
    const std::string& session_id,
    const std::string& tenant_id
);

/// The transactional core of Append: validates, reserves seqs, checks parents and run fences, inserts,
/// and advances the session's activity and usage. Content and error messages are sealed with `protection`
/// under the session's classification (null: plaintext). Errors as TranscriptRepository::Append. The
/// caller's write transaction makes it all-or-nothing.
Result<std::vector<domain::TranscriptEntry>> InsertEntries(
    sqlite::Connection& conn,
    std::vector<domain::TranscriptEntry> entries,
    std::int64_t now_ms,
    const ContentProtection* protection,
    const std::optional<std::string>& last_run_id = std::nullopt  ///< also sets sessions.last_run_id
);

}  // namespace gw::store::internal
