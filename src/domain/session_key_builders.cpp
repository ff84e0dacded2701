// Session-key builders and classification (OpenClaw routing/session-key.ts semantics).
#include <array>
#include <string>
#include <vector>

#include "domain/internal/key_text.hpp"
#include "domain/session_key.hpp"

namespace gw::domain {

namespace {

using internal::SplitSegments;
using internal::Trim;

Result<SessionKey> Prefixed(std::string_view agent_id, std::string_view prefix, std::string_view id) {
    const std::string_view value = Trim(id);
    if (value.empty()) {
        return MakeError(
            ErrorCode::kInvalidArgument, std::string(prefix) + " session key needs a non-empty id"
        );
    }
    std::string rest(prefix);
    rest += ':';
    rest += value;
    return MakeSessionKey(NormalizeAgentId(agent_id), rest);
}

/// OpenClaw normalizeAccountId: lower-case, invalid characters to '-', `default` when nothing is left.
std::string NormalizeAccountId(std::string_view value) {
    const std::string lower = internal::LowerAscii(Trim(value));
    const std::string id = NormalizeAgentId(lower);
    // NormalizeAgentId falls back to "main"; an account falls back to "default".
    return (lower.empty() || (id == kDefaultAgentId && lower != kDefaultAgentId)) ? std::string("default")
                                                                                  : id;
}

std::string ChannelOrUnknown(std::string_view channel) {
    const std::string_view trimmed = Trim(channel);
    return trimmed.empty() ? std::string("unknown") : std::string(trimmed);
}

bool IsDirectMarker(std::string_view segment) noexcept {
    return segment == "direct" || segment == "dm";
}

}  // namespace

std::string_view SessionKindName(SessionKind kind) noexcept {
    switch (kind) {
        case SessionKind::kMain:
            return "main";
        case SessionKind::kDirect:
            return "direct";
        case SessionKind::kGroup:
            return "group";
        case SessionKind::kChannel:
            return "channel";
        case SessionKind::kOpenAi:
            return "openai";
        case SessionKind::kOpenAiUser:
            return "openai-user";
        case SessionKind::kOpenResponses:
            return "openresponses";
        case SessionKind::kHook:
            return "hook";
        case SessionKind::kCron:
            return "cron";
        case SessionKind::kSubagent:
            return "subagent";
        case SessionKind::kAcp:
            return "acp";
        case SessionKind::kDashboard:
            return "dashboard";
        case SessionKind::kOther:
            return "other";
    }
    return "other";
}

SessionKind ClassifySessionKey(const SessionKey& key, std::string_view main_key) {
    const std::string main = internal::LowerAscii(Trim(main_key));
    if (key.Rest() == (main.empty() ? std::string(kDefaultMainKey) : main)) {
        return SessionKind::kMain;
    }
    const std::vector<std::string_view> parts = SplitSegments(key.Rest());
    const std::string_view head = parts.front();  // Rest() is never empty (ParseSessionKey)

    struct Prefix {
        std::string_view name;
        SessionKind kind;
    };

    static constexpr std::array<Prefix, 10> kPrefixes = {{
        {"subagent", SessionKind::kSubagent},
        {"cron", SessionKind::kCron},
        {"acp", SessionKind::kAcp},
        {"hook", SessionKind::kHook},
        {"openai", SessionKind::kOpenAi},
        {"openai-user", SessionKind::kOpenAiUser},
        {"openresponses", SessionKind::kOpenResponses},
        {"dashboard", SessionKind::kDashboard},
        {"direct", SessionKind::kDirect},
        {"dm", SessionKind::kDirect},
    }};
    for (const Prefix& p : kPrefixes) {
        if (head == p.name) {
            return p.kind;
        }
    }
    if (parts.size() >= 3) {
        if (IsDirectMarker(parts[1])) {
            return SessionKind::kDirect;
        }
        if (parts[1] == "group") {
            return SessionKind::kGroup;
        }
        if (parts[1] == "channel" || parts[1] == "room") {
            return SessionKind::kChannel;
        }
    }
    if (parts.size() >= 4 && IsDirectMarker(parts[2])) {
        return SessionKind::kDirect;
    }
    return SessionKind::kOther;
}

bool IsReservedSessionKind(SessionKind kind) noexcept {
    return kind == SessionKind::kSubagent || kind == SessionKind::kCron || kind == SessionKind::kAcp;
}

Result<SessionKey> MainSessionKey(std::string_view agent_id, std::string_view main_key) {
    const std::string_view main = Trim(main_key);
    return MakeSessionKey(NormalizeAgentId(agent_id), main.empty() ? kDefaultMainKey : main);
}

Result<SessionKey> OpenAiSessionKey(std::string_view agent_id, std::string_view request_id) {
    return Prefixed(agent_id, "openai", request_id);
}

Result<SessionKey> OpenAiUserSessionKey(std::string_view agent_id, std::string_view user) {
    return Prefixed(agent_id, "openai-user", user);
}

Result<SessionKey> OpenResponsesSessionKey(std::string_view agent_id, std::string_view request_id) {
    return Prefixed(agent_id, "openresponses", request_id);
}

Result<SessionKey> HookSessionKey(std::string_view agent_id, std::string_view request_id) {
    return Prefixed(agent_id, "hook", request_id);
}

Result<SessionKey> PeerSessionKey(const PeerRoute& route) {
    const std::string agent = NormalizeAgentId(route.agent_id);
    const std::string_view peer = Trim(route.peer_id);
    const std::string channel = ChannelOrUnknown(route.channel);
    if (route.peer_kind != PeerKind::kDirect) {
        const std::string_view kind = route.peer_kind == PeerKind::kGroup ? "group" : "channel";
        return MakeSessionKey(
            agent, channel + ":" + std::string(kind) + ":" + (peer.empty() ? "unknown" : std::string(peer))
        );
    }
    if (peer.empty() || route.dm_scope == DmScope::kMain) {
        return MainSessionKey(agent, route.main_key);
    }
    switch (route.dm_scope) {
        case DmScope::kPerAccountChannelPeer:
            return MakeSessionKey(
                agent, channel + ":" + NormalizeAccountId(route.account_id) + ":direct:" + std::string(peer)
            );
        case DmScope::kPerChannelPeer:
            return MakeSessionKey(agent, channel + ":direct:" + std::string(peer));
        case DmScope::kPerPeer:
        case DmScope::kMain:
            break;
    }
    return MakeSessionKey(agent, "direct:" + std::string(peer));
}

Result<SessionKey> WithThread(const SessionKey& base, std::string_view thread_id) {
    const std::string_view thread = Trim(thread_id);
    if (thread.empty()) {
        return base;
    }
    return ParseSessionKey(base.ToString() + ":thread:" + std::string(thread));
}

}  // namespace gw::domain
