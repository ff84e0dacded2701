#include "drivers/sqlite/connection.hpp"

#include <optional>
#include <string>
#include <utility>

#include <sqlite3.h>

#include "base/check.hpp"
#include "drivers/sqlite/internal/error.hpp"
#include "drivers/sqlite/internal/statement_cache.hpp"

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

Connection::Connection(sqlite3* db, std::string path, bool read_only)
    : db_(db),
      path_(std::move(path)),
      read_only_(read_only),
      cache_(std::make_shared<internal::StatementCache>()) {}

Connection::Connection(Connection&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)),
      path_(std::move(other.path_)),
      read_only_(other.read_only_),
      cache_(std::move(other.cache_)) {}

Connection& Connection::operator=(Connection&& other) noexcept {
    if (this != &other) {
        Close();
        db_ = std::exchange(other.db_, nullptr);
        path_ = std::move(other.path_);
        read_only_ = other.read_only_;
        cache_ = std::move(other.cache_);
    }
    return *this;
}

Connection::~Connection() {
    Close();
}

void Connection::Close() noexcept {
    if (cache_) {
        // Idle statements are finalized now; borrowed ones finalize themselves when destroyed.
        cache_->closed = true;
        for (auto& [sql, entry] : cache_->entries) {
            if (!entry.in_use && entry.stmt != nullptr) {
                static_cast<void>(sqlite3_finalize(std::exchange(entry.stmt, nullptr)));
            }
        }
        cache_.reset();
    }
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
    // Sorter, statement-journal and transient-index spill stay in memory: no /var/tmp/etilqs_* files.
    if (auto r = Exec("PRAGMA temp_store = MEMORY"); !r) {
        return r.error();
    }
    const std::int64_t mmap_size = options.mmap_size < 0 ? 0 : options.mmap_size;
    if (auto r = Exec("PRAGMA mmap_size = " + std::to_string(mmap_size)); !r) {
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
    return Exec(
        options.synchronous == Synchronous::kNormal ? "PRAGMA synchronous = NORMAL"
                                                    : "PRAGMA synchronous = FULL"
    );
}

namespace {

bool OnlyWhitespace(std::string_view rest) {
    for (const char c : rest) {
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') {
            return false;
        }
    }
    return true;
}

}  // namespace

std::optional<Statement> Connection::TakeCached(std::string_view sql) {
    if (!cache_) {
        return std::nullopt;
    }
    const auto it = cache_->entries.find(sql);
    if (it == cache_->entries.end() || it->second.in_use || it->second.stmt == nullptr) {
        return std::nullopt;
    }
    it->second.in_use = true;
    return Statement(db_, it->second.stmt, cache_, &it->second);
}

Statement Connection::Adopt(std::string_view sql, sqlite3_stmt* raw) {
    if (cache_ && cache_->entries.size() < internal::StatementCache::kMaxEntries) {
        auto [it, inserted] = cache_->entries.try_emplace(std::string(sql));
        if (inserted || it->second.stmt == nullptr) {
            it->second.stmt = raw;
            it->second.in_use = true;
            return Statement(db_, raw, cache_, &it->second);
        }
    }
    return Statement(db_, raw);
}

Result<void> Connection::Exec(std::string_view sql) {
    if (auto cached = TakeCached(sql)) {
        if (auto r = cached->Run(); !r) {
            return r.error();
        }
        return Ok();
    }
    const std::string_view whole = sql;
    bool first = true;
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
        // A lone statement (the common BEGIN/COMMIT/SAVEPOINT/PRAGMA case) is kept for reuse.
        Statement stmt = first && OnlyWhitespace(sql) ? Adopt(whole, raw) : Statement(db_, raw);
        first = false;
        if (auto r = stmt.Run(); !r) {
            return r.error();
        }
    }
    return Ok();
}

Result<Statement> Connection::Prepare(std::string_view sql) {
    if (auto cached = TakeCached(sql)) {
        return std::move(*cached);
    }
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
    return Adopt(sql, std::exchange(stmt.stmt_, nullptr));
}

std::size_t Connection::CachedStatementCount() const noexcept {
    return cache_ ? cache_->entries.size() : 0;
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
