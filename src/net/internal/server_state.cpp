#include "net/internal/server_state.hpp"

#include <algorithm>

namespace gw::net::internal {

ServerState::ServerState(
    const config::ServerOptions& opts, const Router& r, ServerObserver& obs, WebSocketHandler* ws
)
    : options(opts), router(r), observer(obs), ws_handler(ws) {
    for (const auto& [prefix, bytes] : options.route_body_limits) {
        body_limits_.emplace_back(prefix, bytes);
    }
    for (const auto& [prefix, timeout] : options.route_handler_timeouts) {
        handler_timeouts_.emplace_back(prefix, timeout);
    }
    const auto longest_first = [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); };
    std::stable_sort(body_limits_.begin(), body_limits_.end(), longest_first);
    std::stable_sort(handler_timeouts_.begin(), handler_timeouts_.end(), longest_first);
}

std::chrono::milliseconds ServerState::HandlerTimeoutFor(std::string_view path) const noexcept {
    for (const auto& [prefix, timeout] : handler_timeouts_) {
        if (path.starts_with(prefix)) {
            return timeout;
        }
    }
    return options.request_timeout;
}

std::size_t ServerState::BodyLimitFor(std::string_view path) const noexcept {
    for (const auto& [prefix, bytes] : body_limits_) {
        if (path.starts_with(prefix)) {
            return bytes;
        }
    }
    return options.max_body_bytes;
}

std::uint64_t ServerState::Register(std::weak_ptr<Connection> conn) {
    std::lock_guard lock(mutex_);
    const auto id = next_id_++;
    conns_.emplace(id, std::move(conn));
    return id;
}

void ServerState::Unregister(std::uint64_t id) {
    std::lock_guard lock(mutex_);
    conns_.erase(id);
}

std::vector<std::shared_ptr<Connection>> ServerState::Snapshot() {
    std::vector<std::shared_ptr<Connection>> out;
    std::lock_guard lock(mutex_);
    out.reserve(conns_.size());
    for (const auto& [id, weak] : conns_) {
        if (auto c = weak.lock()) {
            out.push_back(std::move(c));
        }
    }
    return out;
}

void ServerState::ConnectionClosed() noexcept {
    admitted.fetch_sub(1, std::memory_order_acq_rel);
    observer.OnConnectionClosed();
}

}  // namespace gw::net::internal
