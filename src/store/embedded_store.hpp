#pragma once
/// @file
/// @brief The embedded store: one SQLite database (WAL) under the data dir, with a group-commit writer
/// thread and a reader pool, so no blocking database call ever runs on an io thread.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "base/error.hpp"
#include "config/options.hpp"
#include "drivers/sqlite/connection.hpp"
#include "store/migrations.hpp"

namespace gw::store {

class ContentProtection;

/// Owns `<data_dir>/gateway.db`. Thread-safe unless noted.
///
/// Threads: one *writer* thread owns the only writable connection and runs every write function;
/// `read_threads` *reader* threads each own a read-only connection and run read functions. Completion
/// callbacks run on those threads; awaitables resume on the awaiting coroutine's executor.
class EmbeddedStore {
public:
    using WriteFn = std::function<Result<void>(sqlite::Connection&)>;
    using ReadFn = std::function<Result<void>(sqlite::Connection&)>;
    using DoneFn = std::function<void(Result<void>)>;

    struct Stats {
        std::uint64_t transactions;   ///< committed group-commit transactions
        std::uint64_t writes;         ///< writes committed
        std::uint64_t failed_writes;  ///< writes completed with an error
    };

    /// Creates `data_dir` (0700) if needed, opens `<data_dir>/gateway.db` in WAL mode, then applies
    /// (kApply) or only validates (kInspectOnly) the embedded migrations. Blocking: call at startup or
    /// from a blocking pool. Errors: kInvalidArgument (bad options), kConflict (database newer than this
    /// binary, an applied migration's checksum differs, a version gap), kInternal (unwritable or
    /// unusable directory/file, failing migration), kUnavailable (database locked past busy_timeout).
    static Result<std::unique_ptr<EmbeddedStore>> Open(const config::StoreOptions& options, MigrateMode mode);

    EmbeddedStore(const EmbeddedStore&) = delete;
    EmbeddedStore& operator=(const EmbeddedStore&) = delete;

    /// Commits every queued write (all callbacks fire), finishes queued reads, stops the threads and
    /// closes the database. Blocks; must not run on a store thread.
    ~EmbeddedStore();

    /// The schema status as of Open() or the last Migrate().
    MigrationStatus Migrations() const;

    /// Applies pending migrations (the `migrate` command after an inspect-only Open). Blocks until done,
    /// between group-commit batches. Errors as for Open. Not on a store thread.
    Result<void> Migrate();

    /// Absolute or data_dir-relative path of the database file.
    std::string DatabasePath() const;

    /// Readiness: the database answers a read and its schema is current (kUnavailable otherwise).
    /// Blocking but short (one indexed read on a dedicated connection; WAL readers never wait for the
    /// writer). From an io thread use CheckReady().
    Result<void> Ping();

    /// Ping() on the reader pool, resuming on the caller's executor.
    boost::asio::awaitable<Result<void>> CheckReady();

    /// Group commit: `fn` runs on the writer thread inside a transaction shared with other queued writes,
    /// each in its own SAVEPOINT, so a failing write is undone alone and gets its own error while the
    /// others commit. `done` fires on the writer thread after COMMIT (durable) or with the error (a
    /// failed COMMIT fails every write of the batch). `fn` must not COMMIT/ROLLBACK or call the store's
    /// blocking methods; `done` must not block (post to your executor). Errors from a constraint
    /// violation arrive as kConflict, a busy database as kUnavailable, a closed store as kUnavailable.
    void SubmitWrite(WriteFn fn, DoneFn done);

    /// SubmitWrite as an awaitable that resumes on the awaiting coroutine's executor (whose execution
    /// context must outlive the operation). Never blocks an io thread. Like every awaitable, it does
    /// nothing unless co_awaited.
    boost::asio::awaitable<Result<void>> Write(WriteFn fn);

    /// Runs `fn` on a reader thread inside a read transaction (consistent snapshot) and resumes on the
    /// awaiting coroutine's executor. Writes fail (read-only connection, kInternal).
    boost::asio::awaitable<Result<void>> Read(ReadFn fn);

    /// Callback form of Read; `done` runs on the reader thread.
    void SubmitRead(ReadFn fn, DoneFn done);

    /// Blocking forms for the CLI and tests: wait for the result on the calling thread. Never call them
    /// on an io thread or from a store callback (they return kInternal on a store thread).
    Result<void> ReadBlocking(ReadFn fn);
    Result<void> WriteBlocking(WriteFn fn);

    Stats GetStats() const;

    /// Encryption at rest (issue #6): the repositories over this store seal conversation content with
    /// `protection` (see content_protection.hpp); null (the default) stores plaintext and refuses to read
    /// sealed rows. Set it at startup before serving; later changes apply to calls made after them.
    void SetContentProtection(std::shared_ptr<ContentProtection> protection);
    std::shared_ptr<ContentProtection> GetContentProtection() const;

    /// Hot-path hint (issue #3): transcripts this process created empty and has not written to since.
    /// The session repository marks a transcript inside the write that creates it; every transcript write
    /// forgets it when submitted, before it is queued. `History` of a marked transcript answers the empty
    /// page without a reader round trip (a transcript that does not exist reads as empty too). Bounded:
    /// when full, new transcripts are simply not marked. Thread-safe.
    void MarkTranscriptEmpty(const std::string& transcript_id);
    void ForgetEmptyTranscript(const std::string& transcript_id);
    bool IsTranscriptKnownEmpty(const std::string& transcript_id) const;

private:
    struct Impl;
    explicit EmbeddedStore(std::unique_ptr<Impl> impl);

    std::unique_ptr<Impl> impl_;
};

}  // namespace gw::store
