#include "edge/edge_guard.hpp"

#include <algorithm>
#include <array>
#include <cstring>

#include "base/check.hpp"
#include "edge/client_address.hpp"

namespace gw::edge {
namespace {

/// "ip:" + the client identity's text, in a stack buffer.
class IpKey {
public:
    IpKey(const IpAddress& ip, int ipv6_prefix_length) noexcept {
        std::memcpy(buf_.data(), "ip:", 3);
        IpAddress::TextBuffer text{};
        const std::string_view s = ClientIdentity(ip, ipv6_prefix_length).Format(text);
        std::memcpy(buf_.data() + 3, s.data(), s.size());
        size_ = 3 + s.size();
    }

    std::string_view view() const noexcept { return {buf_.data(), size_}; }

private:
    std::array<char, 3 + IpAddress::kMaxTextLength> buf_{};
    std::size_t size_ = 0;
};

EdgeVerdict Deny(EdgeVerdict v, EdgeReason reason, std::string_view detail) {
    v.allowed = false;
    v.reason = reason;
    v.detail = detail;
    return v;
}

template <class T>
Result<void> Prefixed(const Result<T>& r, std::string_view path) {
    if (r) {
        return Ok();
    }
    return MakeError(r.error().code, std::string(path) + ": " + r.error().message);
}

}  // namespace

std::string_view EdgeReasonName(EdgeReason reason) noexcept {
    switch (reason) {
        case EdgeReason::kNone:
            return "";
        case EdgeReason::kIpDenied:
            return "ip_denied";
        case EdgeReason::kGeoBlocked:
            return "geo_blocked";
        case EdgeReason::kReputation:
            return "reputation";
        case EdgeReason::kRateLimited:
            return "rate_limited";
        case EdgeReason::kConnectionLimit:
            return "connection_limit";
    }
    return "";
}

EdgeGuard::EdgeGuard(const EdgeOptions& options, RateLimiter& limiter)
    : options_(options),
      limiter_(limiter),
      connections_(options.connections.max_per_ip, options.connections.ipv6_prefix_length),
      routes_(options.rate_limit.routes) {
    std::stable_sort(routes_.begin(), routes_.end(), [](const RouteRateLimit& a, const RouteRateLimit& b) {
        return a.path_prefix.size() > b.path_prefix.size();
    });
}

EdgeGuard::~EdgeGuard() = default;

Result<std::unique_ptr<EdgeGuard>> EdgeGuard::Create(const EdgeOptions& options, RateLimiter& limiter) {
    if (auto r = ValidateEdgeOptions(options); !r) {
        return r.error();
    }
    std::unique_ptr<EdgeGuard> guard(new EdgeGuard(options, limiter));
    auto trusted = CidrSet::Parse(options.client_address.trusted_proxies);
    auto filter = IpFilter::Create(options.ip_filter);
    if (!trusted || !filter) {  // unreachable after validation; kept so a parse error is never ignored
        return MakeError(ErrorCode::kInvalidArgument, "edge: invalid CIDR list");
    }
    guard->trusted_proxies_ = std::move(*trusted);
    guard->ip_filter_ = std::move(*filter);
    if (!options.geo.database_file.empty()) {
        auto geo = GeoFilter::Open(options.geo);
        if (auto r = Prefixed(geo, "edge.geo"); !r) {
            return r.error();
        }
        guard->geo_ = std::move(*geo);
    }
    if (!options.reputation.file.empty()) {
        auto rep = ReputationList::Open(options.reputation);
        if (auto r = Prefixed(rep, "edge.reputation"); !r) {
            return r.error();
        }
        guard->reputation_ = std::move(*rep);
    }
    return guard;
}

std::optional<IpAddress> EdgeGuard::ClientAddress(const net::HttpRequest& request) const {
    const auto peer = IpAddress::Parse(request.remote_ip);
    if (!peer) {
        return std::nullopt;
    }
    return ResolveClientAddress(
        *peer,
        request.headers,
        trusted_proxies_,
        options_.client_address.header,
        options_.client_address.max_hops
    );
}

EdgeVerdict EdgeGuard::CheckAddress(EdgeVerdict v) const {
    const IpAddress& client = v.client_ip;
    if (const auto f = ip_filter_.Check(client); !f.allowed) {
        return Deny(std::move(v), EdgeReason::kIpDenied, f.detail);
    }
    if (reputation_) {
        const auto rep = reputation_->Check(client);
        v.reputation_score = rep.score;
        if (rep.blocked) {
            return Deny(std::move(v), EdgeReason::kReputation, "");
        }
    }
    if (geo_) {
        auto g = geo_->Check(client);
        v.country = std::move(g.country);
        if (!g.allowed) {
            return Deny(std::move(v), EdgeReason::kGeoBlocked, "");
        }
    }
    return v;
}

EdgeVerdict EdgeGuard::ResolveAndCheck(const net::HttpRequest& request) const {
    EdgeVerdict v;
    const auto client = ClientAddress(request);
    if (!client) {
        return Deny(std::move(v), EdgeReason::kIpDenied, "bad_peer_address");
    }
    v.client_ip = *client;
    return CheckAddress(std::move(v));
}

EdgeVerdict EdgeGuard::EvaluateFilters(const net::HttpRequest& request) const {
    return ResolveAndCheck(request);
}

EdgeVerdict EdgeGuard::CheckConnection(const IpAddress& peer) const {
    EdgeVerdict v;
    v.client_ip = peer;
    if (trusted_proxies_.Contains(peer)) {
        return v;
    }
    return CheckAddress(std::move(v));
}

EdgeVerdict EdgeGuard::Evaluate(const net::HttpRequest& request, std::chrono::steady_clock::time_point now)
    const {
    EdgeVerdict v = ResolveAndCheck(request);
    if (!v.allowed) {
        return v;
    }
    const IpAddress& client = v.client_ip;
    const auto& rl = options_.rate_limit;
    if (!rl.enabled) {
        return v;
    }
    const IpKey ip_key(client, rl.ipv6_prefix_length);
    std::array<LimitKey, 2> keys;
    std::size_t n = 0;
    if (rl.per_ip) {
        keys[n++] = LimitKey{ip_key.view(), &*rl.per_ip};
    }
    std::string route_key;
    for (const auto& route : routes_) {
        if (request.path.starts_with(route.path_prefix)) {
            route_key.reserve(7 + route.path_prefix.size() + ip_key.view().size());
            route_key.append("route:").append(route.path_prefix).append("|").append(ip_key.view());
            keys[n++] = LimitKey{route_key, &route.policy};
            break;
        }
    }
    if (n == 0) {
        return v;
    }
    v.rate_limit = limiter_.CheckAll(std::span<const LimitKey>(keys.data(), n), now);
    if (!v.rate_limit->allowed) {
        return Deny(std::move(v), EdgeReason::kRateLimited, "pre_auth");
    }
    return v;
}

EdgeVerdict EdgeGuard::CheckSubject(
    const RateLimitSubject& subject, std::chrono::steady_clock::time_point now
) const {
    EdgeVerdict v;
    const auto& rl = options_.rate_limit;
    if (!rl.enabled) {
        return v;
    }
    std::array<std::string, 3> storage;
    std::array<LimitKey, 3> keys;
    std::size_t n = 0;
    auto add = [&](std::string_view prefix, std::string_view id, const std::optional<RateLimitPolicy>& policy
               ) {
        if (id.empty() || !policy) {
            return;
        }
        storage[n].append(prefix).append(id);
        keys[n] = LimitKey{storage[n], &*policy};
        ++n;
    };
    add("key:", subject.api_key_id, rl.per_api_key);
    add("user:", subject.user, rl.per_user);
    add("tenant:", subject.tenant, rl.per_tenant);
    if (n == 0) {
        return v;
    }
    v.rate_limit = limiter_.CheckAll(std::span<const LimitKey>(keys.data(), n), now);
    if (!v.rate_limit->allowed) {
        return Deny(std::move(v), EdgeReason::kRateLimited, "principal");
    }
    return v;
}

std::optional<ConnectionGuard> EdgeGuard::AcquireConnection(const IpAddress& peer) {
    if (trusted_proxies_.Contains(peer)) {
        return ConnectionGuard{};
    }
    return connections_.TryAcquire(peer);
}

void EdgeGuard::PollReloads(std::chrono::steady_clock::time_point now) {
    if (geo_) {
        geo_->PollReload(now);
    }
    if (reputation_) {
        reputation_->PollReload(now);
    }
}

net::HttpResponse RejectionResponse(const EdgeVerdict& verdict, std::string_view request_id) {
    GW_ASSERT(!verdict.allowed, "RejectionResponse needs a rejected verdict");
    if (verdict.reason == EdgeReason::kRateLimited) {
        auto resp = net::JsonError(429, "rate_limited", "rate limit exceeded", request_id);
        if (verdict.rate_limit) {
            for (auto& h : RateLimitHeaders(*verdict.rate_limit)) {
                resp.headers.push_back(std::move(h));
            }
        } else {
            resp.headers.emplace_back("Retry-After", "1");
        }
        return resp;
    }
    return net::JsonError(403, "permission_denied", "access denied", request_id);
}

}  // namespace gw::edge
