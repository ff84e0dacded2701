#include "store/embedded_store.hpp"

#include <atomic>
#include <filesystem>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>

#include "obs/log.hpp"
#include "store/internal/data_dir.hpp"
#include "store/internal/embedded_migrations.hpp"
#include "store/internal/group_commit_writer.hpp"
#include "store/internal/migrator.hpp"
#include "store/internal/reader_pool.hpp"

namespace gw::store {

namespace {

constexpr const char* kDatabaseFile = "gateway.db";

Result<void> ValidateOptions(const config::StoreOptions& options) {
    if (options.driver != "sqlite") {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "store.driver '" + options.driver + "' is not the embedded store (sqlite)"
        );
    }
    if (options.group_commit_max_batch == 0) {
        return MakeError(ErrorCode::kInvalidArgument, "store.group_commit_max_batch must be at least 1");
    }
    if (options.read_threads < 1) {
        return MakeError(ErrorCode::kInvalidArgument, "store.read_threads must be at least 1");
    }
    if (options.busy_timeout.count() < 0 || options.group_commit_max_delay.count() < 0) {
        return MakeError(ErrorCode::kInvalidArgument, "store timeouts must not be negative");
    }
    return Ok();
}

Result<void> WaitFor(const std::function<void(EmbeddedStore::DoneFn)>& submit) {
    auto promise = std::make_shared<std::promise<Result<void>>>();
    auto future = promise->get_future();
    submit([promise](Result<void> r) { promise->set_value(std::move(r)); });
    return future.get();
}

}  // namespace

struct EmbeddedStore::Impl {
    Impl(std::string path, internal::Migrator m, MigrationStatus s)
        : db_path(std::move(path)), migrator(std::move(m)), status(std::move(s)) {}

    std::string db_path;
    internal::Migrator migrator;

    mutable std::mutex status_mutex;
    MigrationStatus status;

    std::mutex ping_mutex;
    std::optional<sqlite::Connection> ping_conn;

    // ~EmbeddedStore stops the writer, then the readers, explicitly; by destruction both are idle.
    std::unique_ptr<internal::GroupCommitWriter> writer;
    std::unique_ptr<internal::ReaderPool> readers;

    // Encryption at rest (issue #6): read by repositories on every call; set at startup.
    std::atomic<std::shared_ptr<ContentProtection>> protection;

    // Transcripts known to be empty (MarkTranscriptEmpty).
    mutable std::mutex empty_mutex;
    std::unordered_set<std::string> empty_transcripts;

    bool OnStoreThread() const noexcept { return writer->OnWriterThread() || readers->OnReaderThread(); }
};

Result<std::unique_ptr<EmbeddedStore>> EmbeddedStore::Open(
    const config::StoreOptions& options, MigrateMode mode
) {
    if (auto valid = ValidateOptions(options); !valid) {
        return valid.error();
    }
    if (auto dir = internal::EnsurePrivateDir(options.data_dir); !dir) {
        return dir.error();
    }
    const std::string path = (std::filesystem::path(options.data_dir) / kDatabaseFile).string();
    auto conn = sqlite::Connection::Open(
        path, {.read_only = false, .busy_timeout = options.busy_timeout, .create = true}
    );
    if (!conn) {
        return conn.error();
    }
    // Checkpoint every ~32 MiB of WAL instead of SQLite's 4 MiB default: rows of a busy group commit
    // rewrite the same index pages, and each checkpoint copies a page once however often it changed,
    // then fsyncs the database file.
    if (auto tuned = conn->Exec("PRAGMA wal_autocheckpoint = 8192"); !tuned) {
        return tuned.error();
    }
    // The writer's page cache survives its own transactions (it is the only writer): 32 MiB keeps the
    // leaf pages of the random-UUID indexes it keeps inserting into, instead of SQLite's 2 MiB default
    // re-reading them from the WAL/database with pread on every batch. Grows only with use.
    if (auto tuned = conn->Exec("PRAGMA cache_size = -32768"); !tuned) {
        return tuned.error();
    }
    auto migrator = internal::Migrator::FromEmbedded(internal::SqliteMigrations());
    if (!migrator) {
        return migrator.error();
    }
    auto status = mode == MigrateMode::kApply ? migrator->Apply(*conn) : migrator->Inspect(*conn);
    if (!status) {
        return status.error();
    }
    auto ping = sqlite::Connection::Open(
        path, {.read_only = true, .busy_timeout = options.busy_timeout, .create = false}
    );
    if (!ping) {
        return ping.error();
    }
    auto readers = internal::ReaderPool::Open(path, options.read_threads, options.busy_timeout);
    if (!readers) {
        return readers.error();
    }
    auto impl = std::make_unique<Impl>(path, std::move(*migrator), *status);
    impl->ping_conn.emplace(std::move(*ping));
    impl->readers = std::move(*readers);
    impl->writer = std::make_unique<internal::GroupCommitWriter>(
        std::move(*conn),
        internal::GroupCommitWriter::Options{options.group_commit_max_batch, options.group_commit_max_delay}
    );
    obs::Log(
        obs::LogLevel::kInfo,
        "gw.store",
        "store opened",
        {{"path", path},
         {"schema_version", std::to_string(status->applied_version)},
         {"latest_version", std::to_string(status->latest_version)},
         {"pending", std::to_string(status->pending.size())}}
    );
    return std::unique_ptr<EmbeddedStore>(new EmbeddedStore(std::move(impl)));
}

