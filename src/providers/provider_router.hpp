#pragma once
/// @file
/// @brief ProviderRouter: the domain::ModelClient the application hands to the run engine. It sends a
/// ModelRequest to the provider named by `request.model` (`models.providers.<id>`) in that provider's
/// wire API, retries transient failures with backoff, and walks `request.fallbacks`.

#include <memory>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include "base/error.hpp"
#include "config/agent_options.hpp"
#include "domain/model_client.hpp"

namespace gw::obs {
class Registry;
}  // namespace gw::obs

namespace gw::providers {

/// Routes model calls to the configured upstream LLM providers.
///
/// Per provider: one net::HttpClient (keep-alive pool, `connect_timeout`, `verify_tls`, `ca_file`) and
/// one wire adapter chosen by `api` ("openai-completions", "anthropic-messages", "openai-responses").
/// Each call is bounded by min(`request_timeout`, `request.deadline`); a stream is also bounded by
/// `idle_timeout` per chunk (and for the response head).
///
/// Retries: a retryable failure (rate_limited, overloaded, timeout, connection, server) is retried up to
/// `max_retries` times with exponential backoff (`retry_base_delay` × 2^n, equal jitter) or the
/// upstream's Retry-After / retry-after-ms, both capped by `retry_max_delay`; never when the wait would
/// pass the deadline, and never after a delta was delivered. Then the next model of `request.fallbacks`
/// is tried, except after bad_request, context_length or aborted, or once output started.
///
/// Every attempt is logged (logger "gw.providers": provider, model, attempt, outcome, status, reason,
/// ms) and counted in the `openclaw_llm_*` metric families. Error messages and logs never contain an
/// API key.
///
/// Thread-safe: any number of Complete calls may run concurrently on any executors. The router must
/// outlive its calls. Terminal cancellation of the awaiting coroutine closes the upstream connection
/// and yields kAborted.
class ProviderRouter final : public domain::ModelClient {
public:
    /// Builds one client per provider. kInvalidArgument naming `models.providers.<id>.<field>` for an
    /// unknown `api`, a `base_url` that is not http(s)://, or an unreadable `ca_file`. `registry` must
    /// outlive the router.
    static Result<std::unique_ptr<ProviderRouter>> Create(
        boost::asio::io_context& ioc, const config::ModelsOptions& options, obs::Registry& registry
    );

    ~ProviderRouter() override;
    ProviderRouter(const ProviderRouter&) = delete;
    ProviderRouter& operator=(const ProviderRouter&) = delete;

    boost::asio::awaitable<domain::ModelResult> Complete(domain::ModelRequest request, domain::DeltaSink sink)
        override;

    /// The configured provider ids, sorted.
    std::vector<std::string> ProviderIds() const;

private:
    struct Impl;

    explicit ProviderRouter(std::unique_ptr<Impl> impl);

    std::unique_ptr<Impl> impl_;
};

}  // namespace gw::providers
