#include "api/http_auth_limiter.hpp"

#include <algorithm>
#include <deque>
#include <mutex>
#include <unordered_map>

namespace gw::api {
namespace {

using TimePoint = std::chrono::steady_clock::time_point;

struct Entry {
    std::deque<TimePoint> failures;  ///< within the window, oldest first
    TimePoint locked_until{};        ///< lockout end; default (epoch) = not locked
    TimePoint last_seen{};
};

std::chrono::seconds CeilSeconds(std::chrono::steady_clock::duration d) {
    auto secs = std::chrono::ceil<std::chrono::seconds>(d);
    return std::max(secs, std::chrono::seconds(1));
}

}  // namespace

struct HttpAuthLimiter::Impl {
    HttpAuthLimiterOptions options;
    Clock clock;
    mutable std::mutex mutex;
    std::unordered_map<std::string, Entry> entries;

    TimePoint Now() const { return clock ? clock() : std::chrono::steady_clock::now(); }

    bool Exempt(std::string_view ip) const { return options.exempt_loopback && IsLoopbackAddress(ip); }

    void Prune(Entry& entry, TimePoint now) const {
        while (!entry.failures.empty() && now - entry.failures.front() >= options.window) {
            entry.failures.pop_front();
        }
    }

    /// Keeps the map bounded: drops idle entries, then the least recently seen ones. Caller holds mutex.
    void Bound(TimePoint now) {
        if (entries.size() < options.max_tracked_ips) {
            return;
        }
        for (auto it = entries.begin(); it != entries.end();) {
            Prune(it->second, now);
            if (it->second.failures.empty() && it->second.locked_until <= now) {
                it = entries.erase(it);
            } else {
                ++it;
            }
        }
        while (entries.size() >= options.max_tracked_ips && !entries.empty()) {
            auto oldest = std::min_element(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
                return a.second.last_seen < b.second.last_seen;
            });
            entries.erase(oldest);
        }
    }
};

HttpAuthLimiter::HttpAuthLimiter(HttpAuthLimiterOptions options, Clock clock)
    : impl_(std::make_unique<Impl>()) {
    impl_->options = options;
    impl_->clock = std::move(clock);
}

HttpAuthLimiter::~HttpAuthLimiter() = default;

HttpAuthLimiterOptions HttpAuthLimiter::GatewayDefaults() {
    return HttpAuthLimiterOptions{};
}

HttpAuthLimiterOptions HttpAuthLimiter::HookDefaults() {
    HttpAuthLimiterOptions options;
    options.max_failures = 20;
    options.window = std::chrono::seconds(60);
    options.lockout = std::chrono::seconds(60);
    options.exempt_loopback = false;
    return options;
}

std::optional<std::chrono::seconds> HttpAuthLimiter::RetryAfter(std::string_view ip) const {
    if (impl_->Exempt(ip)) {
        return std::nullopt;
    }
    const auto now = impl_->Now();
    std::lock_guard lock(impl_->mutex);
    auto it = impl_->entries.find(std::string(ip));
    if (it == impl_->entries.end() || it->second.locked_until <= now) {
        return std::nullopt;
    }
    return CeilSeconds(it->second.locked_until - now);
}

std::optional<std::chrono::seconds> HttpAuthLimiter::RecordFailure(std::string_view ip) {
    if (impl_->Exempt(ip)) {
        return std::nullopt;
    }
    const auto now = impl_->Now();
    std::lock_guard lock(impl_->mutex);
    auto it = impl_->entries.find(std::string(ip));
    if (it == impl_->entries.end()) {
        impl_->Bound(now);
        it = impl_->entries.emplace(std::string(ip), Entry{}).first;
    }
    Entry& entry = it->second;
    entry.last_seen = now;
    if (entry.locked_until > now) {
        return CeilSeconds(entry.locked_until - now);
    }
    impl_->Prune(entry, now);
    entry.failures.push_back(now);
    if (entry.failures.size() >= impl_->options.max_failures) {
        entry.failures.clear();
        entry.locked_until = now + impl_->options.lockout;
        return CeilSeconds(impl_->options.lockout);
    }
    return std::nullopt;
}

void HttpAuthLimiter::RecordSuccess(std::string_view ip) {
    std::lock_guard lock(impl_->mutex);
    auto it = impl_->entries.find(std::string(ip));
    if (it != impl_->entries.end() && it->second.locked_until <= impl_->Now()) {
        impl_->entries.erase(it);
    }
}

std::size_t HttpAuthLimiter::TrackedIps() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->entries.size();
}

bool IsLoopbackAddress(std::string_view ip) noexcept {
    if (ip.size() >= 2 && ip.front() == '[' && ip.back() == ']') {
        ip = ip.substr(1, ip.size() - 2);
    }
    if (ip == "::1" || ip == "0:0:0:0:0:0:0:1") {
        return true;
    }
    constexpr std::string_view kMapped = "::ffff:";
    if (ip.size() > kMapped.size()) {
        bool mapped = true;
        for (std::size_t i = 0; i < kMapped.size(); ++i) {
            const char c = ip[i];
            const char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
            if (lower != kMapped[i]) {
                mapped = false;
                break;
            }
        }
        if (mapped) {
            ip.remove_prefix(kMapped.size());
        }
    }
    return ip.starts_with("127.") && ip.find(':') == std::string_view::npos;
}

}  // namespace gw::api
