#pragma once
/// @file
/// @brief `ReputationList`: IP reputation scores from a text file, with a block threshold, reloaded
/// when the file changes.
///
/// File format (UTF-8/ASCII, one entry per line):
/// ```
/// # comment line; blank lines are ignored
/// 203.0.113.7      90   scanner seen 2024-05-01     <- address (a /32 or /128) or CIDR, score, comment
/// 198.51.100.0/24  60
/// 2001:db8:bad::/48 75  # a trailing '#' comment is also fine
/// ```
/// Fields are separated by spaces or tabs; the score is an integer 0..100; anything after the score
/// is a comment. The most specific block containing an address gives its score (so `10.0.0.5 0`
/// exempts one host of a listed `10.0.0.0/24`); for the same block listed twice the higher score
/// wins. A file with any malformed line is rejected as a whole: the error lists the line numbers,
/// and on a reload the previous list stays live.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "edge/ip_address.hpp"
#include "edge/options.hpp"

namespace gw::edge {

namespace internal {
template <class T>
class WatchedFile;
}  // namespace internal

struct ReputationVerdict {
    bool blocked = false;
    bool listed = false;
    int score = 0;  ///< 0 when not listed
};

/// The parsed contents of one file (immutable).
class ReputationTable;

/// Maximum size of a reputation file.
inline constexpr std::size_t kMaxReputationFileBytes = 64 * 1024 * 1024;

/// Parses the file format above. The error message lists up to 20 bad lines ("line 3: ...").
Result<std::shared_ptr<const ReputationTable>> ParseReputationText(std::string_view text);

/// Thread-safe: lookups read an atomically swapped snapshot.
class ReputationList {
public:
    /// Loads `options.file` (must be set); fails on a missing or malformed file or a threshold outside
    /// 1..100 (a score-0 line is an exemption, so 0 cannot be a threshold).
    static Result<std::unique_ptr<ReputationList>> Open(const ReputationOptions& options);

    ~ReputationList();
    ReputationList(const ReputationList&) = delete;
    ReputationList& operator=(const ReputationList&) = delete;

    /// Score of `ip` (0 if unlisted) and whether it reaches the threshold.
    ReputationVerdict Check(const IpAddress& ip) const noexcept;

    /// Entries (lines) in the live list.
    std::size_t EntryCount() const noexcept;

    int threshold() const noexcept { return threshold_; }

    /// Re-reads the file if it changed; a bad file keeps the old list and returns the error.
    Result<bool> ReloadIfChanged();

    /// Throttled `ReloadIfChanged` (every `reload_check_interval`); logs. File I/O: not on io threads.
    bool PollReload(std::chrono::steady_clock::time_point now);

private:
    explicit ReputationList(const ReputationOptions& options);

    int threshold_;
    std::unique_ptr<internal::WatchedFile<ReputationTable>> table_;
};

}  // namespace gw::edge
