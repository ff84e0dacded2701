#pragma once
/// @file
/// @brief Private to net: HttpClient's idle keep-alive connections, per (scheme, host, port).

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "net/internal/client_connection.hpp"

namespace gw::net::internal {

/// Thread-safe. Connections are handed out exclusively (a connection is either idle here or owned by one
/// exchange). Expired or dead idle connections are dropped lazily, on `Acquire`/`Release`.
class ClientPool {
public:
    ClientPool(std::size_t max_idle_per_host, std::chrono::milliseconds idle_timeout);

    /// The most recently used idle connection for `key` that is within the idle timeout and still looks
    /// alive (non-blocking peek), or null.
    std::unique_ptr<ClientConnection> Acquire(const std::string& key);

    /// Keeps `conn` idle (its response was read completely and keep-alive allowed), dropping the oldest
    /// idle connection of the host when over the limit.
    void Release(std::unique_ptr<ClientConnection> conn);

    std::size_t Idle() const;
    void Clear();

private:
    const std::size_t max_idle_per_host_;
    const std::chrono::milliseconds idle_timeout_;
    mutable std::mutex mutex_;  // never held across co_await
    std::unordered_map<std::string, std::vector<std::unique_ptr<ClientConnection>>> idle_;
};

}  // namespace gw::net::internal
