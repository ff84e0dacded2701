#include "edge/rate_limiter.hpp"

namespace gw::edge {

std::int64_t CeilSeconds(std::chrono::nanoseconds d) noexcept {
    constexpr std::int64_t kNsPerSecond = 1'000'000'000;
    const std::int64_t ns = d.count();
    if (ns <= 0) {
        return 0;
    }
    return ns / kNsPerSecond + (ns % kNsPerSecond != 0 ? 1 : 0);
}

std::vector<std::pair<std::string, std::string>> RateLimitHeaders(const Decision& decision) {
    std::vector<std::pair<std::string, std::string>> headers;
    headers.reserve(4);
    headers.emplace_back("RateLimit-Limit", std::to_string(decision.limit));
    headers.emplace_back(
        "RateLimit-Remaining", std::to_string(decision.remaining < 0 ? 0 : decision.remaining)
    );
    headers.emplace_back("RateLimit-Reset", std::to_string(CeilSeconds(decision.reset_after)));
    if (!decision.allowed) {
        const std::int64_t retry = CeilSeconds(decision.retry_after);
        headers.emplace_back("Retry-After", std::to_string(retry < 1 ? 1 : retry));
    }
    return headers;
}

}  // namespace gw::edge
