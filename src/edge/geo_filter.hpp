#pragma once
/// @file
/// @brief `GeoFilter`: country blocking from a MaxMind DB (GeoIP2/GeoLite2-Country or any .mmdb with
/// `country.iso_code`) read through libmaxminddb, reloaded when the file changes.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "edge/ip_address.hpp"
#include "edge/options.hpp"

namespace gw::edge {

namespace internal {
template <class T>
class WatchedFile;
}  // namespace internal

struct GeoDecision {
    bool allowed = true;
    std::string country;  ///< ISO 3166-1 alpha-2 (upper case) or "" when the database has none
};

/// Lookups read an immutable snapshot (the mmap'ed database) from a `std::atomic<std::shared_ptr>`,
/// so they never wait for a reload (the swap is one atomic store; a lookup keeps its snapshot alive)
/// and are safe from any thread. The country comes from
/// `country.iso_code`, else `registered_country.iso_code`. Decision: a country in `block_countries`
/// is blocked; with a non-empty `allow_countries`, a known country outside it is blocked; an
/// unknown country (private ranges, not in the database) is blocked only if `block_unknown`.
class GeoFilter {
public:
    /// Opens `options.database_file` (must be set) and validates the country codes (two letters,
    /// any case). Errors: kInvalidArgument for bad codes, kUnavailable for an unreadable/invalid file.
    static Result<std::unique_ptr<GeoFilter>> Open(const GeoOptions& options);

    ~GeoFilter();
    GeoFilter(const GeoFilter&) = delete;
    GeoFilter& operator=(const GeoFilter&) = delete;

    /// Upper-case ISO code of `ip`, or "" if unknown.
    std::string Country(const IpAddress& ip) const;

    GeoDecision Check(const IpAddress& ip) const;

    /// Re-opens the database if the file changed (see internal::WatchedFile); a bad new file keeps
    /// the old database live and returns the error.
    Result<bool> ReloadIfChanged();

    /// Throttled `ReloadIfChanged` (every `reload_check_interval`); logs. File I/O: not on io threads.
    bool PollReload(std::chrono::steady_clock::time_point now);

private:
    struct Database;

    static Result<std::shared_ptr<const Database>> OpenDatabase(const std::string& path);

    GeoFilter(const GeoOptions& options, std::vector<std::string> blocked, std::vector<std::string> allowed);

    std::vector<std::string> blocked_;  // sorted, upper case
    std::vector<std::string> allowed_;  // sorted, upper case
    bool block_unknown_;
    std::unique_ptr<internal::WatchedFile<Database>> db_;
};

}  // namespace gw::edge
