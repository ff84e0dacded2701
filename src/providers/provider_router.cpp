#include "providers/provider_router.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <map>
#include <random>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "obs/log.hpp"
#include "providers/internal/error_classify.hpp"
#include "providers/internal/provider_metrics.hpp"
#include "providers/internal/upstream_call.hpp"

namespace gw::providers {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using domain::ModelError;
using domain::ModelErrorKind;
using domain::ModelResult;
using std::chrono::milliseconds;

constexpr std::string_view kLogger = "gw.providers";
/// Idle keep-alive connections kept per upstream host (net::HttpClientOptions::max_idle_per_host).
constexpr std::size_t kMaxIdleUpstreamConnections = 256;

/// `retry_base_delay` × 2^retry with equal jitter, or the upstream's Retry-After; capped by
/// `retry_max_delay`.
milliseconds Backoff(const config::ProviderOptions& o, int retry, std::optional<milliseconds> retry_after) {
    if (retry_after) {
        return std::min(*retry_after, o.retry_max_delay);
    }
    const double cap = static_cast<double>(o.retry_max_delay.count());
    const double base =
        std::min(cap, static_cast<double>(o.retry_base_delay.count()) * std::ldexp(1.0, retry));
    thread_local std::mt19937_64 rng{std::random_device{}()};
    std::uniform_real_distribution<double> jitter(0.5, 1.0);
    return milliseconds(static_cast<std::int64_t>(base * jitter(rng)));
}

/// Waits `delay`; false when the awaiting coroutine was cancelled.
asio::awaitable<bool> Sleep(milliseconds delay) {
    try {
        asio::steady_timer timer(co_await asio::this_coro::executor, delay);
        auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        co_return !ec;
    } catch (const boost::system::system_error&) {
        co_return false;  // cancelled before the wait could start
    }
}

ModelResult Failure(ModelError error) {
    ModelResult r;
    r.error = std::move(error);
    return r;
}

bool EndsChain(ModelErrorKind kind) {
    return kind == ModelErrorKind::kBadRequest || kind == ModelErrorKind::kContextLength ||
           kind == ModelErrorKind::kAborted;
}

}  // namespace

struct ProviderRouter::Impl {
    explicit Impl(obs::Registry& registry) : metrics(registry) {}

    std::map<std::string, std::unique_ptr<internal::Upstream>, std::less<>> upstreams;
    internal::ProviderMetrics metrics;

    /// The retry and fallback loop of one Complete call.
    asio::awaitable<ModelResult> Run(domain::ModelRequest request, domain::DeltaSink sink);

    void LogAttempt(const domain::ModelRef& ref, int attempt, const ModelResult& r, Clock::duration took) {
        const auto ms = std::to_string(std::chrono::duration_cast<milliseconds>(took).count());
        const auto n = std::to_string(attempt);
        if (r.ok()) {
            obs::Log(
                obs::LogLevel::kInfo,
                kLogger,
                "llm call succeeded",
                {{"provider", ref.provider},
                 {"model", ref.model},
                 {"attempt", n},
                 {"outcome", "ok"},
                 {"status", "200"},
                 {"ms", ms}}
            );
            return;
        }
        const auto& e = *r.error;
        const auto status = std::to_string(e.http_status);
        obs::Log(
            e.kind == ModelErrorKind::kAborted ? obs::LogLevel::kInfo : obs::LogLevel::kWarn,
            kLogger,
            "llm call failed",
            {{"provider", ref.provider},
             {"model", ref.model},
             {"attempt", n},
             {"outcome", domain::ModelErrorKindName(e.kind)},
             {"status", status},
             {"reason", e.message},
             {"ms", ms}}
        );
    }
};

ProviderRouter::ProviderRouter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ProviderRouter::~ProviderRouter() = default;

Result<std::unique_ptr<ProviderRouter>> ProviderRouter::Create(
    asio::io_context& ioc, const config::ModelsOptions& options, obs::Registry& registry
) {
    auto impl = std::make_unique<Impl>(registry);
    for (const auto& [id, provider] : options.providers) {
        const std::string path = "models.providers." + id;
        auto up = std::make_unique<internal::Upstream>();
        up->options = provider;
        up->options.id = id;
        up->wire = internal::MakeWireFormat(provider.api);
        if (!up->wire) {
            return MakeError(
                ErrorCode::kInvalidArgument,
                path + ".api: unknown api '" + provider.api +
                    "' (expected openai-completions, openai-responses or anthropic-messages)"
            );
        }
        up->base_url = provider.base_url;
        while (!up->base_url.empty() && up->base_url.back() == '/') {
            up->base_url.pop_back();
        }
        if (up->base_url.rfind("http://", 0) != 0 && up->base_url.rfind("https://", 0) != 0) {
            return MakeError(
                ErrorCode::kInvalidArgument, path + ".base_url: must start with http:// or https://"
            );
        }
        net::HttpClientOptions http;
        http.connect_timeout = provider.connect_timeout;
        http.verify_tls = provider.verify_tls;
        http.extra_ca_file = provider.ca_file;
        http.max_body_bytes = internal::kMaxResponseBytes;
        // Keep as many idle upstream connections as runs may call concurrently: with the default 8, every
        // concurrent call beyond 8 closed its connection on release and the next one reconnected (a TCP
        // (+TLS) handshake per model call under load).
        http.max_idle_per_host = kMaxIdleUpstreamConnections;
        auto client = net::HttpClient::Create(ioc, http);
        if (!client) {
            return MakeError(ErrorCode::kInvalidArgument, path + ".ca_file: " + client.error().message);
        }
        up->client = std::move(*client);
        impl->upstreams.emplace(id, std::move(up));
    }
    return std::unique_ptr<ProviderRouter>(new ProviderRouter(std::move(impl)));
}

