#pragma once
/// @file
/// @brief `EdgeAdmission`: the edge guard plugged into the HTTP server (`net::Admission`). At accept:
/// IP allow/deny, reputation and country of the TCP peer (trusted proxies excepted) and the per-IP
/// connection cap; refused sockets are closed. Per request: client address from trusted proxies
/// (written to `HttpRequest::client_ip`), the same address checks on it, then the per-IP and
/// per-route rate limits (`429` + `Retry-After` + `RateLimit-*`; `RateLimit-*` also on admitted
/// answers). Every refusal is counted in `openclaw_edge_rejections_total{reason}`.

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "edge/edge_guard.hpp"
#include "edge/options.hpp"
#include "edge/rate_limiter.hpp"
#include "net/admission.hpp"
#include "obs/metrics.hpp"

namespace gw::edge {

/// The health and metrics routes (exact paths): never rate-limited, because load balancers and
/// scrapers poll them at a steady rate from few addresses; the address filters still apply.
inline const std::vector<std::string>& DefaultRateLimitExemptPaths() {
    static const std::vector<std::string> paths{
        "/health", "/healthz", "/ready", "/readyz", "/startup", "/startupz", "/metrics"};
    return paths;
}

/// Settings of the adapter itself (not part of the YAML `edge:` section).
struct EdgeAdmissionSettings {
    std::vector<std::string> rate_limit_exempt_paths = DefaultRateLimitExemptPaths();  ///< exact paths
    /// Time source for the rate limits; null = steady_clock::now (tests inject a fake).
    std::function<std::chrono::steady_clock::time_point()> clock;
    /// The limiter (cluster mode injects a shared one); null = an in-process GcraLimiter sized by
    /// `edge.rate_limit.max_keys`.
    std::shared_ptr<RateLimiter> limiter;
};

/// Thread-safe. Owns the limiter and the guard; connection tickets share that ownership, so a
/// connection may outlive the admission object (e.g. frames destroyed with the io_context).
class EdgeAdmission final : public net::Admission {
public:
    /// Builds the guard (see EdgeGuard::Create for the errors) and registers the metric family.
    static Result<std::shared_ptr<EdgeAdmission>> Create(
        const EdgeOptions& options, obs::Registry& registry, EdgeAdmissionSettings settings = {}
    );

    ~EdgeAdmission() override;
    EdgeAdmission(const EdgeAdmission&) = delete;
    EdgeAdmission& operator=(const EdgeAdmission&) = delete;

    net::AcceptDecision OnAccept(std::string_view peer_ip) override;
    net::RequestDecision OnRequest(net::HttpRequest& request) override;

    /// The guard, e.g. for post-auth `CheckSubject` in the api layer.
    EdgeGuard& Guard() noexcept;

    /// Reloads the geo database / reputation file when due and changed. File I/O: call from a
    /// blocking-pool thread (see EdgeGuard::PollReloads).
    void PollReloads(std::chrono::steady_clock::time_point now);

    /// Refusals counted so far for `reason` (kNone → 0).
    std::uint64_t Rejections(EdgeReason reason) const noexcept;

private:
    struct Core;
    static constexpr std::size_t kReasonCount = 6;  // EdgeReason values

    EdgeAdmission(std::shared_ptr<Core> core, EdgeAdmissionSettings settings, obs::Registry& registry);
    void Count(EdgeReason reason) noexcept;
    bool IsExempt(std::string_view path) const noexcept;

    std::shared_ptr<Core> core_;
    EdgeAdmissionSettings settings_;
    std::array<obs::Counter*, kReasonCount> rejections_{};
};

}  // namespace gw::edge