EmbeddedStore::EmbeddedStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

EmbeddedStore::~EmbeddedStore() {
    // Writes first: their callbacks may still submit reads, which then run before the readers stop.
    impl_->writer->Stop();
    impl_->readers->Stop();
}

MigrationStatus EmbeddedStore::Migrations() const {
    std::lock_guard lock(impl_->status_mutex);
    return impl_->status;
}

Result<void> EmbeddedStore::Migrate() {
    if (impl_->OnStoreThread()) {
        return MakeError(ErrorCode::kInternal, "store: Migrate called on a store thread");
    }
    return impl_->writer->WithConnection([this](sqlite::Connection& conn) -> Result<void> {
        auto status = impl_->migrator.Apply(conn);
        if (!status) {
            return status.error();
        }
        std::lock_guard lock(impl_->status_mutex);
        impl_->status = std::move(*status);
        return Ok();
    });
}

std::string EmbeddedStore::DatabasePath() const {
    return impl_->db_path;
}

Result<void> EmbeddedStore::Ping() {
    std::lock_guard lock(impl_->ping_mutex);
    return internal::CheckSchemaCurrent(*impl_->ping_conn, impl_->migrator.LatestVersion());
}

void EmbeddedStore::SubmitWrite(WriteFn fn, DoneFn done) {
    impl_->writer->Submit(std::move(fn), std::move(done));
}

void EmbeddedStore::SubmitRead(ReadFn fn, DoneFn done) {
    impl_->readers->Submit(std::move(fn), std::move(done));
}

Result<void> EmbeddedStore::ReadBlocking(ReadFn fn) {
    if (impl_->OnStoreThread()) {
        return MakeError(ErrorCode::kInternal, "store: ReadBlocking called on a store thread");
    }
    return WaitFor([&](DoneFn done) { SubmitRead(std::move(fn), std::move(done)); });
}

Result<void> EmbeddedStore::WriteBlocking(WriteFn fn) {
    if (impl_->OnStoreThread()) {
        return MakeError(ErrorCode::kInternal, "store: WriteBlocking called on a store thread");
    }
    return WaitFor([&](DoneFn done) { SubmitWrite(std::move(fn), std::move(done)); });
}

void EmbeddedStore::SetContentProtection(std::shared_ptr<ContentProtection> protection) {
    impl_->protection.store(std::move(protection), std::memory_order_release);
}

std::shared_ptr<ContentProtection> EmbeddedStore::GetContentProtection() const {
    return impl_->protection.load(std::memory_order_acquire);
}

namespace {
constexpr std::size_t kMaxKnownEmptyTranscripts = 4096;
}  // namespace

void EmbeddedStore::MarkTranscriptEmpty(const std::string& transcript_id) {
    std::lock_guard lock(impl_->empty_mutex);
    if (impl_->empty_transcripts.size() < kMaxKnownEmptyTranscripts) {
        impl_->empty_transcripts.insert(transcript_id);
    }
}

void EmbeddedStore::ForgetEmptyTranscript(const std::string& transcript_id) {
    std::lock_guard lock(impl_->empty_mutex);
    impl_->empty_transcripts.erase(transcript_id);
}

bool EmbeddedStore::IsTranscriptKnownEmpty(const std::string& transcript_id) const {
    std::lock_guard lock(impl_->empty_mutex);
    return impl_->empty_transcripts.contains(transcript_id);
}

EmbeddedStore::Stats EmbeddedStore::GetStats() const {
    const auto c = impl_->writer->GetCounters();
    return Stats{c.transactions, c.writes, c.failed_writes};
}

}  // namespace gw::store
