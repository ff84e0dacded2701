#pragma once
/// @file
/// @brief The single writer thread: queues writes and commits them in groups (one fsync per batch).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "drivers/sqlite/connection.hpp"
#include "store/internal/guarded_call.hpp"

namespace gw::store::internal {

/// Owns the writable connection and the thread that uses it.
///
/// Batching: the thread takes every queued write (up to `max_batch`). A lone write on an idle writer is
/// committed at once. When it found several (concurrent producers), it lingers for more while they keep
/// arriving: it stops waiting when the batch is full, when `max_delay / 4` passes without a new write, or
/// after `max_delay` in total. Then: BEGIN IMMEDIATE; per write SAVEPOINT, fn, RELEASE (or ROLLBACK TO on
/// error, so only that write is undone); COMMIT; then every `done` runs on this thread.
class GroupCommitWriter {
public:
    struct Options {
        std::size_t max_batch = 256;
        std::chrono::microseconds max_delay{2'000};
    };

    struct Counters {
        std::uint64_t transactions = 0;   ///< committed batch transactions
        std::uint64_t writes = 0;         ///< writes committed
        std::uint64_t failed_writes = 0;  ///< writes completed with an error
    };

    GroupCommitWriter(sqlite::Connection conn, Options options);
    GroupCommitWriter(const GroupCommitWriter&) = delete;
    GroupCommitWriter& operator=(const GroupCommitWriter&) = delete;
    ~GroupCommitWriter();  ///< Stop()

    /// Thread-safe. After Stop() began, `done` gets kUnavailable at once on the calling thread.
    void Submit(DbFn fn, DoneFn done);

    /// Runs `fn` with the connection between batches (no transaction open), blocking the caller.
    /// Must not be called from the writer thread (kInternal).
    Result<void> WithConnection(const DbFn& fn);

    /// Stops accepting writes, commits everything already queued, joins the thread. Idempotent.
    void Stop();

    bool OnWriterThread() const noexcept { return std::this_thread::get_id() == thread_.get_id(); }

    Counters GetCounters() const noexcept;

private:
    struct Item {
        DbFn fn;
        DoneFn done;
        Result<void> result;
    };

    void Run();
    bool TakeBatch(std::vector<Item>& batch);
    void TakeLocked(std::vector<Item>& batch);
    void Linger(std::unique_lock<std::mutex>& lock, std::vector<Item>& batch);
    void ProcessBatch(std::vector<Item>& batch);
    std::size_t ProcessRange(std::vector<Item>& batch, std::size_t begin);
    bool RunOne(Item& item);
    void FailCommitted(std::vector<Item>& batch, std::size_t begin, std::size_t end, const Error& why);

    const Options options_;
    std::mutex conn_mutex_;  ///< held while a batch or WithConnection uses conn_
    sqlite::Connection conn_;

    std::mutex mutex_;  ///< guards queue_ and stopping_
    std::condition_variable cv_;
    std::deque<Item> queue_;
    bool stopping_ = false;

    std::atomic<std::uint64_t> transactions_{0};
    std::atomic<std::uint64_t> writes_{0};
    std::atomic<std::uint64_t> failed_writes_{0};

    std::thread thread_;  ///< last member: started after everything above is initialized
};

}  // namespace gw::store::internal
