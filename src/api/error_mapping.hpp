#pragma once
/// @file
/// @brief The one ErrorCode → HTTP status / public error code mapping (ENGINEERING.md C4). Internal error
/// messages never reach clients: the public body carries a generic message per code.

#include <string_view>

#include "base/error.hpp"
#include "net/http_types.hpp"

namespace gw::api {

int HttpStatusFor(ErrorCode code) noexcept;

/// A generic, safe-to-publish message for a code ("invalid request", "not found", ...).
std::string_view PublicMessageFor(ErrorCode code) noexcept;

/// `{"error":{"code","message","request_id"}}` with the mapped status. `public_message` overrides the
/// generic text when the caller knows the detail is safe to show (e.g. a validation message).
net::HttpResponse ErrorResponse(
    const Error& error, std::string_view request_id, std::string_view public_message = {}
);

}  // namespace gw::api
