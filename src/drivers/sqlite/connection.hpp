#pragma once
/// @file
/// @brief RAII wrapper over a `sqlite3*` connection (no domain types). Blocking: never call on an io thread.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "drivers/sqlite/statement.hpp"

struct sqlite3;

namespace gw::sqlite {

/// How to open a database.
struct OpenOptions {
    bool read_only = false;  ///< SQLITE_OPEN_READONLY; no pragmas that write are applied
    std::chrono::milliseconds busy_timeout{5'000};  ///< how long a locked database is retried
    bool create = true;                             ///< create the file if missing (ignored when read_only)
};

/// One SQLite connection. Opened in multi-thread mode: a connection (and its statements) may move between
/// threads but must be used by one thread at a time. Writable connections get `journal_mode=WAL`,
/// `synchronous=FULL`; all get `foreign_keys=ON` and the busy timeout.
class Connection {
public:
    /// Opens `path` (":memory:" for a private in-memory database). Errors: kUnavailable (busy/locked),
    /// kInternal (cannot open, not a database, WAL could not be enabled, ...); the message names the path.
    static Result<Connection> Open(const std::string& path, const OpenOptions& options = {});

    Connection(Connection&& other) noexcept;
    Connection& operator=(Connection&& other) noexcept;
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    ~Connection();

    /// Runs one or more `;`-separated statements to completion, discarding rows.
    Result<void> Exec(std::string_view sql);

    /// Compiles exactly one statement (trailing whitespace/comments allowed). kInvalidArgument if `sql`
    /// holds more than one statement or none.
    Result<Statement> Prepare(std::string_view sql);

    /// rowid of the most recent successful INSERT on this connection.
    std::int64_t LastInsertRowId() const noexcept;

    /// Rows changed by the most recent INSERT/UPDATE/DELETE.
    std::int64_t Changes() const noexcept;

    /// True while a transaction is open (BEGIN without COMMIT/ROLLBACK, or an automatic rollback has not
    /// happened yet).
    bool InTransaction() const noexcept;

    bool ReadOnly() const noexcept { return read_only_; }

    const std::string& Path() const noexcept { return path_; }

    /// The raw handle, for SQLite APIs this wrapper does not cover. Owned by the Connection.
    sqlite3* Handle() const noexcept { return db_; }

private:
    Connection(sqlite3* db, std::string path, bool read_only) noexcept;
    Result<void> ApplyPragmas(const OpenOptions& options);
    void Close() noexcept;

    sqlite3* db_ = nullptr;
    std::string path_;
    bool read_only_ = false;
};

}  // namespace gw::sqlite
