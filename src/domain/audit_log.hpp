#pragma once
/// @file
/// @brief AuditLog: the append-only, hash-chained audit log port (issue #5).

#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "base/error.hpp"
#include "domain/audit.hpp"

namespace gw::domain {

/// Append-only log of AuditEvents, sealed in one hash chain per database (see AuditRecord).
/// Thread-safe; awaitables resume on the awaiting coroutine's executor.
///
/// Fail closed: a caller that must audit an action awaits Append and refuses the action (503) when it
/// fails; nothing is buffered in memory to be written later.
class AuditLog {
public:
    virtual ~AuditLog() = default;

    /// Normalises `event` (NormalizeAuditEvent), stamps `time_ms` when it is 0, assigns the next seq and
    /// links it to the chain; returns the record once it is durable (committed). Errors:
    /// kInvalidArgument (NormalizeAuditEvent refused it), kUnavailable (store closed, busy, I/O),
    /// kInternal (the chain head is missing or unreadable: refuse and run `audit verify`).
    virtual boost::asio::awaitable<Result<AuditRecord>> Append(AuditEvent event) = 0;

    /// The records of one tenant (use "" for unattributed events) matching `filter`, ordered by seq.
    /// kInvalidArgument: ValidateAuditFilter refused `filter`.
    virtual boost::asio::awaitable<Result<std::vector<AuditRecord>>> Query(
        std::string tenant_id, AuditFilter filter
    ) = 0;

    /// Query across every tenant; for global administrators only (the caller authorises).
    virtual boost::asio::awaitable<Result<std::vector<AuditRecord>>> QueryAllTenants(AuditFilter filter) = 0;
};

}  // namespace gw::domain
