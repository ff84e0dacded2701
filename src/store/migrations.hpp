#pragma once
/// @file
/// @brief Schema migration vocabulary shared by the store's public API.

#include <string>
#include <vector>

namespace gw::store {

/// Where the database schema stands relative to the migrations compiled into this binary.
struct MigrationStatus {
    int applied_version = 0;           ///< highest version recorded in schema_migrations (0 = none)
    int latest_version = 0;            ///< highest version this binary embeds
    std::vector<std::string> pending;  ///< "NNNN_name" of each migration not applied yet, in order

    /// True when every embedded migration has been applied (readiness requires it).
    bool Current() const noexcept { return applied_version == latest_version && pending.empty(); }
};

/// What EmbeddedStore::Open does with pending migrations.
enum class MigrateMode {
    kApply,        ///< apply pending migrations before returning (`serve`)
    kInspectOnly,  ///< only validate and report them (`migrate --status`, then Migrate())
};

}  // namespace gw::store
