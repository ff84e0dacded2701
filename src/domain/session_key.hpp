#pragma once
/// @file
/// @brief OpenClaw session keys: parse, normalise, build and classify (reference §5). Pure; thread-safe.
///
/// Every stored key is agent-scoped, `agent:<agentId>:<rest>`, exactly as OpenClaw's store keys. A
/// *request* key (chat.send `sessionKey`, `x-openclaw-session-key`, hook `sessionKey`) may omit the
/// `agent:<id>:` head; ResolveSessionKey scopes it under the request's agent (`main` → the main key).
///
/// Normalisation follows OpenClaw: trim, ASCII lower-case, empty `:` segments dropped, except the opaque
/// case-sensitive peer ids OpenClaw preserves (a Signal group id segment `signal:group:<id>`, and the tail
/// after `agent:<a>:matrix:channel:` / `matrix:group:`, whose `:thread:` marker is still folded).

#include <cstddef>
#include <string>
#include <string_view>

#include "base/error.hpp"

namespace gw::domain {

inline constexpr std::string_view kDefaultAgentId = "main";
inline constexpr std::string_view kDefaultMainKey = "main";
/// Longest request key accepted (OpenClaw's chat.send `sessionKey` limit), in bytes.
inline constexpr std::size_t kMaxRequestSessionKeyLength = 512;
/// Longest agent id (`[a-z0-9][a-z0-9_-]{0,63}`).
inline constexpr std::size_t kMaxAgentIdLength = 64;
/// Longest stored key: a maximal request key under the longest `agent:<id>:` head.
inline constexpr std::size_t kMaxSessionKeyLength = kMaxRequestSessionKeyLength + 7 + kMaxAgentIdLength;

/// A validated, normalised agent-scoped session key. Construct with ParseSessionKey, ResolveSessionKey
/// or a builder; the value is immutable.
class SessionKey {
public:
    /// The agent id (`main`, `ops`, ...), lower-case, `[a-z0-9][a-z0-9_-]{0,63}`.
    const std::string& AgentId() const noexcept { return agent_id_; }

    /// Everything after `agent:<agentId>:` (OpenClaw's request-key form, e.g. `main`, `openai:<uuid>`).
    const std::string& Rest() const noexcept { return rest_; }

    /// The stored form `agent:<agentId>:<rest>`.
    const std::string& ToString() const noexcept { return full_; }

    friend bool operator==(const SessionKey& a, const SessionKey& b) noexcept { return a.full_ == b.full_; }

private:
    friend Result<SessionKey> ParseSessionKey(std::string_view key);

    SessionKey(std::string agent_id, std::string rest);

