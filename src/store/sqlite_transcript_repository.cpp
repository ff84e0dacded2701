#include "store/sqlite_transcript_repository.hpp"

#include <algorithm>
#include <limits>
#include <utility>

#include "store/content_protection.hpp"
#include "store/internal/conversation_rows.hpp"
#include "store/internal/store_calls.hpp"

namespace gw::store {

namespace {

namespace asio = boost::asio;
using domain::TranscriptEntry;
using internal::PrepareBound;

Result<domain::HistoryPage> ReadHistory(
    sqlite::Connection& conn, const domain::HistoryQuery& q, const ContentProtection* protection
) {
    const std::size_t limit = std::clamp<std::size_t>(q.limit, 1, domain::kMaxHistoryLimit);
    const std::int64_t before = q.before_seq.value_or(std::numeric_limits<std::int64_t>::max());
    auto stmt = PrepareBound(
        conn,
        "SELECT " + internal::EntryColumns("") +
            " FROM messages WHERE tenant_id = ?1 AND transcript_id = ?2 AND seq < ?3 ORDER BY seq DESC LIMIT "
            "?4",
        q.tenant_id,
        q.transcript_id,
        before,
        static_cast<std::int64_t>(limit)
    );
    if (!stmt) {
        return stmt.error();
    }
    auto entries = internal::ReadEntries(*stmt, protection);
    if (!entries) {
        return entries.error();
    }
    domain::HistoryPage page;
    page.entries = std::move(*entries);
    std::reverse(page.entries.begin(), page.entries.end());
    auto total = PrepareBound(
        conn,
        "SELECT entry_count FROM transcripts WHERE id = ?1 AND tenant_id = ?2",
        q.transcript_id,
        q.tenant_id
    );
    if (!total) {
        return total.error();
    }
    auto row = total->Step();
    if (!row) {
        return row.error();
    }
    page.total_entries = *row ? total->ColumnInt64(0) : 0;
    if (!page.entries.empty() && page.entries.front().seq > 1) {
        page.next_before_seq = page.entries.front().seq;
    }
    return page;
}

Result<std::vector<TranscriptEntry>> ReadBranch(
    sqlite::Connection& conn,
    const std::string& tenant_id,
    const std::string& leaf_id,
    std::size_t limit,
    const ContentProtection* protection
) {
    // Walk parent links up from the leaf (ids are unique and a parent must exist before its child, so the
    // walk cannot cycle), keeping at most `limit` entries nearest the leaf.
    auto stmt = PrepareBound(
        conn,
        "WITH RECURSIVE path(id, parent_id, depth) AS ("
        " SELECT id, parent_id, 0 FROM messages WHERE id = ?1 AND tenant_id = ?2"
        " UNION ALL"
        " SELECT p.id, p.parent_id, path.depth + 1 FROM messages AS p JOIN path ON p.id = path.parent_id"
        " WHERE path.depth + 1 < ?3 AND p.tenant_id = ?2)"
        " SELECT " +
            internal::EntryColumns("m.") +
            " FROM messages AS m JOIN path ON m.id = path.id ORDER BY path.depth DESC",
        leaf_id,
        tenant_id,
        static_cast<std::int64_t>(std::max<std::size_t>(limit, 1))
    );
    if (!stmt) {
        return stmt.error();
    }
    auto entries = internal::ReadEntries(*stmt, protection);
    if (entries && entries->empty()) {
        return MakeError(ErrorCode::kNotFound, "transcript entry " + leaf_id + " not found");
    }
    return entries;
}

Result<TranscriptEntry> ReadEntry(
    sqlite::Connection& conn,
    const std::string& tenant_id,
    const std::string& id,
    const ContentProtection* protection
) {
    auto stmt = PrepareBound(
        conn,
        "SELECT " + internal::EntryColumns("") + " FROM messages WHERE id = ?1 AND tenant_id = ?2",
        id,
        tenant_id
    );
    if (!stmt) {
        return stmt.error();
    }
    auto entries = internal::ReadEntries(*stmt, protection);
    if (!entries) {
        return entries.error();
    }
    if (entries->empty()) {
        return MakeError(ErrorCode::kNotFound, "transcript entry " + id + " not found");
    }
    return std::move(entries->front());
}

}  // namespace

SqliteTranscriptRepository::SqliteTranscriptRepository(EmbeddedStore& store, domain::WallClock clock)
    : store_(store), clock_(std::move(clock)) {}

asio::awaitable<Result<std::vector<TranscriptEntry>>> SqliteTranscriptRepository::Append(
    std::vector<TranscriptEntry> entries
) {
    if (!entries.empty()) {
        store_.ForgetEmptyTranscript(entries.front().transcript_id);
    }
    std::shared_ptr<ContentProtection> protection = store_.GetContentProtection();
    if (protection && !entries.empty()) {
        if (auto keys = co_await protection->EnsureKeys(entries.front().tenant_id); !keys) {
            co_return keys.error();
        }
    }
    // Write functions run exactly once, so they may move what they own.
    auto append = [entries = std::move(entries), clock = clock_, protection](sqlite::Connection& conn
                  ) mutable {
        return internal::InsertEntries(conn, std::move(entries), clock(), protection.get());
    };
    Result<std::vector<TranscriptEntry>> stored =
        co_await internal::WriteValue<std::vector<TranscriptEntry>>(store_, std::move(append));
    co_return stored;
}

asio::awaitable<Result<domain::HistoryPage>> SqliteTranscriptRepository::History(domain::HistoryQuery query) {
    if (store_.IsTranscriptKnownEmpty(query.transcript_id)) {
        co_return domain::HistoryPage{};  // created by this process, nothing written since
    }
    auto read = [query = std::move(query),
                 protection = store_.GetContentProtection()](sqlite::Connection& conn) {
        return ReadHistory(conn, query, protection.get());
    };
    Result<domain::HistoryPage> page =
        co_await internal::ReadValue<domain::HistoryPage>(store_, std::move(read));
    co_return page;
}

asio::awaitable<Result<std::vector<TranscriptEntry>>> SqliteTranscriptRepository::Branch(
    std::string tenant_id, std::string leaf_entry_id, std::size_t limit
) {
    auto read = [tenant_id = std::move(tenant_id),
                 leaf = std::move(leaf_entry_id),
                 limit,
                 protection = store_.GetContentProtection()](sqlite::Connection& conn) {
        return ReadBranch(conn, tenant_id, leaf, limit, protection.get());
    };
    Result<std::vector<TranscriptEntry>> branch =
        co_await internal::ReadValue<std::vector<TranscriptEntry>>(store_, std::move(read));
    co_return branch;
}

asio::awaitable<Result<TranscriptEntry>> SqliteTranscriptRepository::GetEntry(
    std::string tenant_id, std::string entry_id
) {
    auto read = [tenant_id = std::move(tenant_id),
                 id = std::move(entry_id),
                 protection = store_.GetContentProtection()](sqlite::Connection& conn) {
        return ReadEntry(conn, tenant_id, id, protection.get());
    };
    Result<TranscriptEntry> entry = co_await internal::ReadValue<TranscriptEntry>(store_, std::move(read));
    co_return entry;
}

}  // namespace gw::store
