#include "domain/model_client.hpp"

namespace gw::domain {

Result<ModelRef> ParseModelRef(std::string_view text) {
    const auto slash = text.find('/');
    if (slash == std::string_view::npos) {
        return MakeError(
            ErrorCode::kInvalidArgument, "model reference '" + std::string(text) + "' is not provider/model"
        );
    }
    ModelRef ref{std::string(text.substr(0, slash)), std::string(text.substr(slash + 1))};
    if (ref.provider.empty() || ref.model.empty()) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            "model reference '" + std::string(text) + "' needs a non-empty provider and model"
        );
    }
    return ref;
}

std::string_view ModelErrorKindName(ModelErrorKind kind) noexcept {
    switch (kind) {
        case ModelErrorKind::kNotConfigured:
            return "not_configured";
        case ModelErrorKind::kAuth:
            return "auth";
        case ModelErrorKind::kBadRequest:
            return "bad_request";
        case ModelErrorKind::kContextLength:
            return "context_length";
        case ModelErrorKind::kRateLimited:
            return "rate_limited";
        case ModelErrorKind::kOverloaded:
            return "overloaded";
        case ModelErrorKind::kServer:
            return "server";
        case ModelErrorKind::kTimeout:
            return "timeout";
        case ModelErrorKind::kConnection:
            return "connection";
        case ModelErrorKind::kMalformedStream:
            return "malformed_stream";
        case ModelErrorKind::kAborted:
            return "aborted";
    }
    return "server";
}

bool IsRetryable(ModelErrorKind kind) noexcept {
    switch (kind) {
        case ModelErrorKind::kRateLimited:
        case ModelErrorKind::kOverloaded:
        case ModelErrorKind::kTimeout:
        case ModelErrorKind::kConnection:
        case ModelErrorKind::kServer:
            return true;
        default:
            return false;
    }
}

}  // namespace gw::domain
