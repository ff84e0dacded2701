#include "net/internal/client_pool.hpp"

#include <utility>

namespace gw::net::internal {

ClientPool::ClientPool(std::size_t max_idle_per_host, std::chrono::milliseconds idle_timeout)
    : max_idle_per_host_(max_idle_per_host), idle_timeout_(idle_timeout) {}

std::unique_ptr<ClientConnection> ClientPool::Acquire(const std::string& key) {
    std::vector<std::unique_ptr<ClientConnection>> dropped;  // closed outside the lock
    std::unique_ptr<ClientConnection> found;
    {
        std::lock_guard lock(mutex_);
        const auto it = idle_.find(key);
        if (it == idle_.end()) {
            return nullptr;
        }
        auto& conns = it->second;
        const auto now = ClientClock::now();
        while (!conns.empty()) {
            auto conn = std::move(conns.back());
            conns.pop_back();
            if (now - conn->idle_since < idle_timeout_ && conn->LooksIdleAndAlive()) {
                found = std::move(conn);
                break;
            }
            dropped.push_back(std::move(conn));
        }
        if (conns.empty()) {
            idle_.erase(it);
        }
    }
    return found;
}

void ClientPool::Release(std::unique_ptr<ClientConnection> conn) {
    if (max_idle_per_host_ == 0) {
        return;
    }
    conn->idle_since = ClientClock::now();
    std::unique_ptr<ClientConnection> dropped;
    std::lock_guard lock(mutex_);
    auto& conns = idle_[conn->Key()];
    if (conns.size() >= max_idle_per_host_) {
        dropped = std::move(conns.front());
        conns.erase(conns.begin());
    }
    conns.push_back(std::move(conn));
}

std::size_t ClientPool::Idle() const {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const auto& [key, conns] : idle_) {
        n += conns.size();
    }
    return n;
}

void ClientPool::Clear() {
    decltype(idle_) dropped;
    std::lock_guard lock(mutex_);
    dropped.swap(idle_);
}

}  // namespace gw::net::internal
