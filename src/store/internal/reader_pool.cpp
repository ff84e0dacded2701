#include "store/internal/reader_pool.hpp"

#include <algorithm>
#include <utility>

#include <pthread.h>

#include "base/check.hpp"

namespace gw::store::internal {

namespace {

thread_local const ReaderPool* tls_current_pool = nullptr;

}  // namespace

Result<void> RunReadTransaction(sqlite::Connection& conn, const DbFn& fn) {
    if (auto begin = conn.Exec("BEGIN"); !begin) {
        return begin.error();
    }
    Result<void> result = CallDbFn(fn, conn, "read");
    if (!conn.InTransaction()) {
        return result;  // fn ended the transaction itself, or SQLite rolled it back
    }
    if (result) {
        if (auto commit = conn.Exec("COMMIT"); !commit) {
            result = commit.error();
        } else {
            return result;
        }
    }
    if (conn.InTransaction()) {
        if (auto rb = conn.Exec("ROLLBACK"); !rb) {
            result.error().message += "; rollback failed: " + rb.error().message;
        }
    }
    return result;
}

Result<std::unique_ptr<ReaderPool>> ReaderPool::Open(
    const std::string& path, int threads, std::chrono::milliseconds busy_timeout
) {
    std::vector<sqlite::Connection> connections;
    for (int i = 0; i < std::max(threads, 1); ++i) {
        auto conn = sqlite::Connection::Open(
            path, {.read_only = true, .busy_timeout = busy_timeout, .create = false}
        );
        if (!conn) {
            return conn.error();
        }
        connections.push_back(std::move(*conn));
    }
    return std::unique_ptr<ReaderPool>(new ReaderPool(std::move(connections)));
}

ReaderPool::ReaderPool(std::vector<sqlite::Connection> connections) : connections_(std::move(connections)) {
    threads_.reserve(connections_.size());
    for (auto& conn : connections_) {
        threads_.emplace_back([this, &conn] {
            // Naming the thread is a debugging aid only; a failure changes nothing.
            static_cast<void>(pthread_setname_np(pthread_self(), "gw-store-read"));
            tls_current_pool = this;
            Run(conn);
        });
    }
}

ReaderPool::~ReaderPool() {
    GW_CHECK(!OnReaderThread(), "the store must not be destroyed from one of its reader threads");
    Stop();
}

bool ReaderPool::OnReaderThread() const noexcept {
    return tls_current_pool == this;
}

void ReaderPool::Submit(DbFn fn, DoneFn done) {
    {
        std::lock_guard lock(mutex_);
        if (!stopping_) {
            queue_.push_back(Item{std::move(fn), std::move(done)});
            cv_.notify_one();
            return;
        }
    }
    CallDone(done, MakeError(ErrorCode::kUnavailable, "store is closed"), "read");
}

void ReaderPool::Stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) {
        if (t.joinable() && t.get_id() != std::this_thread::get_id()) {
            t.join();
        }
    }
}

void ReaderPool::Run(sqlite::Connection& conn) {
    for (;;) {
        Item item;
        {
            std::unique_lock lock(mutex_);
            cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) {
                return;  // stopping and drained
            }
            item = std::move(queue_.front());
            queue_.pop_front();
        }
        Result<void> result = RunReadTransaction(conn, item.fn);
        CallDone(item.done, std::move(result), "read");
    }
}

}  // namespace gw::store::internal
