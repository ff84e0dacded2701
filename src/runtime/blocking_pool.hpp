#pragma once
/// @file
/// @brief A thread pool for blocking calls (SQLite, file I/O, hashing) and `RunBlocking`, which awaits
/// such a call from a coroutine without blocking an io thread (ENGINEERING.md C5).

#include <cstddef>
#include <type_traits>
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace gw::runtime {

/// Wraps `asio::thread_pool`. The destructor stops the pool and joins its threads; queued jobs that
/// have not started are dropped (their awaiting coroutines never resume, so stop the io_context first).
class BlockingPool {
public:
    using Executor = boost::asio::thread_pool::executor_type;

    /// `threads` must be at least 1.
    explicit BlockingPool(std::size_t threads);
    ~BlockingPool();
    BlockingPool(const BlockingPool&) = delete;
    BlockingPool& operator=(const BlockingPool&) = delete;

    Executor GetExecutor() noexcept { return pool_.get_executor(); }

    /// Stops the pool: running jobs finish, queued ones are abandoned. Thread-safe.
    void Stop() noexcept { pool_.stop(); }

    /// Waits until every thread has exited (after `Stop`, or once no work is left). Not from a pool thread.
    void Join() { pool_.join(); }

private:
    boost::asio::thread_pool pool_;
};

/// Runs `f()` on a pool thread and resumes the awaiting coroutine on its own executor (strand) with
/// the result. An exception thrown by `f` is rethrown in the awaiting coroutine.
template <class F>
boost::asio::awaitable<std::invoke_result_t<F&>> RunBlocking(BlockingPool& pool, F f) {
    using R = std::invoke_result_t<F&>;
    // GCC 12: build the capturing lambda in its own statement, never inside the co_await expression.
    if constexpr (std::is_void_v<R>) {
        auto job = [f = std::move(f)]() mutable -> boost::asio::awaitable<void> {
            f();
            co_return;
        };
        co_await boost::asio::co_spawn(pool.GetExecutor(), std::move(job), boost::asio::use_awaitable);
    } else {
        auto job = [f = std::move(f)]() mutable -> boost::asio::awaitable<R> { co_return f(); };
        co_return co_await boost::asio::co_spawn(
            pool.GetExecutor(), std::move(job), boost::asio::use_awaitable
        );
    }
}

}  // namespace gw::runtime
