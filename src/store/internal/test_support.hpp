#pragma once
/// @file
/// @brief Helpers for the store's own tests: one-value queries (and the shared TempDir).

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <string>
#include <string_view>
#include <system_error>

#include "drivers/sqlite/connection.hpp"
#include "store/embedded_store.hpp"
#include "support/temp_dir.hpp"

namespace gw::store::internal {

/// Temp dirs for the store tests are the shared gw::testing::TempDir.
using TempDirForTest = gw::testing::TempDir;

/// First column of the first row as an integer (-1 with no row or on error).
inline std::int64_t QueryInt(sqlite::Connection& conn, std::string_view sql) {
    auto stmt = conn.Prepare(sql);
    if (!stmt) {
        return -1;
    }
    auto row = stmt->Step();
    return row && *row ? stmt->ColumnInt64(0) : -1;
}

/// First column of the first row as text ("" with no row or on error).
inline std::string QueryText(sqlite::Connection& conn, std::string_view sql) {
    auto stmt = conn.Prepare(sql);
    if (!stmt) {
        return {};
    }
    auto row = stmt->Step();
    return row && *row ? std::string(stmt->ColumnText(0)) : std::string();
}

/// Holds the writer thread inside a write until Release(), so the writes queued meanwhile pile up and
/// form one batch.
class WriterGate {
public:
    EmbeddedStore::WriteFn Fn() {
        return [this](sqlite::Connection&) -> Result<void> {
            entered_.set_value();
            released_.wait();
            return Ok();
        };
    }

    void WaitEntered() { entered_future_.wait(); }

    void Release() { release_.set_value(); }

private:
    std::promise<void> entered_;
    std::future<void> entered_future_ = entered_.get_future();
    std::promise<void> release_;
    std::shared_future<void> released_ = release_.get_future().share();
};

}  // namespace gw::store::internal
