#include "providers/internal/provider_metrics.hpp"

namespace gw::providers::internal {
namespace {

std::vector<double> DurationBuckets() {
    return {0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600};
}

std::vector<double> FirstTokenBuckets() {
    return {0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60};
}

}  // namespace

ProviderMetrics::ProviderMetrics(obs::Registry& registry)
    : requests_(registry.Counters(
          "openclaw_llm_requests_total",
          "Upstream LLM calls (each attempt, including retries and fallbacks) by outcome.",
          {"provider", "model", "outcome"}
      )),
      duration_(registry.Histograms(
          "openclaw_llm_request_duration_seconds",
          "Duration of upstream LLM calls (each attempt), until the end of the stream.",
          {"provider", "model"},
          DurationBuckets()
      )),
      ttft_(registry.Histograms(
          "openclaw_llm_time_to_first_token_seconds",
          "Time from sending an upstream LLM call to its first streamed delta.",
          {"provider", "model"},
          FirstTokenBuckets()
      )),
      tokens_(registry.Counters(
          "openclaw_llm_tokens_total",
          "Tokens reported by upstream LLMs; direction in (prompt incl. cache) or out (completion).",
          {"provider", "model", "direction"}
      )),
      errors_(registry.Counters(
          "openclaw_llm_provider_errors_total",
          "Failed upstream LLM attempts by error kind.",
          {"provider", "reason"}
      )),
      retries_(registry.Counters(
          "openclaw_llm_retries_total", "Upstream LLM calls retried on the same model.", {"provider"}
      )),
      fallbacks_(registry.Counters(
          "openclaw_llm_fallbacks_total",
          "Calls that moved on to the next model of the fallback chain.",
          {"from_provider"}
      )) {}

std::string ProviderMetrics::ModelLabel(std::string_view provider, std::string_view model) {
    std::lock_guard lock(mutex_);
    auto it = models_.find(provider);
    if (it == models_.end()) {
        it = models_.emplace(std::string(provider), std::set<std::string>{}).first;
    }
    auto& seen = it->second;
    if (seen.count(std::string(model)) != 0) {
        return std::string(model);
    }
    if (seen.size() >= kMaxModelsPerProvider) {
        return "other";
    }
    seen.emplace(model);
    return std::string(model);
}

void ProviderMetrics::Attempt(
    std::string_view provider, std::string_view model, std::string_view outcome, double seconds
) {
    requests_.WithLabels({provider, model, outcome}).Inc();
    duration_.WithLabels({provider, model}).Observe(seconds);
}

void ProviderMetrics::FirstToken(std::string_view provider, std::string_view model, double seconds) {
    ttft_.WithLabels({provider, model}).Observe(seconds);
}

void ProviderMetrics::Tokens(
    std::string_view provider, std::string_view model, const domain::TokenUsage& usage
) {
    const std::int64_t in = usage.input + usage.cache_read + usage.cache_write;
    if (in > 0) {
        tokens_.WithLabels({provider, model, "in"}).Inc(static_cast<std::uint64_t>(in));
    }
    if (usage.output > 0) {
        tokens_.WithLabels({provider, model, "out"}).Inc(static_cast<std::uint64_t>(usage.output));
    }
}

void ProviderMetrics::ProviderError(std::string_view provider, domain::ModelErrorKind kind) {
    errors_.WithLabels({provider, domain::ModelErrorKindName(kind)}).Inc();
}

void ProviderMetrics::Retry(std::string_view provider) {
    retries_.WithLabels({provider}).Inc();
}

void ProviderMetrics::Fallback(std::string_view from_provider) {
    fallbacks_.WithLabels({from_provider}).Inc();
}

}  // namespace gw::providers::internal
