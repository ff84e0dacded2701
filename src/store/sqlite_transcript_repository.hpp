#pragma once
/// @file
/// @brief TranscriptRepository over the embedded SQLite store (entries in `messages`, runs in `runs`).

#include <cstddef>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "domain/clock.hpp"
#include "domain/transcript_repository.hpp"
#include "store/embedded_store.hpp"

namespace gw::store {

/// Entries and runs. Each write is one group-commit write (one SAVEPOINT: all or nothing); reads run on
/// the reader pool in one snapshot. Awaitables resume on the caller's executor. The store must outlive
/// the repository; `clock` is called on store threads.
class SqliteTranscriptRepository final : public domain::TranscriptRepository {
public:
    SqliteTranscriptRepository(EmbeddedStore& store, domain::WallClock clock);

    boost::asio::awaitable<Result<std::vector<domain::TranscriptEntry>>> Append(
        std::vector<domain::TranscriptEntry> entries
    ) override;
    boost::asio::awaitable<Result<domain::HistoryPage>> History(domain::HistoryQuery query) override;
    boost::asio::awaitable<Result<std::vector<domain::TranscriptEntry>>> Branch(
        std::string tenant_id, std::string leaf_entry_id, std::size_t limit
    ) override;
    boost::asio::awaitable<Result<domain::TranscriptEntry>> GetEntry(
        std::string tenant_id, std::string entry_id
    ) override;
    boost::asio::awaitable<Result<domain::StartRunResult>> StartRun(domain::RunStart start) override;
    boost::asio::awaitable<Result<domain::Run>> FinishRun(domain::RunFinish finish) override;
    boost::asio::awaitable<Result<domain::Run>> GetRun(std::string tenant_id, std::string run_id) override;
    boost::asio::awaitable<Result<int>> RecoverInterruptedRuns() override;

    /// RecoverInterruptedRuns for startup, before the io threads serve: blocks until committed. Marks every
    /// `running` run failed with domain::kRunInterruptedError; returns how many. Not on an io thread.
    Result<int> RecoverInterruptedRunsBlocking();

private:
    EmbeddedStore& store_;
    domain::WallClock clock_;
};

}  // namespace gw::store
