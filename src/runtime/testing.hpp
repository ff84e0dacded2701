#pragma once
/// @file
/// @brief Test helper: `RunCoro` runs one awaitable to completion on a private io_context.

#include <chrono>
#include <exception>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

namespace gw::runtime {

/// Runs `aw` on a fresh single-threaded io_context (the calling thread) and returns its result or
/// rethrows its exception. Throws std::runtime_error if it has not finished within `timeout`; the
/// unfinished coroutine is then destroyed without resuming.
template <class T>
T RunCoro(
    boost::asio::awaitable<T> aw, std::chrono::steady_clock::duration timeout = std::chrono::seconds(10)
) {
    std::exception_ptr error;
    bool done = false;
    if constexpr (std::is_void_v<T>) {
        boost::asio::io_context ioc;
        auto on_done = [&](std::exception_ptr e) {
            error = e;
            done = true;
        };
        boost::asio::co_spawn(ioc, std::move(aw), on_done);
        ioc.run_for(timeout);
        if (!done) {
            throw std::runtime_error("RunCoro: the coroutine did not finish in time");
        }
        if (error) {
            std::rethrow_exception(error);
        }
    } else {
        std::optional<T> value;
        boost::asio::io_context ioc;
        auto on_done = [&](std::exception_ptr e, T v) {
            error = e;
            if (!e) {
                value.emplace(std::move(v));
            }
            done = true;
        };
        boost::asio::co_spawn(ioc, std::move(aw), on_done);
        ioc.run_for(timeout);
        if (!done) {
            throw std::runtime_error("RunCoro: the coroutine did not finish in time");
        }
        if (error) {
            std::rethrow_exception(error);
        }
        return std::move(*value);
    }
}

}  // namespace gw::runtime
