#pragma once
/// @file
/// @brief AuditLog over the embedded SQLite store (`audit_events`, `audit_head`), and the chain verifier
/// behind `openclaw-gateway audit verify`.

#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "domain/audit_log.hpp"
#include "domain/clock.hpp"
#include "store/audit_chain.hpp"
#include "store/embedded_store.hpp"

namespace gw::store {

/// Appends are single group-commit writes: the head read, the insert and the head update run in the
/// write's SAVEPOINT inside the batch transaction, under SQLite's write lock, so concurrent appenders (and
/// other processes) are serialised and a rolled-back write (its own failure, a batch-mate that ended the
/// transaction, a failed COMMIT) leaves no trace: the next append reads the head the database has. The
/// store must outlive the log; the clock is called on the writer thread.
class SqliteAuditLog final : public domain::AuditLog {
public:
    /// `hmac_key` empty: records carry no MAC. Otherwise every record gets
    /// mac = HMAC-SHA256(hmac_key, raw(hash)), so a chain rewritten without the key fails verification.
    /// Keep the key outside the database (config secret / key file).
    SqliteAuditLog(EmbeddedStore& store, domain::WallClock clock, std::string hmac_key = {});

    boost::asio::awaitable<Result<domain::AuditRecord>> Append(domain::AuditEvent event) override;
    boost::asio::awaitable<Result<std::vector<domain::AuditRecord>>> Query(
        std::string tenant_id, domain::AuditFilter filter
    ) override;
    boost::asio::awaitable<Result<std::vector<domain::AuditRecord>>> QueryAllTenants(
        domain::AuditFilter filter
    ) override;

    /// Append for the CLI (`apikey create` and similar admin commands); blocks until committed. Not on an
    /// io thread or a store thread.
    Result<domain::AuditRecord> AppendBlocking(domain::AuditEvent event);

private:
    EmbeddedStore& store_;
    domain::WallClock clock_;
    std::string hmac_key_;
};

/// Checks the whole chain in one read snapshot, streaming rows in seq order (O(1) memory): every
/// record's hash against its contents, the seq sequence for gaps, every prev_hash against its
/// predecessor, the MACs when `options.hmac_key` is set, and finally the head against the last record
/// (tail deletion). Returns the report (ok, or the first problem and where); an error only when the
/// database cannot be read (kUnavailable, kInternal). Blocking, and holds one reader thread for the whole
/// scan: call from the CLI or a blocking pool, never on an io thread or a store thread.
Result<AuditVerifyReport> VerifyAuditChain(EmbeddedStore& store, const AuditVerifyOptions& options = {});

/// The stored head (nullopt when the row is missing), for anchoring it outside the database. Blocking,
/// like VerifyAuditChain.
Result<std::optional<AuditHead>> ReadAuditHead(EmbeddedStore& store);

}  // namespace gw::store
