#pragma once
/// @file
/// @brief The SQL migrations compiled into the binary (generated from migrations/<driver>/ at build time).

#include <span>
#include <string_view>

namespace gw::store::internal {

/// One migration file, verbatim. `version` is NNNN from the file name, `name` the rest (without ".sql").
struct EmbeddedMigration {
    int version;
    std::string_view name;
    std::string_view sql;
};

/// migrations/sqlite/*.sql in version order (contiguous from 1; checked at build time).
std::span<const EmbeddedMigration> SqliteMigrations() noexcept;

}  // namespace gw::store::internal
