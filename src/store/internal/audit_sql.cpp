#include "store/internal/audit_sql.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <boost/json.hpp>

#include "store/internal/conversation_rows.hpp"

namespace gw::store::internal {

namespace {

namespace json = boost::json;

constexpr std::string_view kAuditColumns =
    "seq, id, tenant_id, time, principal, factors, action, resource, decision, reason, source_ip, "
    "user_agent, request_id, details, prev_hash, hash, mac";

std::string EncodeFactors(const std::vector<std::string>& factors) {
    json::array out;
    for (const std::string& f : factors) {
        out.emplace_back(json::string_view(f));
    }
    return json::serialize(out);
}

std::string EncodeDetails(const std::map<std::string, std::string>& details) {
    json::object out;
    for (const auto& [key, value] : details) {
        out[key] = json::string_view(value);
    }
    return json::serialize(out);
}

/// A JSON array of strings, or nullopt.
std::optional<std::vector<std::string>> DecodeFactors(std::string_view text) {
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    if (ec || !v.is_array()) {
        return std::nullopt;
    }
    std::vector<std::string> out;
    for (const json::value& item : v.get_array()) {
        if (!item.is_string()) {
            return std::nullopt;
        }
        out.emplace_back(item.get_string());
    }
    return out;
}

/// A JSON object of strings, or nullopt.
std::optional<std::map<std::string, std::string>> DecodeDetails(std::string_view text) {
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    if (ec || !v.is_object()) {
        return std::nullopt;
    }
    std::map<std::string, std::string> out;
    for (const auto& item : v.get_object()) {
        if (!item.value().is_string()) {
            return std::nullopt;
        }
        out[std::string(item.key())] = std::string(item.value().get_string());
    }
    return out;
}

/// One stored row. `unreadable` names the column that could not be decoded ("" when all decoded).
struct AuditRow {
    domain::AuditRecord record;
    std::string decision_text;
    std::string unreadable;
};

AuditRow ReadAuditRow(const sqlite::Statement& s) {
    AuditRow row;
    domain::AuditRecord& r = row.record;
    r.seq = s.ColumnInt64(0);
    r.id = ColText(s, 1);
    r.event.tenant_id = ColText(s, 2);
    r.event.time_ms = s.ColumnInt64(3);
    r.event.principal = ColText(s, 4);
    auto factors = DecodeFactors(s.ColumnText(5));
    r.event.action = ColText(s, 6);
    r.event.resource = ColText(s, 7);
    row.decision_text = ColText(s, 8);
    auto decision = domain::ParseAuditDecision(row.decision_text);
    r.event.reason = ColText(s, 9);
    r.event.source_ip = ColText(s, 10);
    r.event.user_agent = ColText(s, 11);
    r.event.request_id = ColText(s, 12);
    auto details = DecodeDetails(s.ColumnText(13));
    r.prev_hash = ColText(s, 14);
    r.hash = ColText(s, 15);
    r.mac = ColText(s, 16);
    if (factors) {
        r.event.factors = std::move(*factors);
    } else {
        row.unreadable = "factors is not a JSON array of strings";
    }
    if (details) {
        r.event.details = std::move(*details);
    } else {
        row.unreadable = "details is not a JSON object of strings";
    }
    if (decision) {
        r.event.decision = *decision;
    } else {
        row.unreadable = "unknown decision '" + row.decision_text + "'";
    }
    return row;
}

using SqlValue = std::variant<std::int64_t, std::string>;

void AddCondition(
    std::string& sql, std::vector<SqlValue>& params, std::string_view condition, SqlValue value
) {
    sql += params.empty() ? " WHERE " : " AND ";
    sql += condition;
    params.push_back(std::move(value));
    sql += " ?" + std::to_string(params.size());
}

}  // namespace

Result<std::optional<AuditHead>> LoadAuditHead(sqlite::Connection& conn) {
    auto stmt = conn.Prepare("SELECT seq, hash FROM audit_head WHERE id = 1");
    if (!stmt) {
        return stmt.error();
    }
    auto row = stmt->Step();
    if (!row) {
        return row.error();
    }
    if (!*row) {
        return std::optional<AuditHead>();
    }
    return std::optional<AuditHead>(AuditHead{stmt->ColumnInt64(0), ColText(*stmt, 1)});
}

Result<domain::AuditRecord> AppendAuditRecord(
    sqlite::Connection& conn, domain::AuditEvent event, std::string id, const std::string& hmac_key
) {
    auto head = LoadAuditHead(conn);
    if (!head) {
        return head.error();
    }
    if (!*head) {
        return MakeError(ErrorCode::kInternal, "audit: the chain head is missing; run `audit verify`");
    }
    domain::AuditRecord record;
    record.seq = (*head)->seq + 1;
    record.id = std::move(id);
    record.prev_hash = std::move((*head)->hash);
    record.event = std::move(event);
    auto hash =
        AuditChainHash(record.prev_hash, domain::CanonicalAuditBytes(record.seq, record.id, record.event));
    if (!hash) {
        return MakeError(
            ErrorCode::kInternal, "audit: the chain head's hash is malformed; run `audit verify`"
        );
    }
    record.hash = std::move(*hash);
    if (!hmac_key.empty()) {
        auto mac = AuditChainMac(hmac_key, record.hash);
        if (!mac) {
            return MakeError(ErrorCode::kInternal, "audit: " + mac.error().message);
        }
        record.mac = std::move(*mac);
    }
    const domain::AuditEvent& e = record.event;
    auto insert = PrepareBound(
        conn,
        "INSERT INTO audit_events (seq, id, tenant_id, time, principal, factors, action, resource, decision, "
        "reason, source_ip, user_agent, request_id, details, prev_hash, hash, mac) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
        record.seq,
        record.id,
        e.tenant_id,
        e.time_ms,
        e.principal,
        EncodeFactors(e.factors),
        e.action,
        e.resource,
        domain::AuditDecisionName(e.decision),
        e.reason,
        e.source_ip,
        e.user_agent,
        e.request_id,
        EncodeDetails(e.details),
        record.prev_hash,
        record.hash,
        record.mac.empty() ? std::optional<std::string>() : std::optional<std::string>(record.mac)
    );
    if (!insert) {
        return insert.error();
    }
    if (auto inserted = insert->Run(); !inserted) {
        return inserted.error();
    }
    auto move_head =
        PrepareBound(conn, "UPDATE audit_head SET seq = ?1, hash = ?2 WHERE id = 1", record.seq, record.hash);
    if (!move_head) {
        return move_head.error();
    }
    auto moved = move_head->Run();
    if (!moved) {
        return moved.error();
    }
    if (*moved != 1) {
        return MakeError(ErrorCode::kInternal, "audit: the chain head vanished while appending");
    }
    return record;
}

Result<std::vector<domain::AuditRecord>> QueryAuditRecords(
    sqlite::Connection& conn, const std::optional<std::string>& tenant_id, const domain::AuditFilter& filter
) {
    std::string sql = "SELECT " + std::string(kAuditColumns) + " FROM audit_events";
    std::vector<SqlValue> params;
    if (tenant_id) {
        AddCondition(sql, params, "tenant_id =", *tenant_id);
    }
    if (filter.since_ms) {
        AddCondition(sql, params, "time >=", *filter.since_ms);
    }
    if (filter.until_ms) {
        AddCondition(sql, params, "time <", *filter.until_ms);
    }
    if (filter.action) {
        AddCondition(sql, params, "action =", *filter.action);
    }
    if (filter.principal) {
        AddCondition(sql, params, "principal =", *filter.principal);
    }
    if (filter.after_seq) {
        AddCondition(sql, params, "seq >", *filter.after_seq);
    }
    if (filter.before_seq) {
        AddCondition(sql, params, "seq <", *filter.before_seq);
    }
    sql += filter.newest_first ? " ORDER BY seq DESC" : " ORDER BY seq ASC";
    // Bound, not spliced: one SQL text per filter shape keeps the statement cache small.
    params.emplace_back(static_cast<std::int64_t>(filter.limit));
    sql += " LIMIT ?" + std::to_string(params.size());
    auto stmt = conn.Prepare(sql);
    if (!stmt) {
        return stmt.error();
    }
    for (std::size_t i = 0; i < params.size(); ++i) {
        const int index = static_cast<int>(i + 1);
        auto bound = std::visit([&](const auto& v) { return BindValue(*stmt, index, v); }, params[i]);
        if (!bound) {
            return bound.error();
        }
    }
    std::vector<domain::AuditRecord> out;
    while (true) {
        auto row = stmt->Step();
        if (!row) {
            return row.error();
        }
        if (!*row) {
            return out;
        }
        AuditRow decoded = ReadAuditRow(*stmt);
        if (!decoded.unreadable.empty()) {
            return MakeError(
                ErrorCode::kInternal,
                "audit: record seq " + std::to_string(decoded.record.seq) +
                    " is unreadable: " + decoded.unreadable
            );
        }
        out.push_back(std::move(decoded.record));
    }
}

Result<AuditVerifyReport> VerifyAuditRecords(sqlite::Connection& conn, const AuditVerifyOptions& options) {
    auto head = LoadAuditHead(conn);
    if (!head) {
        return head.error();
    }
    auto stmt = conn.Prepare("SELECT " + std::string(kAuditColumns) + " FROM audit_events ORDER BY seq ASC");
    if (!stmt) {
        return stmt.error();
    }
    AuditChainChecker checker(options);
    while (true) {
        auto row = stmt->Step();
        if (!row) {
            return row.error();
        }
        if (!*row) {
            break;
        }
        const AuditRow decoded = ReadAuditRow(*stmt);
        const bool more = decoded.unreadable.empty()
                              ? checker.Feed(decoded.record, decoded.decision_text)
                              : checker.FeedUnreadable(decoded.record.seq, decoded.unreadable);
        if (!more) {
            break;
        }
    }
    return checker.Finish(std::move(*head));
}

}  // namespace gw::store::internal
