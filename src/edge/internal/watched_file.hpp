#pragma once
/// @file
/// @brief Internal: an immutable snapshot loaded from a file and swapped atomically when the file
/// changes (device, inode, mtime or size differ). Readers never block; reloads are serialised.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "obs/log.hpp"

namespace gw::edge::internal {

struct FileIdentity {
    std::uint64_t device = 0;
    std::uint64_t inode = 0;
    std::int64_t mtime_ns = 0;
    std::int64_t size = 0;

    friend bool operator==(const FileIdentity&, const FileIdentity&) = default;
};

/// stat(2) of `path`, or nullopt if it cannot be read.
std::optional<FileIdentity> StatFile(const std::string& path) noexcept;

/// Reads a whole file of at most `max_bytes`.
Result<std::string> ReadFileLimited(const std::string& path, std::size_t max_bytes);

template <class T>
class WatchedFile {
public:
    using Loader = std::function<Result<std::shared_ptr<const T>>(const std::string& path)>;

    WatchedFile(std::string path, std::chrono::nanoseconds check_interval, std::string what, Loader loader)
        : path_(std::move(path)),
          interval_(check_interval),
          what_(std::move(what)),
          loader_(std::move(loader)) {}

    /// The current snapshot (never null after a successful `ReloadIfChanged` or `Load`).
    std::shared_ptr<const T> Get() const noexcept { return current_.load(std::memory_order_acquire); }

    /// Loads the file if its identity differs from the last attempt. true = a new snapshot is live;
    /// false = unchanged; an error = the file is missing or bad (the previous snapshot stays live,
    /// and the same bad file is not retried until it changes).
    Result<bool> ReloadIfChanged() {
        std::lock_guard lock(reload_mu_);
        const auto id = StatFile(path_);
        if (!id) {
            return MakeError(ErrorCode::kUnavailable, what_ + ": cannot stat " + path_);
        }
        if (attempted_ && *id == last_attempt_) {
            return false;
        }
        attempted_ = true;
        last_attempt_ = *id;
        auto loaded = loader_(path_);
        if (!loaded) {
            return loaded.error();
        }
        current_.store(std::move(*loaded), std::memory_order_release);
        return true;
    }

    /// `ReloadIfChanged` at most once per check interval (measured with `now`); logs the outcome to
    /// `gw.edge`. Returns true when a new snapshot went live. Does file I/O: call it from the blocking
    /// pool or a timer thread, never from the request path.
    bool PollReload(std::chrono::steady_clock::time_point now) {
        const std::int64_t now_ns =
            std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
        std::int64_t due = next_check_ns_.load(std::memory_order_relaxed);
        if (now_ns < due || !next_check_ns_.compare_exchange_strong(due, now_ns + interval_.count())) {
            return false;  // not due, or another thread claimed this check
        }
        auto r = ReloadIfChanged();
        if (!r) {
            obs::Log(
                obs::LogLevel::kError,
                "gw.edge",
                what_ + " reload failed; keeping the previous one",
                {{"file", path_}, {"error", r.error().message}}
            );
            return false;
        }
        if (*r) {
            obs::Log(obs::LogLevel::kInfo, "gw.edge", what_ + " reloaded", {{"file", path_}});
        }
        return *r;
    }

    const std::string& path() const noexcept { return path_; }

private:
    std::string path_;
    std::chrono::nanoseconds interval_;
    std::string what_;
    Loader loader_;
    std::atomic<std::shared_ptr<const T>> current_;
    std::atomic<std::int64_t> next_check_ns_{0};
    std::mutex reload_mu_;
    bool attempted_ = false;  // guarded by reload_mu_
    FileIdentity last_attempt_;
};

}  // namespace gw::edge::internal
