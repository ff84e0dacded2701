// SQL of the re-encryption job, and the job's public counting/progress queries.
#include "store/internal/reencryption_sql.hpp"

#include <span>

#include "drivers/sqlite/bind.hpp"
#include "store/reencryption_job.hpp"

namespace gw::store::internal {

namespace {

using sqlite::PrepareBound;

std::span<const std::uint8_t> AsU8(std::span<const std::byte> bytes) {
    return {reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()};
}

}  // namespace

Result<BatchRead> ReadBatch(
    sqlite::Connection& conn, const crypto::Keyring& keyring, std::size_t batch_size
) {
    BatchRead out;
    {
        auto state = conn.Prepare("SELECT cursor FROM crypto_reencrypt_state WHERE id = 1");
        if (!state) {
            return state.error();
        }
        auto row = state->Step();
        if (!row) {
            return row.error();
        }
        out.cursor = *row ? state->ColumnInt64(0) : 0;
    }
    auto stmt = PrepareBound(
        conn,
        "SELECT rowid, id, tenant_id, sealed FROM messages WHERE rowid > ?1 AND sealed IS NOT NULL "
        "ORDER BY rowid LIMIT ?2",
        out.cursor,
        static_cast<std::int64_t>(batch_size)
    );
    if (!stmt) {
        return stmt.error();
    }
    out.last_rowid = out.cursor;
    for (;;) {
        auto row = stmt->Step();
        if (!row) {
            return row.error();
        }
        if (!*row) {
            break;
        }
        ++out.scanned;
        out.last_rowid = stmt->ColumnInt64(0);
        const auto blob = AsU8(stmt->ColumnBlob(3));
        auto header = crypto::ParseEnvelopeHeader(blob);
        std::string tenant(stmt->ColumnText(2));
        if (header && header->format == crypto::kEnvelopeFormatAesGcmV1) {
            auto active = keyring.ActiveVersion(tenant, header->classification);
            if (active && header->key_version >= *active) {
                continue;  // current
            }
        }
        // Old version, no key any more, or a malformed header: try it (a failure is counted).
        RowWork work;
        work.rowid = out.last_rowid;
        work.id = std::string(stmt->ColumnText(1));
        work.tenant = std::move(tenant);
        work.old_envelope.assign(blob.begin(), blob.end());
        work.classification = header ? header->classification : crypto::Classification::kConfidential;
        out.rows.push_back(std::move(work));
    }
    return out;
}

Result<std::size_t> WriteBatch(
    sqlite::Connection& conn,
    const std::vector<RowWork>& rows,
    std::int64_t next_cursor,
    bool pass_completed,
    std::size_t failed,
    std::int64_t now_ms
) {
    std::size_t changed_rows = 0;
    for (const RowWork& w : rows) {
        if (w.new_envelope.empty()) {
            continue;
        }
        auto stmt = conn.Prepare(
            "UPDATE messages SET sealed = ?1, key_class = ?2, key_version = ?3 WHERE rowid = ?4 AND sealed = "
            "?5"
        );
        if (!stmt) {
            return stmt.error();
        }
        Result<void> bound = stmt->BindBlob(1, std::as_bytes(std::span(w.new_envelope)));
        if (bound) {
            bound = stmt->Bind(2, static_cast<std::int64_t>(w.classification));
        }
        if (bound) {
            bound = stmt->Bind(3, static_cast<std::int64_t>(w.new_version));
        }
        if (bound) {
            bound = stmt->Bind(4, w.rowid);
        }
        if (bound) {
            bound = stmt->BindBlob(5, std::as_bytes(std::span(w.old_envelope)));
        }
        if (!bound) {
            return bound.error();
        }
        auto changed = stmt->Run();
        if (!changed) {
            return changed.error();
        }
        changed_rows += static_cast<std::size_t>(*changed);  // 0: another writer re-encrypted it first
    }
    auto state = PrepareBound(
        conn,
        "UPDATE crypto_reencrypt_state SET cursor = ?1, passes_completed = passes_completed + ?2, "
        "reencrypted_total = reencrypted_total + ?3, failed_total = failed_total + ?4, updated_at = ?5 "
        "WHERE id = 1",
        pass_completed ? std::int64_t{0} : next_cursor,
        std::int64_t{pass_completed ? 1 : 0},
        static_cast<std::int64_t>(changed_rows),
        static_cast<std::int64_t>(failed),
        now_ms
    );
    if (!state) {
        return state.error();
    }
    if (auto ran = state->Run(); !ran) {
        return ran.error();
    }
    return changed_rows;
}

}  // namespace gw::store::internal

namespace gw::store {

Result<std::vector<SealedRowCount>> CountSealedRows(EmbeddedStore& store) {
    std::vector<SealedRowCount> out;
    auto read = store.ReadBlocking([&out](sqlite::Connection& conn) -> Result<void> {
        auto stmt = conn.Prepare(
            "SELECT tenant_id, key_class, key_version, count(*) FROM messages WHERE sealed IS NOT NULL "
            "GROUP BY tenant_id, key_class, key_version ORDER BY tenant_id, key_class, key_version"
        );
        if (!stmt) {
            return stmt.error();
        }
        for (;;) {
            auto row = stmt->Step();
            if (!row) {
                return row.error();
            }
            if (!*row) {
                return Ok();
            }
            out.push_back(SealedRowCount{
                std::string(stmt->ColumnText(0)),
                static_cast<crypto::Classification>(stmt->ColumnInt64(1)),
                static_cast<std::uint32_t>(stmt->ColumnInt64(2)),
                stmt->ColumnInt64(3)});
        }
    });
    if (!read) {
        return read.error();
    }
    return out;
}

std::int64_t PendingRows(const std::vector<SealedRowCount>& counts, const crypto::Keyring& keyring) {
    std::int64_t pending = 0;
    for (const SealedRowCount& c : counts) {
        auto active = keyring.ActiveVersion(c.tenant, c.classification);
        if (!active || c.key_version < *active) {
            pending += c.rows;
        }
    }
    return pending;
}

Result<ReencryptionProgress> LoadReencryptionProgress(EmbeddedStore& store) {
    ReencryptionProgress out;
    auto read = store.ReadBlocking([&out](sqlite::Connection& conn) -> Result<void> {
        auto stmt = conn.Prepare(
            "SELECT cursor, passes_completed, reencrypted_total, failed_total, updated_at "
            "FROM crypto_reencrypt_state WHERE id = 1"
        );
        if (!stmt) {
            return stmt.error();
        }
        auto row = stmt->Step();
        if (!row) {
            return row.error();
        }
        if (*row) {
            out.cursor = stmt->ColumnInt64(0);
            out.passes_completed = stmt->ColumnInt64(1);
            out.reencrypted_total = stmt->ColumnInt64(2);
            out.failed_total = stmt->ColumnInt64(3);
            out.updated_at_ms = stmt->ColumnInt64(4);
        }
        return Ok();
    });
    if (!read) {
        return read.error();
    }
    return out;
}

}  // namespace gw::store
