#pragma once
/// @file
/// @brief Per-connection cache of compiled statements keyed by SQL text (private to drivers/sqlite).
/// Used by one thread at a time, like its Connection.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

struct sqlite3_stmt;

namespace gw::sqlite::internal {

/// One cached statement. `in_use` while a Statement holds it; otherwise it is reset with no bindings.
struct CachedStatement {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
};

/// Entries are never erased before Close, so `CachedStatement*` handed to a Statement stays valid
/// (unordered_map element addresses survive rehashing).
struct StatementCache {
    struct Hash {
        using is_transparent = void;

        std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    };

    static constexpr std::size_t kMaxEntries = 256;  ///< beyond this, statements are compiled uncached

    std::unordered_map<std::string, CachedStatement, Hash, std::equal_to<>> entries;
    bool closed = false;  ///< the connection is gone: returned statements are finalized
};

}  // namespace gw::sqlite::internal
