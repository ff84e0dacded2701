// RegisterCoreMethods, the health snapshot, and the system methods: health, status, models.list,
// agents.list, config.get, system-presence, send, wake (reference §2.4).
#include <chrono>
#include <fstream>
#include <mutex>
#include <unistd.h>

#include <boost/json.hpp>

#include "api/health_service.hpp"
#include "api/ws/internal/core_common.hpp"
#include "api/ws/internal/event_hub.hpp"
#include "api/ws/internal/params.hpp"
#include "config/loader.hpp"
#include "crypto/sha256.hpp"
#include "domain/session_repository.hpp"

namespace gw::api::ws {
namespace {

namespace json = boost::json;

constexpr std::string_view kRedacted = "__OPENCLAW_REDACTED__";

/// Resident set size in bytes (Linux /proc/self/statm), 0 when unknown.
std::int64_t RssBytes() {
    std::ifstream statm("/proc/self/statm");
    std::int64_t pages = 0;
    std::int64_t resident = 0;
    if (!(statm >> pages >> resident)) {
        return 0;
    }
    return resident * static_cast<std::int64_t>(sysconf(_SC_PAGESIZE));
}

boost::asio::awaitable<std::int64_t> CountSessions(GatewayServices& services, std::string tenant) {
    domain::SessionFilter filter;
    filter.limit = domain::kMaxSessionListLimit;
    auto page = co_await services.sessions.List(std::move(tenant), std::move(filter));
    co_return page ? static_cast<std::int64_t>(page->sessions.size()) : 0;
}

boost::asio::awaitable<json::object> FreshHealthSnapshot(GatewayServices& services);

/// The last snapshot, reused for kHealthCacheMs: `health` is pushed after every hello, and a reconnect
/// storm must not turn into one session scan per connection.
constexpr std::int64_t kHealthCacheMs = 1000;

struct HealthCache {
    std::mutex mu;
    const GatewayServices* owner = nullptr;
    std::string boot_id;
    std::int64_t at_ms = 0;
    json::object snapshot;
};

HealthCache& TheHealthCache() {
    static HealthCache cache;
    return cache;
}

Reply Health(MethodCall& call) {
    ParamReader p("health", call.params);
    auto probe = p.Bool("probe", false);
    if (auto error = p.Finish()) {
        co_return *error;
    }
    if (probe.value_or(false)) {
        co_return co_await FreshHealthSnapshot(call.services);
    }
    co_return co_await BuildHealthSnapshot(call.services);
}

Reply Status(MethodCall& call) {
    ParamReader p("status", call.params);
    if (auto error = p.Finish()) {
        co_return *error;
    }
    std::string tenant = TenantOf(call);
    const std::int64_t count = co_await CountSessions(call.services, std::move(tenant));
    const std::int64_t now = NowMs(call.services);
    co_return json::object{
        {"runtimeVersion", call.services.version},
        {"bootId", call.services.boot_id},
        {"pid", static_cast<std::int64_t>(getpid())},
        {"uptimeMs", now - call.services.started_at_ms},
        {"heartbeat", json::object{{"enabled", false}}},
        {"channelSummary", json::array()},
        {"sessions", json::object{{"count", count}, {"defaultAgentId", DefaultAgentId(call.services)}}},
        {"modelRuntime", json::object{{"activeRuns", static_cast<std::int64_t>(call.services.engine.ActiveRuns())}}},
        {"tasks", json::object{{"active", static_cast<std::int64_t>(call.services.engine.ActiveRuns())}}},
        {"eventLoop", json::object{{"connections", static_cast<std::int64_t>(call.services.events.Attached())}}},
        {"processMemory", json::object{{"rss", RssBytes()}}},
    };
}

Reply ModelsList(MethodCall& call) {
    ParamReader p("models.list", call.params);
    p.Enum("view", false, {"default", "configured", "provider-config", "all"});
    p.Ignore({"sessionKey", "agentId"});  // Control UI context; the catalog is the same for every session
    if (auto error = p.Finish()) {
        co_return *error;
    }
    json::array models;
    for (const auto& [provider_id, provider] : call.services.config.models.providers) {
        for (const auto& model : provider.models) {
            models.push_back(json::object{{"id", model}, {"name", model}, {"provider", provider_id},
                                          {"ref", provider_id + "/" + model}});
        }
    }
    for (const auto& agent : call.services.engine.Agents()) {
        if (agent.model) {
            const auto slash = agent.model->find('/');
            if (slash == std::string::npos) {
                continue;
            }
            const std::string provider = agent.model->substr(0, slash);
            const std::string id = agent.model->substr(slash + 1);
            bool seen = false;
            for (const auto& m : models) {
                seen = seen || (m.at("provider") == provider.c_str() && m.at("id") == id.c_str());
            }
            if (!seen) {
                models.push_back(json::object{{"id", id}, {"name", id}, {"provider", provider}, {"ref", *agent.model}});
            }
        }
    }
    co_return json::object{{"models", std::move(models)}};
}

Reply AgentsList(MethodCall& call) {
    ParamReader p("agents.list", call.params);
    if (auto error = p.Finish()) {
        co_return *error;
    }
    const std::string default_id = DefaultAgentId(call.services);
    json::array agents;
    for (const auto& id : KnownAgentIds(call.services)) {
        json::object row{{"id", id}, {"isDefault", id == default_id}};
        for (const auto& agent : call.services.engine.Agents()) {
            if (agent.id == id) {
                if (agent.name) {
                    row["name"] = *agent.name;
                }
                if (agent.model) {
                    // OpenClaw's agent model config shape: {primary, fallbacks}.
                    json::array fallbacks;
                    for (const auto& ref : agent.fallbacks.value_or(std::vector<std::string>{})) {
                        fallbacks.push_back(json::string(ref));
                    }
                    row["model"] = json::object{{"primary", *agent.model}, {"fallbacks", std::move(fallbacks)}};
                }
            }
        }
        agents.push_back(std::move(row));
    }
    co_return json::object{{"defaultId", default_id}, {"mainKey", "main"}, {"scope", "per-sender"},
                           {"agents", std::move(agents)}};
}

/// RenderEffective shows secrets as `<redacted> (<source>)`: replace each with the OpenClaw sentinel.
std::string RedactRendering(std::string text) {
    const std::string marker = "<redacted>";
    for (std::size_t pos = text.find(marker); pos != std::string::npos; pos = text.find(marker, pos)) {
        std::size_t end = pos + marker.size();
        if (end + 1 < text.size() && text[end] == ' ' && text[end + 1] == '(') {
            const std::size_t close = text.find(')', end);
            if (close != std::string::npos && text.find('\n', end) > close) {
                end = close + 1;
            }
        }
        text.replace(pos, end - pos, kRedacted);
        pos += kRedacted.size();
    }
    return text;
}

Reply ConfigGet(MethodCall& call) {
    ParamReader p("config.get", call.params);
    if (auto error = p.Finish()) {
        co_return *error;
    }
    const std::string raw = RedactRendering(config::RenderEffective(call.services.config));
    const auto& source = call.services.config.source_file;
    co_return json::object{
        {"path", source ? json::value(json::string(*source)) : json::value(nullptr)},
        {"exists", source.has_value()},
        {"valid", true},
        {"format", "yaml"},
        {"raw", raw},
        {"hash", crypto::Sha256Hex(raw)},
        {"issues", json::array()},
    };
}

Reply SystemPresence(MethodCall& call) {
    ParamReader p("system-presence", call.params);
    if (auto error = p.Finish()) {
        co_return *error;
    }
    co_return call.services.presence ? json::value(call.services.presence()) : json::value(json::array());
}

Reply Send(MethodCall& call) {
    ParamReader p("send", call.params);
    p.String("to", true, 4096);
    p.String("idempotencyKey", true, 256, true);
    p.Ignore({"message", "mediaUrl", "mediaUrls", "buffer", "channel", "accountId", "threadId", "replyToId",
              "silent", "sessionKey", "gifPlayback", "agentId"});
    if (auto error = p.Finish()) {
        co_return *error;
    }
    co_return Unavailable("channels are not available on this gateway yet");
}

Reply Wake(MethodCall& call) {
    ParamReader p("wake", call.params);
    auto mode = p.Enum("mode", true, {"now", "next-heartbeat"});
    auto text = p.String("text", true, 64 * 1024, true);
    auto session_key = p.String("sessionKey", false, domain::kMaxRequestSessionKeyLength, true);
    auto agent_id = p.String("agentId", false, domain::kMaxAgentIdLength);
    if (auto error = p.Finish()) {
        co_return *error;
    }
    auto agent = PickAgent(call.services, agent_id, "wake");
    if (auto* error = std::get_if<WsError>(&agent)) {
        co_return *error;
    }
    engine::SendRequest send;
    send.tenant_id = TenantOf(call);
    send.user_id = UserOf(call);
    send.agent_id = std::get<std::string>(agent);
    send.session_key = session_key.value_or("main");
    send.role = domain::Role::kSystem;
    send.content.emplace_back(domain::TextBlock{"[OpenClaw session event] " + *text});
    send.no_run = *mode == "next-heartbeat";
    send.queue_mode = engine::QueueMode::kFollowup;
    auto ack = co_await call.services.engine.Submit(std::move(send));
    if (!ack) {
        co_return FromError(ack.error());
    }
    if (ack->events) {
        ack->events->Close();
    }
    json::object out{{"ok", true}, {"mode", *mode}, {"sessionKey", ack->session_key}};
    if (!ack->run_id.empty()) {
        out["runId"] = ack->run_id;
    }
    co_return out;
}

}  // namespace

void RegisterSystemMethods(MethodRegistry& registry) {
    const std::string read(kScopeRead);
    const std::string write(kScopeWrite);
    registry.Add({"health", read, Health});
    registry.Add({"status", read, Status});
    registry.Add({"models.list", read, ModelsList});
    registry.Add({"agents.list", read, AgentsList});
    registry.Add({"config.get", std::string(kScopeAdmin), ConfigGet});
    registry.Add({"system-presence", read, SystemPresence});
    registry.Add({"send", write, Send});
    registry.Add({"wake", write, Wake});
}

void RegisterCoreMethods(MethodRegistry& registry) {
    RegisterSystemMethods(registry);
    RegisterChatMethods(registry);
    RegisterAgentMethods(registry);
    RegisterSessionMethods(registry);
    RegisterToolMethods(registry);
}

boost::asio::awaitable<json::object> BuildHealthSnapshot(GatewayServices& services) {
    auto& cache = TheHealthCache();
    const std::int64_t now = NowMs(services);
    {
        std::lock_guard lock(cache.mu);
        if (cache.owner == &services && cache.boot_id == services.boot_id && now - cache.at_ms < kHealthCacheMs &&
            now >= cache.at_ms) {
            co_return cache.snapshot;
        }
    }
    json::object snapshot = co_await FreshHealthSnapshot(services);
    std::lock_guard lock(cache.mu);
    cache.owner = &services;
    cache.boot_id = services.boot_id;
    cache.at_ms = now;
    cache.snapshot = snapshot;
    co_return snapshot;
}

namespace {

boost::asio::awaitable<json::object> FreshHealthSnapshot(GatewayServices& services) {
    const auto started = std::chrono::steady_clock::now();
    const auto failing = co_await services.health.FailingChecks();
    std::string tenant(domain::kDefaultTenantId);
    const std::int64_t count = co_await CountSessions(services, std::move(tenant));
    const std::string default_id = DefaultAgentId(services);
    json::array agents;
    for (const auto& id : KnownAgentIds(services)) {
        agents.push_back(json::object{{"agentId", id}, {"isDefault", id == default_id}});
    }
    json::array failing_json;
    for (const auto& name : failing) {
        failing_json.push_back(json::string(name));
    }
    const auto duration = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started
    );
    co_return json::object{
        {"ok", failing.empty()},
        {"ts", NowMs(services)},
        {"durationMs", duration.count()},
        {"defaultAgentId", default_id},
        {"agents", std::move(agents)},
        {"sessions", json::object{{"count", count}}},
        {"channels", json::object()},
        {"channelOrder", json::array()},
        {"plugins", json::object{{"loaded", json::array()}, {"errors", json::array()}}},
        {"eventLoop", json::object{{"activeRuns", static_cast<std::int64_t>(services.engine.ActiveRuns())}}},
        {"failingChecks", std::move(failing_json)},
    };
}

}  // namespace

std::vector<std::string> EmittedEvents() {
    return {"agent", "chat", "connect.challenge", "health", "presence", "session.message", "sessions.changed",
            "shutdown", "tick"};
}

}  // namespace gw::api::ws
