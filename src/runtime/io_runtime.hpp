#pragma once
/// @file
/// @brief The process's io_context and the threads that run it (ENGINEERING.md C5).

#include <boost/asio/io_context.hpp>

namespace gw::runtime {

/// Owns the one io_context of the process. `Run` keeps it alive with a work guard until `Stop`, so an
/// idle server does not make `Run` return early.
class IoRuntime {
public:
    IoRuntime();
    ~IoRuntime();
    IoRuntime(const IoRuntime&) = delete;
    IoRuntime& operator=(const IoRuntime&) = delete;

    /// The io_context; valid for the lifetime of this object. Thread-safe.
    boost::asio::io_context& Context() noexcept { return ioc_; }

    /// Runs the io_context on `threads` threads: the caller plus `threads - 1` new ones (`threads <= 0`
    /// means the number of cores). Returns after `Stop` once every thread has left `run()`, joining them.
    /// An exception escaping a completion handler is logged (gw.runtime, critical) and the thread keeps
    /// running. Call from one thread at a time. After `Stop`, later calls return immediately.
    void Run(int threads);

    /// Makes every `Run` return as soon as the running handlers finish; pending handlers stay queued
    /// (they are destroyed with the io_context). Thread-safe; may be called from a handler.
    void Stop() noexcept;

private:
    boost::asio::io_context ioc_;
};

}  // namespace gw::runtime
