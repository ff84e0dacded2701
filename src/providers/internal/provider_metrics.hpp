#pragma once
/// @file
/// @brief Private to providers: the `openclaw_llm_*` metric families and their recorders.

#include <cstddef>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

#include "domain/model_client.hpp"
#include "obs/metrics.hpp"

namespace gw::providers::internal {

/// Thread-safe. Label values are bounded: provider ids come from the configuration and model ids are
/// capped at `kMaxModelsPerProvider` distinct values per provider (later ones are labelled "other").
class ProviderMetrics {
public:
    static constexpr std::size_t kMaxModelsPerProvider = 32;

    explicit ProviderMetrics(obs::Registry& registry);

    /// The model label for `model` of `provider` (the model id, or "other" beyond the cap).
    std::string ModelLabel(std::string_view provider, std::string_view model);

    /// One upstream attempt ended: `outcome` is "ok" or a ModelErrorKindName.
    void Attempt(std::string_view provider, std::string_view model, std::string_view outcome, double seconds);
    void FirstToken(std::string_view provider, std::string_view model, double seconds);
    void Tokens(std::string_view provider, std::string_view model, const domain::TokenUsage& usage);
    void ProviderError(std::string_view provider, domain::ModelErrorKind kind);
    void Retry(std::string_view provider);
    void Fallback(std::string_view from_provider);

private:
    obs::CounterFamily& requests_;
    obs::HistogramFamily& duration_;
    obs::HistogramFamily& ttft_;
    obs::CounterFamily& tokens_;
    obs::CounterFamily& errors_;
    obs::CounterFamily& retries_;
    obs::CounterFamily& fallbacks_;
    std::mutex mutex_;
    std::map<std::string, std::set<std::string>, std::less<>> models_;  // guarded by mutex_
};

}  // namespace gw::providers::internal
