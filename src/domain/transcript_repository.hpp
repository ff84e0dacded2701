#pragma once
/// @file
/// @brief TranscriptRepository: the port for transcript entries and runs (what a run engine needs).

#include <cstddef>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "base/error.hpp"
#include "domain/run.hpp"
#include "domain/transcript.hpp"

namespace gw::domain {

/// Transcript entries and runs. Every write is one atomic transaction: all of its entries and state
/// changes commit, or none. Writes advance the owning session's last activity, and assistant usage is
/// added to its totals when the transcript is still current. Lookups take the tenant, so an id from
/// another tenant reads as kNotFound. Thread-safe; awaitables resume on the awaiting coroutine's executor.
/// Common errors: kUnavailable (store closed or busy), kInternal (corrupt row).
class TranscriptRepository {
public:
    virtual ~TranscriptRepository() = default;

    /// Appends entries (1..kMaxEntriesPerAppend, all of one transcript of one session and tenant) in
    /// order, assigning `seq` and stamping `created_at_ms` when 0. A parent must already be in the
    /// transcript or earlier in the batch. An entry with a `run_id` fences: that run must be running.
    /// Returns the stored entries. kInvalidArgument (ValidateEntry, mixed transcripts, unknown parent),
    /// kNotFound (no such transcript for that session and tenant), kConflict (duplicate entry id or
    /// idempotency key, run not running).
    virtual boost::asio::awaitable<Result<std::vector<TranscriptEntry>>> Append(
        std::vector<TranscriptEntry> entries
    ) = 0;

    /// The latest entries before `before_seq`, in seq order. An unknown transcript gives an empty page.
    virtual boost::asio::awaitable<Result<HistoryPage>> History(HistoryQuery query) = 0;

    /// The branch ending at `leaf_entry_id`, root first, at most the last `limit` entries (prompt
    /// assembly follows parent links, not seq). kNotFound for an unknown leaf.
    virtual boost::asio::awaitable<Result<std::vector<TranscriptEntry>>> Branch(
        std::string tenant_id, std::string leaf_entry_id, std::size_t limit
    ) = 0;

    /// kNotFound when the tenant has no such entry.
    virtual boost::asio::awaitable<Result<TranscriptEntry>> GetEntry(
        std::string tenant_id, std::string entry_id
    ) = 0;

    /// Commits a running run together with its first entries (the user message) and sets the session's
    /// `last_run_id`: call it before acknowledging. When the run's idempotency key already has a run,
    /// nothing is written and that run is returned with `started = false`. Entry errors as Append;
    /// kConflict for a run id already used in the tenant.
    virtual boost::asio::awaitable<Result<StartRunResult>> StartRun(RunStart start) = 0;

    /// Ends a running run with a terminal status, appending `entries` (the reply) in the same transaction.
    /// kInvalidArgument (status kRunning), kNotFound, kConflict (the run is no longer running, e.g. it
    /// was aborted or recovered: nothing is written).
    virtual boost::asio::awaitable<Result<Run>> FinishRun(RunFinish finish) = 0;

    /// kNotFound when the tenant has no such run.
    virtual boost::asio::awaitable<Result<Run>> GetRun(std::string tenant_id, std::string run_id) = 0;

    /// Startup recovery, before serving: every run still `running` was left by a crashed process and is
    /// marked failed with kRunInterruptedError, so transcripts end consistently. Returns how many.
    virtual boost::asio::awaitable<Result<int>> RecoverInterruptedRuns() = 0;
};

}  // namespace gw::domain