    std::string agent_id_;
    std::string rest_;
    std::string full_;
};

/// What a key addresses; derived from the segments after the agent head.
enum class SessionKind {
    kMain,           ///< `agent:<a>:<mainKey>`: every DM with dmScope "main" converges here
    kDirect,         ///< `direct:<peer>`, `<channel>:direct:<peer>`, `<channel>:<account>:direct:<peer>`
    kGroup,          ///< `<channel>:group:<id>` (a Telegram topic adds `:topic:<n>`)
    kChannel,        ///< `<channel>:channel:<id>` or `<channel>:room:<id>`
    kOpenAi,         ///< `openai:<uuid>`: stateless /v1/chat/completions request
    kOpenAiUser,     ///< `openai-user:<user>`: /v1/chat/completions with an OpenAI `user`
    kOpenResponses,  ///< `openresponses:<uuid>`: /v1/responses
    kHook,           ///< `hook:<uuid>` or a configured `hook:…` prefix
    kCron,           ///< `cron:<jobId>[:run:<id>]` (reserved)
    kSubagent,       ///< `subagent:<uuid>` (reserved)
    kAcp,            ///< `acp:…` (reserved)
    kDashboard,      ///< `dashboard:<id>` (Control UI)
    kOther,          ///< any other explicit key chosen by a client
};

/// Stable lower-case name ("main", "openai-user", ...), for logs and sessions.list `kind`.
std::string_view SessionKindName(SessionKind kind) noexcept;

/// DM grouping (OpenClaw `session.dmScope`).
enum class DmScope { kMain, kPerPeer, kPerChannelPeer, kPerAccountChannelPeer };

/// Chat type of a channel peer.
enum class PeerKind { kDirect, kGroup, kChannel };

/// Inputs of PeerSessionKey (OpenClaw buildAgentPeerSessionKey); identity links are resolved by the caller.
struct PeerRoute {
    std::string agent_id;
    std::string channel;     ///< "telegram", "slack", ... ("unknown" when empty)
    std::string account_id;  ///< channel account ("default" when empty)
    PeerKind peer_kind = PeerKind::kDirect;
    std::string peer_id;
    DmScope dm_scope = DmScope::kMain;
    std::string main_key = std::string(kDefaultMainKey);
};

/// OpenClaw's best-effort agent id: trimmed and lower-cased; invalid characters collapse to `-`, edge
/// dashes are dropped, at most 64 characters; `main` when nothing is left.
std::string NormalizeAgentId(std::string_view value);

/// True when `value` (trimmed) matches `[a-z0-9][a-z0-9_-]{0,63}` case-insensitively.
bool IsValidAgentId(std::string_view value) noexcept;

/// Trim plus OpenClaw lower-casing that keeps opaque peer ids (see the file comment). Idempotent.
std::string NormalizeSessionKeyCase(std::string_view key);

/// Parses a stored, agent-scoped key (`agent:<agentId>:<rest>`), normalising it.
/// Errors (kInvalidArgument, the message says why): empty; longer than kMaxSessionKeyLength; control
/// characters or invalid UTF-8; not `agent:`-scoped; fewer than three segments; an invalid agent id.
Result<SessionKey> ParseSessionKey(std::string_view key);

/// OpenClaw toAgentStoreSessionKey: an empty key or `main` → the agent's main key; an agent-scoped key →
/// itself (its own agent wins); anything else → `agent:<agentId>:<key>`. `agent_id` is normalised with
/// NormalizeAgentId. Errors as ParseSessionKey, plus kInvalidArgument for a request key longer than
/// kMaxRequestSessionKeyLength or a malformed `agent:` key (OpenClaw would store those verbatim).
Result<SessionKey> ResolveSessionKey(
    std::string_view request_key,
    std::string_view agent_id = kDefaultAgentId,
    std::string_view main_key = kDefaultMainKey
);

/// Refuses keys reserved for internal runs when they arrive over HTTP (`x-openclaw-session-key`, hook
/// `sessionKey`): a key starting with `subagent:`, `cron:` or `acp:` (400 in OpenClaw). The same prefixes
/// after an `agent:<id>:` head are refused too, so an HTTP caller cannot address them by scoping.
/// Error: kInvalidArgument naming the prefix.
Result<void> CheckHttpSessionKey(std::string_view request_key);

/// Classifies a key; `main_key` is the configured `session.mainKey`.
SessionKind ClassifySessionKey(const SessionKey& key, std::string_view main_key = kDefaultMainKey);

/// True for the reserved internal kinds (subagent, cron, acp).
bool IsReservedSessionKind(SessionKind kind) noexcept;

/// `agent:<agent>:<mainKey>` (OpenClaw buildAgentMainSessionKey; an empty main key means `main`).
Result<SessionKey> MainSessionKey(std::string_view agent_id, std::string_view main_key = kDefaultMainKey);

/// `agent:<agent>:openai:<request_id>`: a stateless /v1/chat/completions session.
Result<SessionKey> OpenAiSessionKey(std::string_view agent_id, std::string_view request_id);

/// `agent:<agent>:openai-user:<user>`: the persistent session of an OpenAI `user` (lower-cased, as in
/// OpenClaw, so `Alice` and `alice` share it).
Result<SessionKey> OpenAiUserSessionKey(std::string_view agent_id, std::string_view user);

/// `agent:<agent>:openresponses:<request_id>`.
Result<SessionKey> OpenResponsesSessionKey(std::string_view agent_id, std::string_view request_id);

/// `agent:<agent>:hook:<request_id>`: the default /hooks/agent session.
Result<SessionKey> HookSessionKey(std::string_view agent_id, std::string_view request_id);

/// A channel peer's key (OpenClaw buildAgentPeerSessionKey): groups and channels get
/// `<channel>:<kind>:<peer>`; DMs follow `dm_scope` and fall back to the main key without a peer id.
Result<SessionKey> PeerSessionKey(const PeerRoute& route);

/// `<base>:thread:<thread_id>` (thread id lower-cased unless the base keeps opaque ids); the base
/// itself when `thread_id` is blank.
Result<SessionKey> WithThread(const SessionKey& base, std::string_view thread_id);

/// Builds a key from an agent id and a rest, validating both (the factory behind every builder).
Result<SessionKey> MakeSessionKey(std::string_view agent_id, std::string_view rest);

}  // namespace gw::domain
