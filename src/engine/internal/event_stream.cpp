#include "engine/internal/event_stream.hpp"

#include <tuple>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/channel_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace gw::engine::internal {

namespace asio = boost::asio;

EventStream::EventStream(
    asio::any_io_executor ex, bool run_scoped, std::size_t max_buffered, bool terminal_only
)
    : max_buffered_(max_buffered),
      run_scoped_(run_scoped),
      terminal_only_(terminal_only),
      doorbell_(std::move(ex), 1) {}

bool EventStream::Push(const RunEvent& event) {
    std::lock_guard lock(mutex_);
    if (closed_ || cut_off_ || saw_terminal_) {
        return false;
    }
    if (terminal_only_ && !event.Terminal()) {
        return true;
    }
    if (queue_.size() >= max_buffered_) {
        cut_off_ = true;
        queue_.clear();
        return false;
    }
    queue_.push_back(event);
    if (run_scoped_ && event.Terminal()) {
        saw_terminal_ = true;
    }
    return true;
}

void EventStream::Ring() {
    doorbell_.try_send(boost::system::error_code{});
}

bool EventStream::Alive() const {
    std::lock_guard lock(mutex_);
    return !closed_ && !cut_off_ && !saw_terminal_;
}

void EventStream::Finish() {
    {
        std::lock_guard lock(mutex_);
        finished_ = true;
        saw_terminal_ = true;  // accept nothing more
    }
    Ring();
}

void EventStream::Close() {
    {
        std::lock_guard lock(mutex_);
        closed_ = true;
        queue_.clear();
    }
    doorbell_.close();
}

asio::awaitable<Result<std::optional<RunEvent>>> EventStream::Next() {
    for (;;) {
        {
            std::lock_guard lock(mutex_);
            if (cut_off_) {
                co_return MakeError(ErrorCode::kRateLimited, "slow consumer: event stream cut off");
            }
            if (!queue_.empty()) {
                RunEvent event = std::move(queue_.front());
                queue_.pop_front();
                if (run_scoped_ && event.Terminal()) {
                    finished_ = true;
                }
                co_return std::optional<RunEvent>(std::move(event));
            }
            if (closed_ || finished_) {
                co_return std::optional<RunEvent>();
            }
        }
        auto [ec] = co_await doorbell_.async_receive(asio::as_tuple(asio::use_awaitable));
        if (ec == asio::experimental::error::channel_cancelled || ec == asio::error::operation_aborted) {
            co_return MakeError(ErrorCode::kUnavailable, "event stream wait cancelled");
        }
        if (ec) {
            std::lock_guard lock(mutex_);
            if (!closed_) {  // the doorbell only closes with the stream
                closed_ = true;
            }
        }
    }
}

}  // namespace gw::engine::internal
