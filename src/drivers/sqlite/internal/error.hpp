#pragma once
/// @file
/// @brief SQLite result code → gw::Error translation (private to drivers/sqlite).

#include <string_view>

#include "base/error.hpp"

struct sqlite3;

namespace gw::sqlite::internal {

/// Maps a (possibly extended) result code: BUSY/LOCKED → kUnavailable, CONSTRAINT → kConflict,
/// everything else → kInternal.
ErrorCode CodeFor(int rc) noexcept;

/// Builds "<what>: <sqlite3_errmsg(db) or sqlite3_errstr(rc)> (sqlite <extended rc>)".
/// `db` may be null. Call immediately after the failing API call, on the same thread.
Error Translate(int rc, sqlite3* db, std::string_view what);

}  // namespace gw::sqlite::internal
