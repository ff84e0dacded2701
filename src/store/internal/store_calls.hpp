#pragma once
/// @file
/// @brief Awaitable helpers that run a value-returning function on the store's reader pool or writer
/// thread. The function owns its inputs (captured by value), so an abandoned coroutine cannot leave the
/// store thread with dangling references.

#include <memory>
#include <optional>
#include <utility>

#include <boost/asio/awaitable.hpp>

#include "base/error.hpp"
#include "drivers/sqlite/connection.hpp"
#include "store/embedded_store.hpp"

namespace gw::store::internal {

/// Runs `fn(Connection&) -> Result<T>` inside one read transaction.
template <class T, class Fn>
boost::asio::awaitable<Result<T>> ReadValue(EmbeddedStore& store, Fn fn) {
    auto out = std::make_shared<std::optional<T>>();
    EmbeddedStore::ReadFn read = [out, fn = std::move(fn)](sqlite::Connection& conn) mutable -> Result<void> {
        Result<T> value = fn(conn);
        if (!value) {
            return value.error();
        }
        out->emplace(std::move(*value));
        return Ok();
    };
    Result<void> done = co_await store.Read(std::move(read));
    if (!done) {
        co_return done.error();
    }
    co_return std::move(**out);
}

/// Runs `fn(Connection&) -> Result<T>` as one atomic group-commit write; resumes after COMMIT.
template <class T, class Fn>
boost::asio::awaitable<Result<T>> WriteValue(EmbeddedStore& store, Fn fn) {
    auto out = std::make_shared<std::optional<T>>();
    EmbeddedStore::WriteFn write = [out,
                                    fn = std::move(fn)](sqlite::Connection& conn) mutable -> Result<void> {
        Result<T> value = fn(conn);
        if (!value) {
            return value.error();
        }
        out->emplace(std::move(*value));
        return Ok();
    };
    Result<void> done = co_await store.Write(std::move(write));
    if (!done) {
        co_return done.error();
    }
    co_return std::move(**out);
}

/// WriteValue's blocking form (startup recovery, CLI). Not on an io thread.
template <class T, class Fn>
Result<T> WriteValueBlocking(EmbeddedStore& store, Fn fn) {
    std::optional<T> out;
    Result<void> done = store.WriteBlocking([&out, &fn](sqlite::Connection& conn) -> Result<void> {
        Result<T> value = fn(conn);
        if (!value) {
            return value.error();
        }
        out.emplace(std::move(*value));
        return Ok();
    });
    if (!done) {
        return done.error();
    }
    return std::move(*out);
}

}  // namespace gw::store::internal
