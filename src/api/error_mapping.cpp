#include "api/error_mapping.hpp"

namespace gw::api {

int HttpStatusFor(ErrorCode code) noexcept {
    switch (code) {
        case ErrorCode::kInvalidArgument:
            return 400;
        case ErrorCode::kUnauthenticated:
            return 401;
        case ErrorCode::kPermissionDenied:
            return 403;
        case ErrorCode::kNotFound:
            return 404;
        case ErrorCode::kConflict:
            return 409;
        case ErrorCode::kRateLimited:
            return 429;
        case ErrorCode::kUnavailable:
            return 503;
        case ErrorCode::kDeadlineExceeded:
            return 504;
        case ErrorCode::kUpstreamError:
            return 502;
        case ErrorCode::kInternal:
            return 500;
    }
    return 500;
}

std::string_view PublicMessageFor(ErrorCode code) noexcept {
    switch (code) {
        case ErrorCode::kInvalidArgument:
            return "invalid request";
        case ErrorCode::kUnauthenticated:
            return "authentication required";
        case ErrorCode::kPermissionDenied:
            return "permission denied";
        case ErrorCode::kNotFound:
            return "not found";
        case ErrorCode::kConflict:
            return "conflict";
        case ErrorCode::kRateLimited:
            return "rate limited";
        case ErrorCode::kUnavailable:
            return "service unavailable";
        case ErrorCode::kDeadlineExceeded:
            return "deadline exceeded";
        case ErrorCode::kUpstreamError:
            return "upstream error";
        case ErrorCode::kInternal:
            return "internal error";
    }
    return "internal error";
}

net::HttpResponse ErrorResponse(
    const Error& error, std::string_view request_id, std::string_view public_message
) {
    const std::string_view message = public_message.empty() ? PublicMessageFor(error.code) : public_message;
    auto resp = net::JsonError(HttpStatusFor(error.code), ErrorCodeName(error.code), message, request_id);
    if (error.code == ErrorCode::kUnavailable || error.code == ErrorCode::kRateLimited) {
        resp.headers.emplace_back("Retry-After", "1");
    }
    return resp;
}

}  // namespace gw::api
