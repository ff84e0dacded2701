// sessions.list / create / patch / reset / delete / preview and the subscription methods (reference §2.4).
#include <algorithm>

#include <boost/json.hpp>

#include "api/ws/internal/core_common.hpp"
#include "api/ws/internal/event_hub.hpp"
#include "api/ws/internal/params.hpp"
#include "base/ids.hpp"
#include "domain/session_repository.hpp"
#include "domain/transcript_repository.hpp"

namespace gw::api::ws {
namespace {

namespace json = boost::json;

void Changed(MethodCall& call, const std::string& key, std::string_view reason) {
    call.services.events.PublishSessionsChanged(
        TenantOf(call), json::object{{"sessionKey", key}, {"reason", reason}, {"ts", NowMs(call.services)}}
    );
}

/// A `key` param resolved under the default agent (stored keys carry their own agent).
std::variant<domain::SessionKey, WsError> ParamKey(MethodCall& call, const std::string& key) {
    return ResolveKey(key, DefaultAgentId(call.services));
}

Reply SessionsList(MethodCall& call) {
    ParamReader p("sessions.list", call.params);
    // Larger limits are clamped (the Control UI asks for 10000 sub-sessions), not refused.
    auto limit = p.Int("limit", false, 1, INT64_MAX);
    if (limit) {
        limit = std::min<std::int64_t>(*limit, static_cast<std::int64_t>(domain::kMaxSessionListLimit));
    }
    auto offset = p.Int("offset", false, 0, 100'000);
    auto agent_id = p.String("agentId", false, domain::kMaxAgentIdLength);
    auto search = p.String("search", false, 512);
    auto active_minutes = p.Int("activeMinutes", false, 1, 10LL * 365 * 24 * 60);
    auto archived = p.Bool("archived", false);
    p.Bool("includeLastMessage", false);
    p.Bool("includeDerivedTitles", false);
    p.Ignore({"includeGlobal", "includeUnknown", "label", "spawnedBy", "includeArchived", "configuredAgentsOnly",
              "ownerFirst"});
    if (auto error = p.Finish()) {
        co_return *error;
    }
    const std::size_t want = limit ? static_cast<std::size_t>(*limit) : domain::kDefaultSessionListLimit;
    const std::size_t skip = offset ? static_cast<std::size_t>(*offset) : 0;
    domain::SessionFilter filter;
    if (agent_id) {
        filter.agent_id = domain::NormalizeAgentId(*agent_id);
    }
    filter.search = search;
    if (active_minutes) {
        filter.active_since_ms = NowMs(call.services) - *active_minutes * 60'000;
    }
    filter.archived = archived ? (*archived ? domain::ArchivedFilter::kOnly : domain::ArchivedFilter::kExclude)
                               : domain::ArchivedFilter::kExclude;
    std::vector<domain::Session> rows;
    bool has_more = false;
    std::string tenant = TenantOf(call);
    for (;;) {
        filter.limit = std::min(domain::kMaxSessionListLimit, skip + want + 1 - rows.size());
        auto page = co_await call.services.sessions.List(tenant, filter);
        if (!page) {
            co_return FromError(page.error());
        }
        for (auto& s : page->sessions) {
            rows.push_back(std::move(s));
        }
        if (rows.size() > skip + want) {
            has_more = true;
            break;
        }
        if (!page->next) {
            break;
        }
        filter.after = page->next;
    }
    json::array sessions;
    for (std::size_t i = skip; i < rows.size() && i < skip + want; ++i) {
        auto last = co_await LastRun(call.services, rows[i]);
        sessions.push_back(SessionRow(call.services, rows[i], last));
    }
    json::object defaults{{"modelProvider", nullptr}, {"model", nullptr}, {"contextTokens", nullptr}};
    if (const auto& model = call.services.config.agents.defaults.model) {
        auto slash = model->find('/');
        if (slash != std::string::npos) {
            defaults["modelProvider"] = model->substr(0, slash);
            defaults["model"] = model->substr(slash + 1);
        }
    }
    const auto count = static_cast<std::int64_t>(sessions.size());
    co_return json::object{
        {"ts", NowMs(call.services)},
        {"path", nullptr},
        {"count", count},
        {"totalCount", has_more ? json::value(nullptr) : json::value(static_cast<std::int64_t>(rows.size()))},
        {"limitApplied", static_cast<std::int64_t>(want)},
        {"nextOffset", has_more ? json::value(static_cast<std::int64_t>(skip + want)) : json::value(nullptr)},
        {"hasMore", has_more},
        {"defaults", std::move(defaults)},
        {"sessions", std::move(sessions)},
    };
}

Reply SessionsCreate(MethodCall& call) {
    ParamReader p("sessions.create", call.params);
    auto agent_id = p.String("agentId", false, domain::kMaxAgentIdLength);
    auto key_param = p.String("key", false, domain::kMaxRequestSessionKeyLength, true);
    auto label = p.String("label", false, domain::kMaxSessionLabelLength, true);
    auto model = p.String("model", false, domain::kMaxModelOverrideLength, true);
    auto message = p.String("message", false, 4 * 1024 * 1024);
    p.Ignore({"parentSessionKey", "fork", "worktree"});
    if (auto error = p.Finish()) {
        co_return *error;
    }
    auto agent = PickAgent(call.services, agent_id, "sessions.create");
    if (auto* error = std::get_if<WsError>(&agent)) {
        co_return *error;
    }
    const std::string& agent_name = std::get<std::string>(agent);
    auto key = ResolveKey(key_param.value_or("dashboard:" + NewUuid()), agent_name);
    if (auto* error = std::get_if<WsError>(&key)) {
        co_return *error;
    }
    domain::SessionKey resolved = std::get<domain::SessionKey>(key);
    std::string tenant = TenantOf(call);
    std::string user = UserOf(call);
    auto session = co_await call.services.sessions.GetOrCreate(tenant, resolved, user);
    if (!session) {
        co_return FromError(session.error());
    }
    if (label || model) {
        domain::SessionPatch patch;
        if (label) {
            patch.label = std::optional<std::string>(*label);
        }
        if (model) {
            patch.model_override = std::optional<std::string>(*model);
        }
        auto patched = co_await call.services.sessions.Patch(tenant, resolved, std::move(patch));
        if (!patched) {
            co_return FromError(patched.error());
        }
        session = std::move(patched);
    }
    json::object out{{"ok", true}, {"key", session->session_key}, {"sessionId", session->transcript_id},
                     {"runStarted", false}};
    Changed(call, session->session_key, "create");
    if (message && !message->empty()) {
        engine::SendRequest send;
        send.tenant_id = tenant;
        send.user_id = user;
        send.agent_id = agent_name;
        send.session_key = session->session_key;
        send.content.emplace_back(domain::TextBlock{*message});
        send.idempotency_key = NewUuid();
        auto ack = co_await call.services.engine.Submit(std::move(send));
        if (!ack) {
            co_return FromError(ack.error());
        }
        if (ack->events) {
            ack->events->Close();
        }
        out["runStarted"] = true;
        out["runId"] = ack->run_id;
    }
    co_return out;
}

/// A nullable string field of sessions.patch: absent → leave; null → clear; string → set.
std::optional<std::optional<std::string>> Nullable(ParamReader& p, const json::value& params, std::string_view key,
                                                   std::size_t max_len) {
    const auto* obj = params.if_object();
    const json::value* v = obj != nullptr ? obj->if_contains(key) : nullptr;
    if (v != nullptr && v->is_null()) {
        p.Any(key, false);
        return std::optional<std::string>();
    }
    auto s = p.String(key, false, max_len);
    if (!s) {
        return std::nullopt;
    }
    return std::optional<std::string>(std::move(*s));
}

Reply SessionsPatch(MethodCall& call) {
    ParamReader p("sessions.patch", call.params);
    auto key_param = p.String("key", true, domain::kMaxRequestSessionKeyLength, true);
    domain::SessionPatch patch;
    patch.label = Nullable(p, call.params, "label", domain::kMaxSessionLabelLength);
    patch.model_override = Nullable(p, call.params, "model", domain::kMaxModelOverrideLength);
    patch.thinking_level = Nullable(p, call.params, "thinkingLevel", domain::kMaxThinkingLevelLength);
    patch.archived = p.Bool("archived", false);
    patch.pinned = p.Bool("pinned", false);
    p.Ignore({"verboseLevel", "reasoningLevel", "responseUsage", "elevatedLevel", "sendPolicy", "groupActivation",
              "execHost", "execSecurity", "execAsk", "execNode", "spawnedBy", "spawnDepth"});
    if (auto error = p.Finish()) {
        co_return *error;
    }
    if (patch.thinking_level && !ScopeSatisfied(call.conn->Info().scopes, kScopeAdmin)) {
        co_return MissingScope(kScopeAdmin);
    }
    auto key = ParamKey(call, *key_param);
    if (auto* error = std::get_if<WsError>(&key)) {
        co_return *error;
    }
    domain::SessionKey resolved = std::get<domain::SessionKey>(key);
    std::string tenant = TenantOf(call);
    Result<domain::Session> session = MakeError(ErrorCode::kInternal, "unset");
    if (patch.Empty()) {
        session = co_await call.services.sessions.Get(tenant, resolved);
    } else {
        session = co_await call.services.sessions.Patch(tenant, resolved, std::move(patch));
    }
    if (!session) {
        if (session.error().code == ErrorCode::kNotFound) {
            co_return InvalidRequest("session not found: " + resolved.ToString());
        }
        co_return FromError(session.error());
    }
    Changed(call, session->session_key, "patch");
    auto last = co_await LastRun(call.services, *session);
    co_return json::object{{"ok", true}, {"key", session->session_key}, {"entry", SessionRow(call.services, *session, last)}};
}

Reply SessionsReset(MethodCall& call) {
    ParamReader p("sessions.reset", call.params);
    auto key_param = p.String("key", true, domain::kMaxRequestSessionKeyLength, true);
    p.Ignore({"reason"});
    if (auto error = p.Finish()) {
        co_return *error;
    }
    auto key = ParamKey(call, *key_param);
    if (auto* error = std::get_if<WsError>(&key)) {
        co_return *error;
    }
    domain::SessionKey resolved = std::get<domain::SessionKey>(key);
    std::string tenant = TenantOf(call);
    auto session = co_await call.services.sessions.Reset(tenant, resolved);
    if (!session) {
        if (session.error().code == ErrorCode::kNotFound) {
            co_return InvalidRequest("session not found: " + resolved.ToString());
        }
        co_return FromError(session.error());
    }
    Changed(call, session->session_key, "reset");
    co_return json::object{{"ok", true}, {"key", session->session_key},
                           {"entry", SessionRow(call.services, *session, std::nullopt)}};
}

Reply SessionsDelete(MethodCall& call) {
    ParamReader p("sessions.delete", call.params);
    auto key_param = p.String("key", true, domain::kMaxRequestSessionKeyLength, true);
    p.Bool("deleteTranscript", false);
    if (auto error = p.Finish()) {
        co_return *error;
    }
    auto key = ParamKey(call, *key_param);
    if (auto* error = std::get_if<WsError>(&key)) {
        co_return *error;
    }
    domain::SessionKey resolved = std::get<domain::SessionKey>(key);
    std::string tenant = TenantOf(call);
    std::string canonical = resolved.ToString();
    auto aborted = co_await call.services.engine.AbortSession(tenant, canonical);
    if (!aborted) {
        co_return FromError(aborted.error());
    }
    auto deleted = co_await call.services.sessions.Delete(tenant, resolved);
    if (!deleted) {
        if (deleted.error().code == ErrorCode::kNotFound) {
            co_return json::object{{"ok", true}, {"key", canonical}, {"deleted", false}};
        }
        co_return FromError(deleted.error());
    }
    Changed(call, canonical, "delete");
    co_return json::object{{"ok", true}, {"key", canonical}, {"deleted", true}};
}

Reply SessionsPreview(MethodCall& call) {
    ParamReader p("sessions.preview", call.params);
    auto keys = p.StringArray("keys", true, 64);
    auto limit = p.Int("limit", false, 1, 50);
    auto max_chars = p.Int("maxChars", false, 1, 100'000);
    if (auto error = p.Finish()) {
        co_return *error;
    }
    std::string tenant = TenantOf(call);
    json::array previews;
    for (const auto& raw : *keys) {
        auto key = ParamKey(call, raw);
        if (std::holds_alternative<WsError>(key)) {
            previews.push_back(json::object{{"key", raw}, {"status", "missing"}, {"items", json::array()}});
            continue;
        }
        domain::SessionKey resolved = std::get<domain::SessionKey>(key);
        auto session = co_await call.services.sessions.Get(tenant, resolved);
        if (!session) {
            previews.push_back(json::object{{"key", raw}, {"status", "missing"}, {"items", json::array()}});
            continue;
        }
        domain::HistoryQuery query{tenant, session->transcript_id, static_cast<std::size_t>(limit.value_or(12)),
                                   std::nullopt};
        auto page = co_await call.services.transcripts.History(std::move(query));
        json::array items;
        if (page) {
            for (const auto& entry : page->entries) {
                std::string text = domain::EntryText(entry);
                if (text.size() > static_cast<std::size_t>(max_chars.value_or(240))) {
                    text.resize(static_cast<std::size_t>(max_chars.value_or(240)));
                }
                items.push_back(json::object{{"role", domain::RoleName(entry.role)}, {"text", text}});
            }
        }
        const bool empty = items.empty();
        previews.push_back(json::object{{"key", session->session_key}, {"status", empty ? "empty" : "ok"},
                                        {"items", std::move(items)}});
    }
    co_return json::object{{"ts", NowMs(call.services)}, {"previews", std::move(previews)}};
}

Reply Subscribe(MethodCall& call, bool on) {
    ParamReader p(on ? "sessions.subscribe" : "sessions.unsubscribe", call.params);
    if (auto error = p.Finish()) {
        co_return *error;
    }
    call.services.events.SubscribeSessions(call.conn->Info().conn_id, on);
    co_return json::object{{"subscribed", on}};
}

Reply SubscribeMessages(MethodCall& call, bool on) {
    ParamReader p(on ? "sessions.messages.subscribe" : "sessions.messages.unsubscribe", call.params);
    auto key_param = p.String("key", true, domain::kMaxRequestSessionKeyLength, true);
    p.Bool("includeApprovals", false);  // Control UI; there are no approvals to include yet
    if (auto error = p.Finish()) {
        co_return *error;
    }
    auto key = ParamKey(call, *key_param);
    if (auto* error = std::get_if<WsError>(&key)) {
        co_return *error;
    }
    const std::string canonical = std::get<domain::SessionKey>(key).ToString();
    call.services.events.SubscribeSessionMessages(call.conn->Info().conn_id, canonical, on);
    co_return json::object{{"subscribed", on}, {"key", canonical}};
}

}  // namespace

void RegisterSessionMethods(MethodRegistry& registry) {
    const std::string read(kScopeRead);
    const std::string write(kScopeWrite);
    registry.Add({"sessions.list", read, SessionsList});
    registry.Add({"sessions.preview", read, SessionsPreview});
    registry.Add({"sessions.create", write, SessionsCreate});
    registry.Add({"sessions.patch", write, SessionsPatch});
    // Destructive: admin, as OpenClaw 2026.9.6 answers (MISSING_SCOPE operator.admin).
    registry.Add({"sessions.reset", std::string(kScopeAdmin), SessionsReset});
    registry.Add({"sessions.delete", std::string(kScopeAdmin), SessionsDelete});
    registry.Add({"sessions.subscribe", read, [](MethodCall& c) { return Subscribe(c, true); }});
    registry.Add({"sessions.unsubscribe", read, [](MethodCall& c) { return Subscribe(c, false); }});
    registry.Add({"sessions.messages.subscribe", read, [](MethodCall& c) { return SubscribeMessages(c, true); }});
    registry.Add({"sessions.messages.unsubscribe", read, [](MethodCall& c) { return SubscribeMessages(c, false); }});
}

}  // namespace gw::api::ws
