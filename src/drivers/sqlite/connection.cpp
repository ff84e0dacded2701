#include "drivers/sqlite/connection.hpp"

#include <utility>

#include <sqlite3.h>

#include "base/check.hpp"
#include "drivers/sqlite/internal/error.hpp"

namespace gw::sqlite {

namespace {

bool IsMemoryPath(const std::string& path) {
    return path.empty() || path == ":memory:";
}

int CheckedInt(std::int64_t ms) {
    constexpr std::int64_t kMax = 0x7fffffff;
    return static_cast<int>(ms < 0 ? 0 : (ms > kMax ? kMax : ms));
}

}  // namespace

Connection::Connection(sqlite3* db, std::string path, bool read_only) noexcept
    : db_(db), path_(std::move(path)), read_only_(read_only) {}

Connection::Connection(Connection&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), path_(std::move(other.path_)), read_only_(other.read_only_) {}

Connection& Connection::operator=(Connection&& other) noexcept {
    if (this != &other) {
        Close();
        db_ = std::exchange(other.db_, nullptr);
        path_ = std::move(other.path_);
        read_only_ = other.read_only_;
    }
    return *this;
}

Connection::~Connection() {
    Close();
}

void Connection::Close() noexcept {
    if (db_ == nullptr) {
        return;
    }
    // sqlite3_close_v2 defers the close until outstanding statements are finalized and reports only
    // misuse (an invalid handle), which would be a bug in this class.
    const int rc = sqlite3_close_v2(std::exchange(db_, nullptr));
    GW_CHECK(rc == SQLITE_OK, "sqlite3_close_v2 failed on a valid handle");
}

Result<Connection> Connection::Open(const std::string& path, const OpenOptions& options) {
    int flags = SQLITE_OPEN_NOMUTEX;
    if (options.read_only) {
        flags |= SQLITE_OPEN_READONLY;
    } else {
        flags |= SQLITE_OPEN_READWRITE;
        if (options.create) {
            flags |= SQLITE_OPEN_CREATE;
        }
    }
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
    // Even a failed open usually allocates a handle (to carry the error message); the Connection owns it
    // from here on so it is closed on every path.
    Connection conn(raw, path, options.read_only);
    if (rc != SQLITE_OK) {
        return internal::Translate(rc, raw, "sqlite open " + path);
    }
    if (raw == nullptr) {
        return MakeError(ErrorCode::kInternal, "sqlite open " + path + ": out of memory");
    }
    if (const int erc = sqlite3_extended_result_codes(raw, 1); erc != SQLITE_OK) {
        return internal::Translate(erc, raw, "sqlite extended_result_codes " + path);
    }
    if (auto r = conn.ApplyPragmas(options); !r) {
        return r.error();
    }
    return conn;
}

Result<void> Connection::ApplyPragmas(const OpenOptions& options) {
    if (const int rc = sqlite3_busy_timeout(db_, CheckedInt(options.busy_timeout.count())); rc != SQLITE_OK) {
        return internal::Translate(rc, db_, "sqlite busy_timeout " + path_);
    }
    if (auto r = Exec("PRAGMA foreign_keys = ON"); !r) {
        return r.error();
    }
    if (read_only_) {
        return Ok();  // the journal mode is a property of the file, set by the writer
    }
    auto stmt = Prepare("PRAGMA journal_mode = WAL");
    if (!stmt) {
        return stmt.error();
    }
    auto row = stmt->Step();
    if (!row) {
        return row.error();
    }
    const std::string mode = *row ? std::string(stmt->ColumnText(0)) : std::string();
    if (auto done = stmt->Run(); !done) {
        return done.error();
    }
    if (mode != "wal" && !(IsMemoryPath(path_) && mode == "memory")) {
        return MakeError(
            ErrorCode::kInternal, "sqlite " + path_ + ": cannot enable WAL (journal_mode=" + mode + ")"
        );
    }
    return Exec("PRAGMA synchronous = FULL");
}

Result<void> Connection::Exec(std::string_view sql) {
    while (!sql.empty()) {
        sqlite3_stmt* raw = nullptr;
        const char* tail = nullptr;
        const int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &raw, &tail);
        if (rc != SQLITE_OK) {
            return internal::Translate(rc, db_, "sqlite exec prepare");
        }
        sql.remove_prefix(static_cast<std::size_t>(tail - sql.data()));
        if (raw == nullptr) {
            continue;  // only whitespace or a comment was left
        }
        Statement stmt(db_, raw);
        if (auto r = stmt.Run(); !r) {
            return r.error();
        }
    }
    return Ok();
}

Result<Statement> Connection::Prepare(std::string_view sql) {
    sqlite3_stmt* raw = nullptr;
    const char* tail = nullptr;
    const int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &raw, &tail);
    if (rc != SQLITE_OK) {
        return internal::Translate(rc, db_, "sqlite prepare");
    }
    if (raw == nullptr) {
        return MakeError(ErrorCode::kInvalidArgument, "sqlite prepare: empty statement");
    }
    Statement stmt(db_, raw);
    // Reject a second statement in the tail: it would silently never run.
    std::string_view rest(tail, static_cast<std::size_t>(sql.data() + sql.size() - tail));
    while (!rest.empty()) {
        sqlite3_stmt* extra = nullptr;
        const char* next = nullptr;
        const int trc = sqlite3_prepare_v2(db_, rest.data(), static_cast<int>(rest.size()), &extra, &next);
        if (trc != SQLITE_OK) {
            return internal::Translate(trc, db_, "sqlite prepare");
        }
        if (extra != nullptr) {
            Statement discard(db_, extra);
            return MakeError(ErrorCode::kInvalidArgument, "sqlite prepare: more than one statement");
        }
        rest.remove_prefix(static_cast<std::size_t>(next - rest.data()));
    }
    return stmt;
}

std::int64_t Connection::LastInsertRowId() const noexcept {
    return sqlite3_last_insert_rowid(db_);
}

std::int64_t Connection::Changes() const noexcept {
    return sqlite3_changes64(db_);
}

bool Connection::InTransaction() const noexcept {
    return sqlite3_get_autocommit(db_) == 0;
}

}  // namespace gw::sqlite
