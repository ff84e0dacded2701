#include "edge/ip_filter.hpp"

namespace gw::edge {

Result<IpFilter> IpFilter::Create(const IpFilterOptions& options) {
    auto allow = CidrSet::Parse(options.allow);
    if (!allow) {
        return MakeError(ErrorCode::kInvalidArgument, "allow: " + allow.error().message);
    }
    auto deny = CidrSet::Parse(options.deny);
    if (!deny) {
        return MakeError(ErrorCode::kInvalidArgument, "deny: " + deny.error().message);
    }
    return IpFilter(std::move(*allow), std::move(*deny));
}

IpFilterDecision IpFilter::Check(const IpAddress& ip) const noexcept {
    if (deny_.Contains(ip)) {
        return {false, "deny_list"};
    }
    if (!allow_.empty() && !allow_.Contains(ip)) {
        return {false, "not_in_allow_list"};
    }
    return {};
}

}  // namespace gw::edge
