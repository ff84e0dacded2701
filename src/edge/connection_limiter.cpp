#include "edge/connection_limiter.hpp"

#include <array>
#include <mutex>
#include <unordered_map>
#include <utility>

namespace gw::edge {
namespace {

constexpr std::size_t kShards = 16;

}  // namespace

struct ConnectionLimiter::State {
    struct Shard {
        alignas(64) std::mutex mu;
        std::unordered_map<IpAddress, std::size_t, IpAddressHash> counts;
    };

    std::array<Shard, kShards> shards;

    Shard& For(const IpAddress& key) noexcept { return shards[IpAddressHash{}(key) % kShards]; }
};

ConnectionGuard::ConnectionGuard(ConnectionGuard&& other) noexcept
    : limiter_(std::exchange(other.limiter_, nullptr)), key_(other.key_) {}

ConnectionGuard& ConnectionGuard::operator=(ConnectionGuard&& other) noexcept {
    if (this != &other) {
        Release();
        limiter_ = std::exchange(other.limiter_, nullptr);
        key_ = other.key_;
    }
    return *this;
}

ConnectionGuard::~ConnectionGuard() {
    Release();
}

void ConnectionGuard::Release() noexcept {
    if (limiter_ != nullptr) {
        std::exchange(limiter_, nullptr)->ReleaseKey(key_);
    }
}

ConnectionLimiter::ConnectionLimiter(std::size_t max_per_ip, int ipv6_prefix_length)
    : max_per_ip_(max_per_ip), ipv6_prefix_length_(ipv6_prefix_length), state_(std::make_unique<State>()) {}

ConnectionLimiter::~ConnectionLimiter() = default;

std::optional<ConnectionGuard> ConnectionLimiter::TryAcquire(const IpAddress& peer) {
    const IpAddress key = ClientIdentity(peer, ipv6_prefix_length_);
    auto& shard = state_->For(key);
    std::lock_guard lock(shard.mu);
    auto [it, inserted] = shard.counts.try_emplace(key, 0);
    if (max_per_ip_ != 0 && it->second >= max_per_ip_) {
        return std::nullopt;  // cannot be a fresh entry: max_per_ip_ ≥ 1
    }
    ++it->second;
    return ConnectionGuard(this, key);
}

void ConnectionLimiter::ReleaseKey(const IpAddress& key) noexcept {
    auto& shard = state_->For(key);
    std::lock_guard lock(shard.mu);
    auto it = shard.counts.find(key);
    if (it == shard.counts.end()) {
        return;  // cannot happen: a guard exists only for a counted key
    }
    if (--it->second == 0) {
        shard.counts.erase(it);
    }
}

std::size_t ConnectionLimiter::Count(const IpAddress& peer) const {
    const IpAddress key = ClientIdentity(peer, ipv6_prefix_length_);
    auto& shard = state_->For(key);
    std::lock_guard lock(shard.mu);
    auto it = shard.counts.find(key);
    return it == shard.counts.end() ? 0 : it->second;
}

std::size_t ConnectionLimiter::TrackedClients() const {
    std::size_t n = 0;
    for (auto& shard : state_->shards) {
        std::lock_guard lock(shard.mu);
        n += shard.counts.size();
    }
    return n;
}

}  // namespace gw::edge
