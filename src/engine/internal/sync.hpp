#pragma once
/// @file
/// @brief AsyncSemaphore: a fair (FIFO) counting semaphore for coroutines, built on a concurrent_channel
/// whose buffer holds the permits in use. Also the per-session commit mutex (one permit).

#include <cstddef>
#include <tuple>
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace gw::engine::internal {

class AsyncSemaphore {
public:
    AsyncSemaphore(boost::asio::any_io_executor ex, std::size_t permits) : channel_(std::move(ex), permits) {}

    /// Initiates an acquire with any completion token (signature void(error_code); an error = not acquired).
    template <class Token>
    auto AsyncAcquire(Token&& token) {
        return channel_.async_send(boost::system::error_code{}, std::forward<Token>(token));
    }

    /// True when a permit was acquired (false when cancelled).
    boost::asio::awaitable<bool> Acquire() {
        auto [ec] = co_await channel_.async_send(
            boost::system::error_code{}, boost::asio::as_tuple(boost::asio::use_awaitable)
        );
        co_return !ec;
    }

    /// Returns a permit; the longest waiter gets it. Thread-safe; call outside engine locks.
    void Release() {
        channel_.try_receive([](boost::system::error_code) {});
    }

private:
    boost::asio::experimental::concurrent_channel<void(boost::system::error_code)> channel_;
};

/// Releases one permit of an AsyncSemaphore on scope exit.
class PermitGuard {
public:
    explicit PermitGuard(AsyncSemaphore& sem) : sem_(&sem) {}

    PermitGuard(const PermitGuard&) = delete;
    PermitGuard& operator=(const PermitGuard&) = delete;

    ~PermitGuard() {
        if (sem_ != nullptr) {
            sem_->Release();
        }
    }

private:
    AsyncSemaphore* sem_;
};

}  // namespace gw::engine::internal
