// chat.send, chat.history, chat.abort, chat.inject (reference §2.4, §2.6).
#include <boost/json.hpp>

#include "api/ws/internal/core_common.hpp"
#include "api/ws/internal/event_hub.hpp"
#include "api/ws/internal/params.hpp"
#include "api/ws/internal/projection.hpp"
#include "crypto/encoding.hpp"
#include "domain/session_repository.hpp"
#include "domain/transcript_repository.hpp"

namespace gw::api::ws {
namespace {

namespace json = boost::json;

constexpr std::int64_t kMaxTimeoutMs = 24LL * 3600 * 1000;

/// chat.send `attachments[]`: `{type?, mimeType, content(base64) | data}` images become image blocks.
std::optional<WsError> AddAttachments(const json::value& attachments, std::vector<domain::ContentBlock>& content) {
    if (!attachments.is_array()) {
        return InvalidRequest("invalid chat.send params: /attachments must be array");
    }
    for (const auto& item : attachments.get_array()) {
        const auto* obj = item.if_object();
        if (obj == nullptr) {
            return InvalidRequest("invalid chat.send params: /attachments/items must be object");
        }
        const auto* mime = obj->if_contains("mimeType");
        const json::value* data = obj->if_contains("content");
        if (data == nullptr) {
            data = obj->if_contains("data");
        }
        if (mime == nullptr || !mime->is_string() || data == nullptr || !data->is_string()) {
            return InvalidRequest("invalid chat.send params: attachments need mimeType and base64 content");
        }
        if (!mime->get_string().starts_with("image/")) {
            return InvalidRequest("invalid chat.send params: only image attachments are supported");
        }
        if (!crypto::Base64Decode(std::string_view(data->get_string()))) {
            return InvalidRequest("invalid chat.send params: attachment content is not base64");
        }
        content.emplace_back(domain::ImageBlock{std::string(mime->get_string()), std::string(data->get_string())});
    }
    return std::nullopt;
}

json::object RunStatusPayload(const std::string& run_id, domain::RunStatus status) {
    std::string_view name = "ok";
    if (status == domain::RunStatus::kRunning) {
        name = "in_flight";
    } else if (status == domain::RunStatus::kFailed) {
        name = "error";
    } else if (status == domain::RunStatus::kAborted) {
        name = "aborted";
    }
    return json::object{{"runId", run_id}, {"status", name}};
}

Reply ChatSend(MethodCall& call) {
    ParamReader p("chat.send", call.params);
    auto session_key = p.String("sessionKey", true, domain::kMaxRequestSessionKeyLength, true);
    auto message = p.String("message", true, 4 * 1024 * 1024);
    auto ik = p.String("idempotencyKey", true, 256, true);
    auto agent_id = p.String("agentId", false, domain::kMaxAgentIdLength);
    auto attachments = p.Any("attachments", false);
    auto timeout_ms = p.Int("timeoutMs", false, 1, kMaxTimeoutMs);
    auto queue_mode = p.Enum("queueMode", false, {"steer", "followup", "collect", "interrupt"});
    p.String("thinking", false, 64);
    p.Bool("deliver", false);
    p.Ignore({"sessionId", "originatingChannel", "originatingTo", "originatingAccountId", "originatingThreadId",
              "expectedLeafEntryId", "systemInputProvenance", "systemProvenanceReceipt"});
    if (auto error = p.Finish()) {
        co_return *error;
    }
    auto agent = PickAgent(call.services, agent_id, "chat.send");
    if (auto* error = std::get_if<WsError>(&agent)) {
        co_return *error;
    }
    engine::SendRequest send;
    send.tenant_id = TenantOf(call);
    send.user_id = UserOf(call);
    send.agent_id = std::get<std::string>(agent);
    send.session_key = *session_key;
    if (!message->empty()) {
        send.content.emplace_back(domain::TextBlock{*message});
    }
    if (attachments) {
        if (auto error = AddAttachments(*attachments, send.content)) {
            co_return *error;
        }
    }
    if (send.content.empty()) {
        co_return InvalidRequest("invalid chat.send params: message must NOT be empty");
    }
    send.idempotency_key = *ik;
    if (queue_mode) {
        send.queue_mode = engine::ParseQueueMode(*queue_mode);
    }
    if (timeout_ms) {
        send.timeout = std::chrono::milliseconds(*timeout_ms);
    }
    const auto content = send.content;
    auto ack = co_await call.services.engine.Submit(std::move(send));
    if (!ack) {
        co_return FromError(ack.error());
    }
    if (ack->events) {
        ack->events->Close();  // the event hub streams the run
    }
    if (ack->status == engine::SubmitAck::Status::kDuplicate) {
        std::string tenant = TenantOf(call);
        std::string run_id = ack->run_id;
        auto run = co_await call.services.transcripts.GetRun(std::move(tenant), std::move(run_id));
        if (!run) {
            co_return json::object{{"runId", ack->run_id}, {"status", "in_flight"}};
        }
        co_return RunStatusPayload(ack->run_id, run->status);
    }
    call.services.events.PublishSessionMessage(
        TenantOf(call), ack->session_key,
        json::object{{"sessionKey", ack->session_key},
                     {"message", CommittedMessage(*ack, domain::Role::kUser, content, NowMs(call.services))}}
    );
    co_return json::object{{"runId", ack->run_id}, {"status", "started"}};
}

Reply ChatHistory(MethodCall& call) {
    ParamReader p("chat.history", call.params);
    auto session_key = p.String("sessionKey", true, domain::kMaxRequestSessionKeyLength, true);
    auto agent_id = p.String("agentId", false, domain::kMaxAgentIdLength);
    auto limit = p.Int("limit", false, 1, static_cast<std::int64_t>(domain::kMaxHistoryLimit));
    auto max_chars = p.Int("maxChars", false, 1, 1LL << 40);
    auto before = p.Int("beforeSeq", false, 1, INT64_MAX);
    p.Ignore({"offset", "messageId", "cursor", "sessionId", "includeTools", "inputRunIds", "maxBytes"});
    if (auto error = p.Finish()) {
        co_return *error;
    }
    auto agent = PickAgent(call.services, agent_id, "chat.history");
    if (auto* error = std::get_if<WsError>(&agent)) {
        co_return *error;
    }
    auto key = ResolveKey(*session_key, std::get<std::string>(agent));
    if (auto* error = std::get_if<WsError>(&key)) {
        co_return *error;
    }
    const auto& resolved = std::get<domain::SessionKey>(key);
    json::object out{{"sessionKey", resolved.ToString()}};
    std::string tenant = TenantOf(call);
    auto session = co_await call.services.sessions.Get(tenant, resolved);
    if (!session) {
        if (session.error().code != ErrorCode::kNotFound) {
            co_return FromError(session.error());
        }
        out["sessionId"] = nullptr;
        out["messages"] = json::array();
        out["totalMessages"] = 0;
        out["hasMore"] = false;
        out["nextOffset"] = nullptr;
        co_return out;
    }
    domain::HistoryQuery query{tenant, session->transcript_id,
                               limit ? static_cast<std::size_t>(*limit) : domain::kDefaultHistoryLimit, before};
    auto page = co_await call.services.transcripts.History(std::move(query));
    if (!page) {
        co_return FromError(page.error());
    }
    json::array messages;
    for (const auto& entry : page->entries) {
        json::object msg = ProjectEntry(entry);
        if (max_chars) {
            for (auto& block : msg["content"].as_array()) {
                auto& obj = block.as_object();
                if (auto* text = obj.if_contains("text"); text != nullptr && text->is_string() &&
                                                          text->get_string().size() > static_cast<std::size_t>(*max_chars)) {
                    *text = json::string(text->get_string().subview(0, static_cast<std::size_t>(*max_chars)));
                    obj["truncated"] = true;
                }
            }
        }
        messages.push_back(std::move(msg));
    }
    out["sessionId"] = session->transcript_id;
    out["messages"] = std::move(messages);
    out["totalMessages"] = page->total_entries;
    out["hasMore"] = page->next_before_seq.has_value();
    out["nextOffset"] = page->next_before_seq ? json::value(*page->next_before_seq) : json::value(nullptr);
    out["thinkingLevel"] = session->thinking_level ? json::value(json::string(*session->thinking_level)) : json::value(nullptr);
    co_return out;
}

/// chat.startup: what the Control UI loads before it lets the user type — the session's history page
/// (`{sessionKey, sessionId, messages, ...}`, as chat.history answers it).
Reply ChatStartup(MethodCall& call) {
    ParamReader p("chat.startup", call.params);
    auto session_key = p.String("sessionKey", true, domain::kMaxRequestSessionKeyLength, true);
    auto agent_id = p.String("agentId", false, domain::kMaxAgentIdLength);
    auto limit = p.Int("limit", false, 1, static_cast<std::int64_t>(domain::kMaxHistoryLimit));
    p.Int("maxBytes", false, 1, 1LL << 40);
    p.Ignore({"sessionId", "includeTools", "includeApprovals"});
    if (auto error = p.Finish()) {
        co_return *error;
    }
    json::object history{{"sessionKey", *session_key}};
    if (agent_id) {
        history["agentId"] = *agent_id;
    }
    if (limit) {
        history["limit"] = *limit;
    }
    MethodCall as_history{call.request_id, "chat.history", std::move(history), call.conn, call.services};
    co_return co_await ChatHistory(as_history);
}

Reply ChatAbort(MethodCall& call) {
    ParamReader p("chat.abort", call.params);
    auto session_key = p.String("sessionKey", true, domain::kMaxRequestSessionKeyLength, true);
    auto agent_id = p.String("agentId", false, domain::kMaxAgentIdLength);
    auto run_id = p.String("runId", false, 256, true);
    if (auto error = p.Finish()) {
        co_return *error;
    }
    auto agent = PickAgent(call.services, agent_id, "chat.abort");
    if (auto* error = std::get_if<WsError>(&agent)) {
        co_return *error;
    }
    auto key = ResolveKey(*session_key, std::get<std::string>(agent));
    if (auto* error = std::get_if<WsError>(&key)) {
        co_return *error;
    }
    std::string tenant = TenantOf(call);
    if (run_id) {
        std::string reason = "chat.abort";
        auto run = co_await call.services.engine.Abort(tenant, *run_id, std::move(reason));
        if (!run) {
            if (run.error().code == ErrorCode::kNotFound) {
                co_return json::object{{"ok", true}, {"aborted", false}, {"runIds", json::array()}};
            }
            co_return FromError(run.error());
        }
        const bool aborted = run->status == domain::RunStatus::kAborted;
        json::array ids;
        if (aborted) {
            ids.push_back(json::string(run->id));
        }
        co_return json::object{{"ok", true}, {"aborted", aborted}, {"runIds", std::move(ids)}};
    }
    // The session's latest run is the one that can be active: name it when something was aborted.
    const domain::SessionKey& resolved = std::get<domain::SessionKey>(key);
    auto session = co_await call.services.sessions.Get(tenant, resolved);
    std::string canonical = resolved.ToString();
    auto count = co_await call.services.engine.AbortSession(tenant, std::move(canonical));
    if (!count) {
        co_return FromError(count.error());
    }
    json::array ids;
    if (*count > 0 && session && session->last_run_id) {
        ids.push_back(json::string(*session->last_run_id));
    }
    co_return json::object{{"ok", true}, {"aborted", *count > 0}, {"count", *count}, {"runIds", std::move(ids)}};
}

Reply ChatInject(MethodCall& call) {
    ParamReader p("chat.inject", call.params);
    auto session_key = p.String("sessionKey", true, domain::kMaxRequestSessionKeyLength, true);
    auto message = p.String("message", true, 1024 * 1024, true);
    auto label = p.String("label", false, domain::kMaxSessionLabelLength);
    if (auto error = p.Finish()) {
        co_return *error;
    }
    engine::SendRequest send;
    send.tenant_id = TenantOf(call);
    send.user_id = UserOf(call);
    send.agent_id = DefaultAgentId(call.services);
    send.session_key = *session_key;
    send.role = domain::Role::kSystem;
    send.no_run = true;
    std::string text = label && !label->empty() ? "[" + *label + "] " + *message : *message;
    send.content.emplace_back(domain::TextBlock{std::move(text)});
    const auto content = send.content;
    auto ack = co_await call.services.engine.Submit(std::move(send));
    if (!ack) {
        co_return FromError(ack.error());
    }
    if (ack->events) {
        ack->events->Close();
    }
    call.services.events.PublishSessionMessage(
        TenantOf(call), ack->session_key,
        json::object{{"sessionKey", ack->session_key},
                     {"message", CommittedMessage(*ack, domain::Role::kSystem, content, NowMs(call.services))}}
    );
    co_return json::object{{"ok", true}, {"messageId", ack->message_id}, {"sessionKey", ack->session_key}};
}

}  // namespace

void RegisterChatMethods(MethodRegistry& registry) {
    registry.Add({"chat.send", std::string(kScopeWrite), ChatSend});
    registry.Add({"chat.history", std::string(kScopeRead), ChatHistory});
    registry.Add({"chat.startup", std::string(kScopeRead), ChatStartup});
    registry.Add({"chat.abort", std::string(kScopeWrite), ChatAbort});
    registry.Add({"chat.inject", std::string(kScopeWrite), ChatInject});
}

}  // namespace gw::api::ws
