#pragma once
/// @file
/// @brief Private to providers: one HTTP call to one upstream (no retries): request building, the
/// streaming or non-streaming exchange, timeouts and cancellation.

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "config/agent_options.hpp"
#include "domain/model_client.hpp"
#include "net/http_client.hpp"
#include "providers/internal/wire_format.hpp"

namespace gw::providers::internal {

/// A configured provider: options, its HTTP client and its wire adapter.
struct Upstream {
    config::ProviderOptions options;
    std::string base_url;  ///< without a trailing '/'
    std::unique_ptr<net::HttpClient> client;
    std::unique_ptr<WireFormat> wire;
};

struct CallOutcome {
    domain::ModelResult result;
    std::optional<std::chrono::steady_clock::time_point> first_delta_at;  ///< a delta reached the sink
};

/// Body limit of non-streaming responses.
inline constexpr std::size_t kMaxResponseBytes = 32 * 1024 * 1024;

/// Calls `up` once with `request` (its `model.model` is sent). Streaming deltas go to `sink` as they
/// arrive; a non-streaming answer is sent to `sink` once complete. The error message is not yet
/// redacted (the router does that). `up` and `request` must outlive the call.
boost::asio::awaitable<CallOutcome> CallUpstream(
    const Upstream& up, const domain::ModelRequest& request, const domain::DeltaSink& sink
);

}  // namespace gw::providers::internal
