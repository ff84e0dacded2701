#pragma once
/// @file
/// @brief EventStream: the RunStream implementation (a bounded queue per subscriber plus a doorbell
/// channel that wakes the awaiting coroutine). Publishers Push under their own lock and Ring afterwards,
/// so no subscriber code ever runs inside an engine lock.

#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>

#include "engine/run_events.hpp"

namespace gw::engine::internal {

inline constexpr std::size_t kDefaultStreamBuffer = 4096;

class EventStream final : public RunStream {
public:
    /// `run_scoped`: the stream ends (Next → nullopt) after the first terminal event it delivered.
    /// `terminal_only`: every non-terminal event is skipped (Wait).
    EventStream(
        boost::asio::any_io_executor ex,
        bool run_scoped,
        std::size_t max_buffered = kDefaultStreamBuffer,
        bool terminal_only = false
    );

    boost::asio::awaitable<Result<std::optional<RunEvent>>> Next() override;
    void Close() override;

    /// Queues `event` (cutting the subscriber off when it is full). Never runs subscriber code.
    /// Returns false when the stream no longer wants events (closed, cut off or finished).
    bool Push(const RunEvent& event);
    /// Wakes a waiting Next; call after releasing the publisher's locks.
    void Ring();
    /// Ends the stream after the events already queued (engine shutdown); Next then returns nullopt.
    void Finish();
    bool Alive() const;

private:
    using Doorbell = boost::asio::experimental::concurrent_channel<void(boost::system::error_code)>;

    mutable std::mutex mutex_;
    std::deque<RunEvent> queue_;
    std::size_t max_buffered_;
    bool run_scoped_;
    bool terminal_only_;
    bool closed_ = false;
    bool cut_off_ = false;
    bool saw_terminal_ = false;  // run-scoped: a terminal event was queued, nothing more is accepted
    bool finished_ = false;      // run-scoped: the terminal event was delivered
    Doorbell doorbell_;
};

}  // namespace gw::engine::internal
