#include "app/conversation.hpp"

#include <utility>

#include "api/conversation_routes.hpp"
#include "api/http_auth_limiter.hpp"
#include "domain/clock.hpp"
#include "engine/run_engine.hpp"
#include "engine/skills.hpp"
#include "engine/tools.hpp"
#include "obs/gateway_metrics.hpp"
#include "obs/log.hpp"
#include "providers/provider_router.hpp"
#include "store/embedded_store.hpp"
#include "store/sqlite_idempotency_repository.hpp"
#include "store/sqlite_session_repository.hpp"
#include "store/sqlite_transcript_repository.hpp"

namespace gw::app {

struct Conversation::Impl {
    const config::GatewayConfig& cfg;
    obs::GatewayMetrics& metrics;
    store::SqliteSessionRepository sessions;
    store::SqliteTranscriptRepository transcripts;
    store::SqliteIdempotencyRepository idempotency;
    std::unique_ptr<providers::ProviderRouter> models;
    engine::SkillCatalog skills;
    engine::ToolRegistry tools;
    std::unique_ptr<engine::RunEngine> engine;
    api::HttpAuthLimiter auth_limiter{api::HttpAuthLimiter::GatewayDefaults()};

    Impl(const config::GatewayConfig& c, store::EmbeddedStore& store, obs::GatewayMetrics& m)
        : cfg(c),
          metrics(m),
          sessions(store, domain::SystemWallClock()),
          transcripts(store, domain::SystemWallClock()),
          idempotency(store, domain::SystemWallClock()) {}
};

Conversation::Conversation(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Conversation::~Conversation() = default;

Result<std::unique_ptr<Conversation>> Conversation::Create(
    boost::asio::io_context& ioc,
    const config::GatewayConfig& cfg,
    store::EmbeddedStore& store,
    obs::Registry& registry,
    obs::GatewayMetrics& metrics
) {
    auto impl = std::make_unique<Impl>(cfg, store, metrics);
    auto router = providers::ProviderRouter::Create(ioc, cfg.models, registry);
    if (!router) {
        return router.error();
    }
    impl->models = std::move(*router);
    if (cfg.models.providers.empty()) {
        obs::Log(
            obs::LogLevel::kWarn,
            "gw.app",
            "no LLM provider configured: chat requests will fail until models.providers and "
            "agents.defaults.model are set"
        );
    }
    // skills_list / skill_read serve the default skill directories; each agent's prompt lists its own.
    impl->skills = engine::SkillCatalog::Load(cfg.agents.defaults.skills_dirs.value_or(std::vector<std::string>{}));
    auto builtins = engine::RegisterBuiltinTools(
        impl->tools, engine::BuiltinToolDeps{impl->transcripts, impl->sessions, impl->skills}
    );
    if (!builtins) {
        return builtins.error();
    }
    auto created = engine::RunEngine::Create(
        engine::RunEngineDeps{
            .ioc = ioc,
            .sessions = impl->sessions,
            .transcripts = impl->transcripts,
            .idempotency = impl->idempotency,
            .models = *impl->models,
            .tools = impl->tools,
            .registry = registry,
            .gateway_metrics = &metrics,
        },
        cfg.agents
    );
    if (!created) {
        return created.error();
    }
    impl->engine = std::move(*created);
    return std::unique_ptr<Conversation>(new Conversation(std::move(impl)));
}

void Conversation::RegisterRoutes(net::Router& router) {
    api::RegisterConversationRoutes(
        router,
        api::ConversationDeps{
            .engine = *impl_->engine,
            .tools = impl_->tools,
            .config = impl_->cfg,
            .metrics = &impl_->metrics,
            .auth_limiter = &impl_->auth_limiter,
        }
    );
}

engine::RunEngine& Conversation::Engine() { return *impl_->engine; }
engine::ToolRegistry& Conversation::Tools() { return impl_->tools; }
domain::SessionRepository& Conversation::Sessions() { return impl_->sessions; }
domain::TranscriptRepository& Conversation::Transcripts() { return impl_->transcripts; }
api::HttpAuthLimiter& Conversation::AuthLimiter() { return impl_->auth_limiter; }

boost::asio::awaitable<void> Conversation::Shutdown(std::chrono::milliseconds grace) {
    co_await impl_->engine->Shutdown(grace);
}

}  // namespace gw::app
