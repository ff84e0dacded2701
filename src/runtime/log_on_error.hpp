#pragma once
/// @file
/// @brief `LogOnError`: the completion token for `co_spawn` that replaces the banned `asio::detached`.

#include <exception>
#include <string>
#include <utility>

namespace gw::runtime {

/// Completion handler for `co_spawn(ex, coro, LogOnError("name"))`. If the coroutine ended with an
/// exception it is logged (logger gw.runtime, field `coroutine` = name): `operation_aborted` (a
/// cancelled coroutine) at info, anything else at error. Never swallows silently. Copyable, thread-safe.
class LogOnError {
public:
    explicit LogOnError(std::string name) : name_(std::move(name)) {}

    void operator()(std::exception_ptr e) const {
        if (e) {
            Report(e);
        }
    }

    /// For coroutines that return a value: the value is discarded.
    template <class T>
    void operator()(std::exception_ptr e, T&& /*value*/) const {
        (*this)(e);
    }

    const std::string& Name() const noexcept { return name_; }

private:
    void Report(const std::exception_ptr& e) const;

    std::string name_;
};

}  // namespace gw::runtime
