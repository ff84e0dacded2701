#pragma once
/// @file
/// @brief The audit hash chain, independent of the database: record hash and MAC, and a streaming
/// verifier (O(1) memory) that names the first broken record. Used by SqliteAuditLog and
/// VerifyAuditChain; a PostgreSQL log reuses it unchanged.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "domain/audit.hpp"

namespace gw::store {

/// Lower-case hex SHA-256 over the 32 raw bytes of `prev_hash_hex` followed by `canonical`
/// (domain::CanonicalAuditBytes). kInvalidArgument when `prev_hash_hex` is not 64 hex digits.
Result<std::string> AuditChainHash(std::string_view prev_hash_hex, std::string_view canonical);

/// Lower-case hex HMAC-SHA256 under `key` over the 32 raw bytes of `hash_hex`. kInvalidArgument when
/// `hash_hex` is not 64 hex digits or `key` is empty.
Result<std::string> AuditChainMac(std::string_view key, std::string_view hash_hex);

/// The chain head as stored next to the records: the last record's seq and hash (0 and the genesis hash
/// for an empty log).
struct AuditHead {
    std::int64_t seq = 0;
    std::string hash;
};

/// What VerifyAuditChain found first.
enum class AuditProblemKind {
    kModified,      ///< a record's stored hash does not match its contents (or a column is unreadable)
    kMissing,       ///< a gap in seq: records were deleted
    kChainBroken,   ///< a record's prev_hash is not its predecessor's hash: replaced, reordered or inserted
    kMacMissing,    ///< with a key: a record from mac_from_seq on has no MAC
    kMacMismatch,   ///< with a key: a wrong MAC (the chain was rewritten by someone without the key)
    kTruncated,     ///< the head names records after the last one: the tail was deleted
    kHeadMismatch,  ///< the head does not match the last record (head edited, or records appended around it)
    kHeadMissing,   ///< the head row is gone
};

/// "modified", "missing", "chain_broken", "mac_missing", "mac_mismatch", "truncated", "head_mismatch",
/// "head_missing".
std::string_view AuditProblemKindName(AuditProblemKind kind) noexcept;

struct AuditProblem {
    AuditProblemKind kind = AuditProblemKind::kModified;
    std::int64_t seq = 0;  ///< the first record concerned (for kTruncated: the first missing one)
    std::string message;   ///< one line, e.g. "record seq 17 was modified (hash mismatch)"
};

struct AuditVerifyOptions {
    /// HMAC key the log was written with; empty: MACs are not checked (then an attacker who can write the
    /// whole database can recompute a consistent chain; see the store README).
    std::string hmac_key;
    /// With a key: records from this seq on must carry a valid MAC (records before it were written
    /// before the key was configured).
    std::int64_t mac_from_seq = 1;
};

struct AuditVerifyReport {
    bool ok = true;
    std::int64_t records_checked = 0;  ///< records read before the first problem (all of them when ok)
    std::int64_t last_seq = 0;         ///< seq of the last record read (0: none)
    std::string last_hash;             ///< its hash (the genesis hash when none)
    std::optional<AuditHead> head;     ///< as stored; nullopt when the row is missing
    bool macs_checked = false;
    std::optional<AuditProblem> problem;  ///< set iff !ok
};

/// Verifies records fed in ascending seq order, keeping only the previous record's seq and hash.
/// Stops at the first problem: after Feed returns false, further records are ignored.
class AuditChainChecker {
public:
    explicit AuditChainChecker(AuditVerifyOptions options);

    /// Checks the next record. `decision_text` is the decision column as stored (it is part of the hash).
    /// Returns false once a problem has been found.
    bool Feed(const domain::AuditRecord& record, std::string_view decision_text);

    /// A record whose columns could not be decoded (bad JSON, unknown decision): reported as modified.
    bool FeedUnreadable(std::int64_t seq, std::string_view why);

    /// Compares `head` (nullopt: the row is missing) with the last record and returns the report.
    AuditVerifyReport Finish(std::optional<AuditHead> head);

private:
    bool Fail(AuditProblemKind kind, std::int64_t seq, std::string message);
    bool CheckSeq(std::int64_t seq);
    bool CheckMac(const domain::AuditRecord& record);

    AuditVerifyOptions options_;
    AuditVerifyReport report_;
};

}  // namespace gw::store
