#include "edge/edge_admission.hpp"

#include <algorithm>
#include <utility>

#include "edge/gcra_limiter.hpp"

namespace gw::edge {
namespace {

constexpr std::string_view kMetricName = "openclaw_edge_rejections_total";
constexpr std::string_view kMetricHelp =
    "Connections and requests refused by the edge guard, by reason (ip_denied, geo_blocked, "
    "reputation, rate_limited, connection_limit).";

constexpr std::array<EdgeReason, 5> kCountedReasons{
    EdgeReason::kIpDenied,
    EdgeReason::kGeoBlocked,
    EdgeReason::kReputation,
    EdgeReason::kRateLimited,
    EdgeReason::kConnectionLimit,
};

}  // namespace

/// Shared by the admission and every connection ticket: the guard references the limiter and a
/// ConnectionGuard references the guard's ConnectionLimiter.
struct EdgeAdmission::Core {
    std::shared_ptr<RateLimiter> limiter;
    std::unique_ptr<EdgeGuard> guard;
};

namespace {

/// A per-IP connection slot plus the ownership that keeps its limiter alive (declared first, so
/// the slot is released before the core can go).
class SlotTicket final : public net::AdmissionTicket {
public:
    SlotTicket(std::shared_ptr<const void> owner, ConnectionGuard slot)
        : owner_(std::move(owner)), slot_(std::move(slot)) {}

private:
    std::shared_ptr<const void> owner_;
    ConnectionGuard slot_;
};

}  // namespace

Result<std::shared_ptr<EdgeAdmission>> EdgeAdmission::Create(
    const EdgeOptions& options, obs::Registry& registry, EdgeAdmissionSettings settings
) {
    auto core = std::make_shared<Core>();
    core->limiter = settings.limiter;
    if (!core->limiter) {
        core->limiter = std::make_shared<GcraLimiter>(options.rate_limit.max_keys);
    }
    auto guard = EdgeGuard::Create(options, *core->limiter);
    if (!guard) {
        return guard.error();
    }
    core->guard = std::move(*guard);
    return std::shared_ptr<EdgeAdmission>(new EdgeAdmission(std::move(core), std::move(settings), registry));
}

EdgeAdmission::EdgeAdmission(
    std::shared_ptr<Core> core, EdgeAdmissionSettings settings, obs::Registry& registry
)
    : core_(std::move(core)), settings_(std::move(settings)) {
    auto& family = registry.Counters(kMetricName, kMetricHelp, {"reason"});
    for (const EdgeReason reason : kCountedReasons) {
        rejections_[static_cast<std::size_t>(reason)] = &family.WithLabels({EdgeReasonName(reason)});
    }
}

EdgeAdmission::~EdgeAdmission() = default;

EdgeGuard& EdgeAdmission::Guard() noexcept {
    return *core_->guard;
}

void EdgeAdmission::PollReloads(std::chrono::steady_clock::time_point now) {
    core_->guard->PollReloads(now);
}

std::uint64_t EdgeAdmission::Rejections(EdgeReason reason) const noexcept {
    const obs::Counter* c = rejections_[static_cast<std::size_t>(reason)];
    return c == nullptr ? 0 : c->Value();
}

void EdgeAdmission::Count(EdgeReason reason) noexcept {
    if (obs::Counter* c = rejections_[static_cast<std::size_t>(reason)]) {
        c->Inc();
    }
}

bool EdgeAdmission::IsExempt(std::string_view path) const noexcept {
    const auto& exempt = settings_.rate_limit_exempt_paths;
    return std::find(exempt.begin(), exempt.end(), path) != exempt.end();
}

net::AcceptDecision EdgeAdmission::OnAccept(std::string_view peer_ip) {
    const auto peer = IpAddress::Parse(peer_ip);
    if (!peer) {
        Count(EdgeReason::kIpDenied);
        return net::AcceptDecision{false, nullptr};
    }
    EdgeGuard& guard = *core_->guard;
    if (const EdgeVerdict v = guard.CheckConnection(*peer); !v.allowed) {
        Count(v.reason);
        return net::AcceptDecision{false, nullptr};
    }
    auto slot = guard.AcquireConnection(*peer);
    if (!slot) {
        Count(EdgeReason::kConnectionLimit);
        return net::AcceptDecision{false, nullptr};
    }
    if (!slot->holds_slot()) {
        return net::AcceptDecision{true, nullptr};  // exempt (trusted proxy)
    }
    return net::AcceptDecision{true, std::make_unique<SlotTicket>(core_, std::move(*slot))};
}

net::RequestDecision EdgeAdmission::OnRequest(net::HttpRequest& request) {
    const EdgeGuard& guard = *core_->guard;
    EdgeVerdict v;
    if (IsExempt(request.path)) {
        v = guard.EvaluateFilters(request);
    } else {
        const auto now = settings_.clock ? settings_.clock() : std::chrono::steady_clock::now();
        v = guard.Evaluate(request, now);
    }
    const bool resolved = v.allowed || v.detail != "bad_peer_address";
    if (resolved) {
        IpAddress::TextBuffer text{};
        request.client_ip.assign(v.client_ip.Format(text));
    }
    net::RequestDecision decision;
    if (!v.allowed) {
        Count(v.reason);
        decision.reject = RejectionResponse(v, request.request_id);
        return decision;
    }
    if (v.rate_limit) {
        decision.headers = RateLimitHeaders(*v.rate_limit);
    }
    return decision;
}

}  // namespace gw::edge
