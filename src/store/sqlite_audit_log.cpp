#include "store/sqlite_audit_log.hpp"

#include <optional>
#include <utility>

#include "base/ids.hpp"
#include "store/internal/audit_sql.hpp"
#include "store/internal/store_calls.hpp"

namespace gw::store {

namespace {

namespace asio = boost::asio;
using domain::AuditEvent;
using domain::AuditRecord;

/// The write function of one append: stamps the time (on the writer thread, so the log's own timestamps
/// are taken in chain order) and links the record.
auto AppendFn(AuditEvent event, domain::WallClock clock, std::string hmac_key) {
    return [event = std::move(event), clock = std::move(clock), key = std::move(hmac_key), id = NewUuid()](
               sqlite::Connection& conn
           ) -> Result<AuditRecord> {
        AuditEvent stamped = event;
        if (stamped.time_ms == 0) {
            stamped.time_ms = clock();
        }
        return internal::AppendAuditRecord(conn, std::move(stamped), id, key);
    };
}

/// Validates, then runs the query on the reader pool (the read function owns copies of its inputs).
asio::awaitable<Result<std::vector<AuditRecord>>> RunQuery(
    EmbeddedStore* store, std::optional<std::string> tenant_id, domain::AuditFilter filter
) {
    if (auto valid = domain::ValidateAuditFilter(filter); !valid) {
        co_return valid.error();
    }
    auto query = [tenant_id = std::move(tenant_id), filter = std::move(filter)](sqlite::Connection& conn) {
        return internal::QueryAuditRecords(conn, tenant_id, filter);
    };
    Result<std::vector<AuditRecord>> records =
        co_await internal::ReadValue<std::vector<AuditRecord>>(*store, std::move(query));
    co_return records;
}

}  // namespace

SqliteAuditLog::SqliteAuditLog(EmbeddedStore& store, domain::WallClock clock, std::string hmac_key)
    : store_(store), clock_(std::move(clock)), hmac_key_(std::move(hmac_key)) {}

asio::awaitable<Result<AuditRecord>> SqliteAuditLog::Append(AuditEvent event) {
    auto normalized = domain::NormalizeAuditEvent(std::move(event));
    if (!normalized) {
        co_return normalized.error();
    }
    auto append = AppendFn(std::move(*normalized), clock_, hmac_key_);
    Result<AuditRecord> record = co_await internal::WriteValue<AuditRecord>(store_, std::move(append));
    co_return record;
}

Result<AuditRecord> SqliteAuditLog::AppendBlocking(AuditEvent event) {
    auto normalized = domain::NormalizeAuditEvent(std::move(event));
    if (!normalized) {
        return normalized.error();
    }
    return internal::WriteValueBlocking<AuditRecord>(
        store_, AppendFn(std::move(*normalized), clock_, hmac_key_)
    );
}

asio::awaitable<Result<std::vector<AuditRecord>>> SqliteAuditLog::Query(
    std::string tenant_id, domain::AuditFilter filter
) {
    return RunQuery(&store_, std::optional<std::string>(std::move(tenant_id)), std::move(filter));
}

asio::awaitable<Result<std::vector<AuditRecord>>> SqliteAuditLog::QueryAllTenants(domain::AuditFilter filter
) {
    return RunQuery(&store_, std::nullopt, std::move(filter));
}

Result<AuditVerifyReport> VerifyAuditChain(EmbeddedStore& store, const AuditVerifyOptions& options) {
    std::optional<AuditVerifyReport> report;
    auto verified = store.ReadBlocking([&report, &options](sqlite::Connection& conn) -> Result<void> {
        auto r = internal::VerifyAuditRecords(conn, options);
        if (!r) {
            return r.error();
        }
        report.emplace(std::move(*r));
        return Ok();
    });
    if (!verified) {
        return verified.error();
    }
    return std::move(*report);
}

Result<std::optional<AuditHead>> ReadAuditHead(EmbeddedStore& store) {
    std::optional<AuditHead> head;
    auto read = store.ReadBlocking([&head](sqlite::Connection& conn) -> Result<void> {
        auto h = internal::LoadAuditHead(conn);
        if (!h) {
            return h.error();
        }
        head = std::move(*h);
        return Ok();
    });
    if (!read) {
        return read.error();
    }
    return head;
}

}  // namespace gw::store
