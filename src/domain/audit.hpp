#pragma once
/// @file
/// @brief Audit events (issue #5): what is recorded for every authentication result, authorisation
/// decision and security-relevant change, how an event is normalised, and the canonical byte form the
/// hash chain covers. Pure; the `AuditLog` port is in `audit_log.hpp`.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"

namespace gw::domain {

/// Outcome recorded with an event.
enum class AuditDecision {
    kAllow,  ///< authenticated / authorised / change applied
    kDeny,   ///< refused (bad credentials, missing permission, policy)
    kError,  ///< could not be decided (a dependency failed); the request was refused (fail closed)
};

/// "allow", "deny", "error".
std::string_view AuditDecisionName(AuditDecision decision) noexcept;

/// Exact inverse of AuditDecisionName; nullopt for anything else.
std::optional<AuditDecision> ParseAuditDecision(std::string_view name) noexcept;

/// Well-known actions. Any string matching `[a-z0-9][a-z0-9_.:-]{0,63}` is accepted; use these where
/// they fit so reports can filter on them.
namespace audit_actions {
inline constexpr std::string_view kAuthenticate = "auth.authenticate";  ///< a request's credentials
inline constexpr std::string_view kAuthorize = "authz.decide";          ///< a protected route's decision
inline constexpr std::string_view kLogin = "auth.login";                ///< interactive login
inline constexpr std::string_view kLogout = "auth.logout";
inline constexpr std::string_view kApiKeyCreate = "apikey.create";
inline constexpr std::string_view kApiKeyRevoke = "apikey.revoke";
inline constexpr std::string_view kRoleChange = "role.change";
inline constexpr std::string_view kConfigChange = "config.change";
inline constexpr std::string_view kSessionDelete = "session.delete";
inline constexpr std::string_view kExport = "data.export";
}  // namespace audit_actions

/// Limits applied by NormalizeAuditEvent.
inline constexpr std::size_t kMaxAuditTextBytes = 1024;     ///< every text field and detail value
inline constexpr std::size_t kMaxAuditActionBytes = 64;     ///< action (an error beyond it)
inline constexpr std::size_t kMaxAuditFactors = 16;         ///< an error beyond it
inline constexpr std::size_t kMaxAuditDetails = 32;         ///< an error beyond it
inline constexpr std::size_t kMaxAuditDetailKeyBytes = 64;  ///< detail keys: `[a-z0-9_.-]{1,64}`

/// One audited fact. Empty strings mean "not known / not applicable".
struct AuditEvent {
    std::int64_t time_ms = 0;          ///< UTC ms since the epoch; 0 = stamped by the log when appended
    std::string tenant_id;             ///< "" = not attributed to a tenant (e.g. authentication failed first)
    std::string principal;             ///< user / key / service id; "" = anonymous
    std::vector<std::string> factors;  ///< authentication factors used ("api_key", "jwt", "mtls", ...)
    std::string action;                ///< e.g. audit_actions::kAuthorize; required
    std::string resource;              ///< what was acted on (route, key id, session key, setting)
    AuditDecision decision = AuditDecision::kDeny;
    std::string reason;  ///< why (machine-readable where possible: "jwt expired", "role:admin required")
    std::string source_ip;
    std::string user_agent;
    std::string request_id;
    std::map<std::string, std::string> details;  ///< small extra facts (old/new role, key id, count)

    friend bool operator==(const AuditEvent&, const AuditEvent&) = default;
};

/// An appended event: its place in the chain and the hashes that seal it.
struct AuditRecord {
    std::int64_t seq = 0;   ///< 1, 2, 3, ... one global chain per database, no gaps
    std::string id;         ///< UUIDv4 of the record
    AuditEvent event;       ///< as stored (normalised, time stamped)
    std::string prev_hash;  ///< hash of record seq-1 (kAuditGenesisHash for seq 1), 64 lower-case hex
    std::string hash;       ///< SHA-256(raw(prev_hash) || CanonicalAuditBytes(...)), 64 lower-case hex
    std::string mac;        ///< HMAC-SHA256(key, raw(hash)) hex when the log has a key, else ""

    friend bool operator==(const AuditRecord&, const AuditRecord&) = default;
};

/// prev_hash of the first record: 64 '0' characters (32 zero bytes).
inline constexpr std::string_view kAuditGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

/// Version tag, the first field of the canonical form.
inline constexpr std::string_view kAuditCanonicalVersion = "gw.audit.v1";

/// Makes an event safe to store and to print, or refuses it (kInvalidArgument) for caller bugs.
/// Refused: an action outside `[a-z0-9][a-z0-9_.:-]{0,63}`; a negative time; more than kMaxAuditFactors
/// factors or kMaxAuditDetails details; a detail key outside `[a-z0-9_.-]{1,64}`.
/// Repaired (these fields carry attacker-controlled text such as user agents and failed user names):
/// every text field, factor and detail value has malformed UTF-8 bytes and control characters (C0, DEL,
/// C1) replaced by U+FFFD, and is cut on a character boundary to kMaxAuditTextBytes, ending in "…" when
/// cut. Idempotent: normalising a normalised event changes nothing.
Result<AuditEvent> NormalizeAuditEvent(AuditEvent event);

/// The exact bytes the chain hash covers. A sequence of netstrings (`<decimal length>:<bytes>,`),
/// in this order:
///   kAuditCanonicalVersion, seq, id, time_ms, tenant_id, principal,
///   N = number of factors, factor_1 .. factor_N (in the stored order),
///   action, resource, AuditDecisionName(decision), reason, source_ip, user_agent, request_id,
///   M = number of details, key_1, value_1, .. key_M, value_M (keys in ascending byte order).
/// Integers are written in decimal ASCII (a '-' sign for negatives, no leading zeros). The schema is
/// fixed and every field is length-prefixed, so two different records never share a canonical form.
std::string CanonicalAuditBytes(std::int64_t seq, std::string_view id, const AuditEvent& event);

/// CanonicalAuditBytes with the decision given as stored text (the verifier recomputes hashes from
/// stored rows, including rows whose decision was tampered with).
std::string CanonicalAuditBytes(
    std::int64_t seq, std::string_view id, const AuditEvent& event, std::string_view decision_text
);

/// Query filter. Bounds are optional; results are ordered by seq.
struct AuditFilter {
    std::optional<std::int64_t> since_ms;    ///< time >= since_ms
    std::optional<std::int64_t> until_ms;    ///< time < until_ms
    std::optional<std::string> action;       ///< exact match
    std::optional<std::string> principal;    ///< exact match
    std::optional<std::int64_t> after_seq;   ///< seq > after_seq (next page, oldest first)
    std::optional<std::int64_t> before_seq;  ///< seq < before_seq (next page, newest first)
    bool newest_first = false;
    int limit = 100;  ///< 1..kMaxAuditQueryLimit
};

inline constexpr int kMaxAuditQueryLimit = 1000;

/// kInvalidArgument for a limit outside 1..kMaxAuditQueryLimit or since >= until.
Result<void> ValidateAuditFilter(const AuditFilter& filter);

}  // namespace gw::domain