std::vector<std::string> ProviderRouter::ProviderIds() const {
    std::vector<std::string> ids;
    for (const auto& [id, up] : impl_->upstreams) {
        ids.push_back(id);
    }
    return ids;
}

asio::awaitable<ModelResult> ProviderRouter::Impl::Run(domain::ModelRequest request, domain::DeltaSink sink) {
    std::vector<domain::ModelRef> chain;
    chain.push_back(request.model);
    chain.insert(chain.end(), request.fallbacks.begin(), request.fallbacks.end());
    int attempts = 0;
    ModelError last;
    for (std::size_t i = 0; i < chain.size(); ++i) {
        const domain::ModelRef ref = chain[i];
        auto it = upstreams.find(ref.provider);
        if (it == upstreams.end()) {
            last = ModelError{};
            last.kind = ModelErrorKind::kNotConfigured;
            last.message = "no LLM provider '" + ref.provider + "' is configured (models.providers." +
                           ref.provider + ") for model " + ref.ToString();
            last.model = ref;
            last.attempts = attempts;
            obs::Log(
                obs::LogLevel::kWarn,
                kLogger,
                "llm provider not configured",
                {{"provider", ref.provider}, {"model", ref.model}, {"outcome", "not_configured"}}
            );
            continue;
        }
        const internal::Upstream& up = *it->second;
        const std::string model_label = metrics.ModelLabel(ref.provider, ref.model);
        request.model = ref;
        for (int retry = 0;; ++retry) {
            if (Clock::now() >= request.deadline) {
                last = ModelError{};
                last.kind = ModelErrorKind::kTimeout;
                last.message = "the deadline passed before calling " + ref.ToString();
                last.model = ref;
                last.attempts = attempts;
                co_return Failure(std::move(last));
            }
            ++attempts;
            const auto started = Clock::now();
            auto outcome = co_await internal::CallUpstream(up, request, sink);
            const auto took = Clock::now() - started;
            auto& result = outcome.result;
            if (result.error) {
                result.error->message =
                    internal::Redact(std::move(result.error->message), up.options.api_key.value);
            }
            LogAttempt(ref, attempts, result, took);
            const double seconds = std::chrono::duration<double>(took).count();
            if (outcome.first_delta_at) {
                metrics.FirstToken(
                    ref.provider,
                    model_label,
                    std::chrono::duration<double>(*outcome.first_delta_at - started).count()
                );
            }
            if (result.ok()) {
                metrics.Attempt(ref.provider, model_label, "ok", seconds);
                metrics.Tokens(ref.provider, model_label, result.response->usage);
                result.response->model = ref;
                result.response->attempts = attempts;
                co_return std::move(result);
            }
            last = std::move(*result.error);
            last.model = ref;
            last.attempts = attempts;
            last.output_started = outcome.first_delta_at.has_value();
            metrics.Attempt(ref.provider, model_label, domain::ModelErrorKindName(last.kind), seconds);
            metrics.ProviderError(ref.provider, last.kind);
            if (last.kind == ModelErrorKind::kAborted || last.output_started) {
                co_return Failure(std::move(last));
            }
            if (!domain::IsRetryable(last.kind) || retry >= up.options.max_retries) {
                break;
            }
            const auto delay = Backoff(up.options, retry, last.retry_after);
            if (request.deadline - Clock::now() <= delay) {
                break;  // no time left to wait; a fallback may still answer
            }
            metrics.Retry(ref.provider);
            obs::Log(
                obs::LogLevel::kInfo,
                kLogger,
                "llm call retry scheduled",
                {{"provider", ref.provider},
                 {"model", ref.model},
                 {"attempt", std::to_string(attempts)},
                 {"reason", domain::ModelErrorKindName(last.kind)},
                 {"ms", std::to_string(delay.count())}}
            );
            const bool slept = co_await Sleep(delay);
            if (!slept) {
                last.kind = ModelErrorKind::kAborted;
                last.message = "cancelled by the caller while waiting to retry";
                co_return Failure(std::move(last));
            }
        }
        if (EndsChain(last.kind)) {
            co_return Failure(std::move(last));
        }
        if (i + 1 < chain.size()) {
            metrics.Fallback(ref.provider);
            obs::Log(
                obs::LogLevel::kWarn,
                kLogger,
                "llm falling back to the next model",
                {{"provider", ref.provider},
                 {"model", ref.model},
                 {"next", chain[i + 1].ToString()},
                 {"reason", domain::ModelErrorKindName(last.kind)}}
            );
        }
    }
    co_return Failure(std::move(last));
}

asio::awaitable<ModelResult> ProviderRouter::Complete(domain::ModelRequest request, domain::DeltaSink sink) {
    // Cancellation must surface as kAborted results, not as exceptions from the next co_await; the
    // caller's setting is restored before returning.
    const bool previous = co_await asio::this_coro::throw_if_cancelled();
    co_await asio::this_coro::throw_if_cancelled(false);
    ModelResult result;
    std::exception_ptr failure;
    try {
        result = co_await impl_->Run(std::move(request), std::move(sink));
    } catch (...) {
        failure = std::current_exception();  // e.g. thrown by the caller's sink
    }
    co_await asio::this_coro::throw_if_cancelled(previous);
    if (failure) {
        std::rethrow_exception(failure);
    }
    co_return result;
}

}  // namespace gw::providers
