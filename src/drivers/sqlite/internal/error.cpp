#include "drivers/sqlite/internal/error.hpp"

#include <string>

#include <sqlite3.h>

namespace gw::sqlite::internal {

ErrorCode CodeFor(int rc) noexcept {
    switch (rc & 0xff) {
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
            return ErrorCode::kUnavailable;
        case SQLITE_CONSTRAINT:
            return ErrorCode::kConflict;
        default:
            return ErrorCode::kInternal;
    }
}

Error Translate(int rc, sqlite3* db, std::string_view what) {
    std::string message(what);
    message += ": ";
    // sqlite3_errmsg describes the most recent failure on `db`; when the failure did not touch the
    // connection (or there is none) fall back to the generic text for the code.
    const char* detail = nullptr;
    if (db != nullptr && (sqlite3_extended_errcode(db) & 0xff) == (rc & 0xff)) {
        rc = sqlite3_extended_errcode(db);
        detail = sqlite3_errmsg(db);
    }
    if (detail == nullptr) {
        detail = sqlite3_errstr(rc);
    }
    message += detail;
    message += " (sqlite ";
    message += std::to_string(rc);
    message += ')';
    return Error{CodeFor(rc), std::move(message)};
}

}  // namespace gw::sqlite::internal
