#include "base/error.hpp"

namespace gw {

std::string_view ErrorCodeName(ErrorCode code) noexcept {
    switch (code) {
        case ErrorCode::kInvalidArgument:
            return "invalid_argument";
        case ErrorCode::kUnauthenticated:
            return "unauthenticated";
        case ErrorCode::kPermissionDenied:
            return "permission_denied";
        case ErrorCode::kNotFound:
            return "not_found";
        case ErrorCode::kConflict:
            return "conflict";
        case ErrorCode::kRateLimited:
            return "rate_limited";
        case ErrorCode::kUnavailable:
            return "unavailable";
        case ErrorCode::kDeadlineExceeded:
            return "deadline_exceeded";
        case ErrorCode::kUpstreamError:
            return "upstream_error";
        case ErrorCode::kInternal:
            return "internal";
    }
    return "internal";
}

void throw_exception_from_error(const Error& e, const boost::source_location& /*loc*/) {
    throw ErrorException(e);
}

}  // namespace gw
