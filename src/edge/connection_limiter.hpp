#pragma once
/// @file
/// @brief Per-client caps on concurrent connections, with an RAII guard per accepted connection.

#include <cstddef>
#include <memory>
#include <optional>

#include "edge/ip_address.hpp"

namespace gw::edge {

class ConnectionLimiter;

/// Holds one connection slot; releases it when destroyed. A default-constructed guard holds
/// nothing (used for exempt peers). Movable, not copyable. The limiter must outlive its guards.
class ConnectionGuard {
public:
    ConnectionGuard() noexcept = default;
    ConnectionGuard(ConnectionGuard&& other) noexcept;
    ConnectionGuard& operator=(ConnectionGuard&& other) noexcept;
    ConnectionGuard(const ConnectionGuard&) = delete;
    ConnectionGuard& operator=(const ConnectionGuard&) = delete;
    ~ConnectionGuard();

    /// Gives the slot back now (idempotent).
    void Release() noexcept;

    bool holds_slot() const noexcept { return limiter_ != nullptr; }

private:
    friend class ConnectionLimiter;

    ConnectionGuard(ConnectionLimiter* limiter, const IpAddress& key) noexcept
        : limiter_(limiter), key_(key) {}

    ConnectionLimiter* limiter_ = nullptr;
    IpAddress key_;
};

/// Counts open connections per client identity (the IPv4 address, or the IPv6 /`ipv6_prefix_length`
/// prefix). Memory is proportional to the clients with open connections (a count reaching 0 is
/// erased). Thread-safe (16 mutex shards); acquire and release are O(1).
class ConnectionLimiter {
public:
    /// `max_per_ip` 0 = unlimited (guards are still counted).
    explicit ConnectionLimiter(std::size_t max_per_ip, int ipv6_prefix_length = 64);
    ~ConnectionLimiter();

    ConnectionLimiter(const ConnectionLimiter&) = delete;
    ConnectionLimiter& operator=(const ConnectionLimiter&) = delete;

    /// A guard if `peer` is below its cap, else nullopt (the caller closes the connection).
    std::optional<ConnectionGuard> TryAcquire(const IpAddress& peer);

    /// Open connections counted for `peer`'s identity.
    std::size_t Count(const IpAddress& peer) const;

    /// Distinct identities with open connections.
    std::size_t TrackedClients() const;

private:
    friend class ConnectionGuard;
    struct State;

    void ReleaseKey(const IpAddress& key) noexcept;

    std::size_t max_per_ip_;
    int ipv6_prefix_length_;
    std::unique_ptr<State> state_;
};

}  // namespace gw::edge
