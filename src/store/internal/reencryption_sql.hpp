#pragma once
/// @file
/// @brief SQL of the re-encryption job: read a batch after the persisted cursor, write re-encrypted rows
/// together with the new cursor. Store threads only (they take a Connection).

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "crypto/envelope.hpp"
#include "crypto/keyring.hpp"
#include "drivers/sqlite/connection.hpp"

namespace gw::store::internal {

/// One sealed row that needs a new key.
struct RowWork {
    std::int64_t rowid = 0;
    std::string id;
    std::string tenant;
    std::vector<std::uint8_t> old_envelope;
    std::vector<std::uint8_t> new_envelope;  ///< empty: could not be re-encrypted
    crypto::Classification classification = crypto::Classification::kConfidential;
    std::uint32_t new_version = 0;
};

struct BatchRead {
    std::int64_t cursor = 0;
    std::int64_t last_rowid = 0;
    std::size_t scanned = 0;
    std::vector<RowWork> rows;  ///< only rows under an older version than the active one
};

/// Up to `batch_size` sealed rows after the persisted cursor; keeps those not under the active version.
Result<BatchRead> ReadBatch(sqlite::Connection& conn, const crypto::Keyring& keyring, std::size_t batch_size);

/// Stores the re-encrypted rows (compare-and-set on the old envelope) and advances the cursor (0 when the
/// pass completed) and totals; returns rows changed.
Result<std::size_t> WriteBatch(
    sqlite::Connection& conn,
    const std::vector<RowWork>& rows,
    std::int64_t next_cursor,
    bool pass_completed,
    std::size_t failed,
    std::int64_t now_ms
);

}  // namespace gw::store::internal
