#pragma once
/// @file
/// @brief RAII wrapper over a `sqlite3*` connection (no domain types). Blocking: never call on an io thread.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "drivers/sqlite/statement.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace gw::sqlite {

namespace internal {
struct StatementCache;
}  // namespace internal

/// `PRAGMA synchronous` of a writable connection (WAL mode). kFull: every COMMIT fsyncs the WAL (a
/// committed transaction survives power loss). kNormal: the WAL is fsynced only at checkpoints (a committed
/// transaction survives a process crash; a power loss or OS crash can undo the latest ones).
enum class Synchronous { kFull, kNormal };

/// How to open a database.
struct OpenOptions {
    bool read_only = false;  ///< SQLITE_OPEN_READONLY; no pragmas that write are applied
    std::chrono::milliseconds busy_timeout{5'000};  ///< how long a locked database is retried
    bool create = true;                             ///< create the file if missing (ignored when read_only)
    /// `PRAGMA mmap_size`: how much of the database file is read through a memory map instead of pread
    /// (0 = off). Saves a syscall and a copy per page a read transaction loads; WAL frames are still read.
    std::int64_t mmap_size = std::int64_t{256} << 20;
    Synchronous synchronous = Synchronous::kFull;  ///< writable connections only
};

/// One SQLite connection. Opened in multi-thread mode: a connection (and its statements) may move between
/// threads but must be used by one thread at a time. Writable connections get `journal_mode=WAL`,
/// `synchronous=FULL` (or NORMAL, see OpenOptions); all get `foreign_keys=ON`, `temp_store=MEMORY`,
/// `mmap_size` and the busy timeout.
///
/// Compiled statements are cached per connection, keyed by the exact SQL text: `Prepare` and single-statement
/// `Exec` reuse an idle cached statement (reset, no bindings) instead of re-parsing; a Statement returns to
/// the cache when destroyed. A statement still in use when the same text is prepared again is not shared
/// (the second gets its own, uncached compilation).
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

    /// Runs one or more `;`-separated statements to completion, discarding rows. A single statement is
    /// served from (and kept in) the statement cache.
    Result<void> Exec(std::string_view sql);

    /// Compiles exactly one statement (trailing whitespace/comments allowed), or borrows it from the
    /// statement cache. kInvalidArgument if `sql` holds more than one statement or none.
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

    /// Number of compiled statements held by the cache (idle or borrowed); for tests and diagnostics.
    std::size_t CachedStatementCount() const noexcept;

    /// The raw handle, for SQLite APIs this wrapper does not cover. Owned by the Connection.
    sqlite3* Handle() const noexcept { return db_; }

private:
    Connection(sqlite3* db, std::string path, bool read_only);
    Result<void> ApplyPragmas(const OpenOptions& options);
    /// An idle cached statement for exactly `sql`, marked in use; nullopt on a miss.
    std::optional<Statement> TakeCached(std::string_view sql);
    /// Wraps a freshly compiled `raw`, registering it in the cache when there is room.
    Statement Adopt(std::string_view sql, sqlite3_stmt* raw);
    void Close() noexcept;

    sqlite3* db_ = nullptr;
    std::string path_;
    bool read_only_ = false;
    std::shared_ptr<internal::StatementCache> cache_;  ///< shared with borrowed Statements
};

}  // namespace gw::sqlite
