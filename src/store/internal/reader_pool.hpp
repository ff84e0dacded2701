#pragma once
/// @file
/// @brief A fixed pool of reader threads, each owning one read-only connection.

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "drivers/sqlite/connection.hpp"
#include "store/internal/guarded_call.hpp"

namespace gw::store::internal {

/// Runs read functions on its own threads, each inside a deferred read transaction (a consistent
/// snapshot; in WAL mode readers never wait for the writer). `done` runs on the reader thread.
class ReaderPool {
public:
    /// Opens `threads` read-only connections to `path` and starts one thread per connection.
    static Result<std::unique_ptr<ReaderPool>> Open(
        const std::string& path, int threads, std::chrono::milliseconds busy_timeout
    );

    ReaderPool(const ReaderPool&) = delete;
    ReaderPool& operator=(const ReaderPool&) = delete;
    ~ReaderPool();  ///< Stop()

    /// Thread-safe. After Stop() began, `done` gets kUnavailable at once on the calling thread.
    void Submit(DbFn fn, DoneFn done);

    /// Finishes every queued read, then joins the threads. Idempotent.
    void Stop();

    /// True on one of this pool's threads.
    bool OnReaderThread() const noexcept;

private:
    struct Item {
        DbFn fn;
        DoneFn done;
    };

    explicit ReaderPool(std::vector<sqlite::Connection> connections);
    void Run(sqlite::Connection& conn);

    std::vector<sqlite::Connection> connections_;
    std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<Item> queue_;
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

/// Runs `fn` inside BEGIN … COMMIT (ROLLBACK when `fn` fails) on a read-only connection.
Result<void> RunReadTransaction(sqlite::Connection& conn, const DbFn& fn);

}  // namespace gw::store::internal
