#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include "obs/log.hpp"
#include "runtime/blocking_pool.hpp"
#include "runtime/io_runtime.hpp"
#include "runtime/log_on_error.hpp"
#include "runtime/testing.hpp"

namespace gw::runtime {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

/// Captures log lines for the lifetime of the object.
class LogCapture {
public:
    LogCapture() {
        obs::SetLogSinkForTest([this](std::string_view line) {
            std::lock_guard lock(mutex_);
            lines_.emplace_back(line);
        });
    }

    ~LogCapture() { obs::SetLogSinkForTest(nullptr); }

    LogCapture(const LogCapture&) = delete;
    LogCapture& operator=(const LogCapture&) = delete;

    std::vector<std::string> Lines() const {
        std::lock_guard lock(mutex_);
        return lines_;
    }

private:
    mutable std::mutex mutex_;
    std::vector<std::string> lines_;
};

TEST(RunBlockingTest, RunsOnPoolThreadAndResumesOnCaller) {
    BlockingPool pool(2);
    const auto caller = std::this_thread::get_id();
    auto coro = [&]() -> asio::awaitable<std::pair<std::thread::id, std::thread::id>> {
        auto job = [] { return std::this_thread::get_id(); };
        const auto worker = co_await RunBlocking(pool, job);
        co_return std::make_pair(worker, std::this_thread::get_id());
    };
    const auto [worker, resumed] = RunCoro(coro());
    EXPECT_NE(worker, caller);
    EXPECT_EQ(resumed, caller);
}

TEST(RunBlockingTest, ResumesOnTheCallersStrand) {
    // Two io threads: resuming on the strand is only observable through running_in_this_thread().
    asio::io_context ioc;
    auto strand = asio::make_strand(ioc);
    BlockingPool pool(1);
    std::atomic<int> result{0};
    std::atomic<bool> on_strand{false};
    auto coro = [&]() -> asio::awaitable<void> {
        auto job = [] { return 42; };
        result = co_await RunBlocking(pool, job);
        on_strand = strand.running_in_this_thread();
    };
    asio::co_spawn(strand, coro(), LogOnError("test"));
    std::thread second([&] { ioc.run(); });
    ioc.run();
    second.join();
    EXPECT_EQ(result.load(), 42);
    EXPECT_TRUE(on_strand.load());
}

TEST(RunBlockingTest, RethrowsTheJobsException) {
    BlockingPool pool(1);
    auto coro = [&]() -> asio::awaitable<void> {
        auto job = [] { throw std::runtime_error("disk on fire"); };
        co_await RunBlocking(pool, job);
    };
    EXPECT_THROW(
        {
            try {
                RunCoro(coro());
            } catch (const std::runtime_error& e) {
                EXPECT_STREQ(e.what(), "disk on fire");
                throw;
            }
        },
        std::runtime_error
    );
}

TEST(RunBlockingTest, AcceptsMoveOnlyJobsWithVoidResult) {
    BlockingPool pool(1);
    int seen = 0;
    auto coro = [&]() -> asio::awaitable<void> {
        auto job = [c = std::make_unique<int>(5), &seen] { seen = *c; };
        co_await RunBlocking(pool, std::move(job));
    };
    RunCoro(coro());
    EXPECT_EQ(seen, 5);
}

TEST(LogOnErrorTest, LogsTheExceptionWithTheCoroutineName) {
    LogCapture capture;
    asio::io_context ioc;
    auto failing = []() -> asio::awaitable<void> {
        throw std::runtime_error("boom 42");
        co_return;
    };
    asio::co_spawn(ioc, failing(), LogOnError("worker-x"));
    ioc.run();
    const auto lines = capture.Lines();
    ASSERT_EQ(lines.size(), 1U);
    EXPECT_NE(lines[0].find("\"level\":\"error\""), std::string::npos);
    EXPECT_NE(lines[0].find("\"coroutine\":\"worker-x\""), std::string::npos);
    EXPECT_NE(lines[0].find("boom 42"), std::string::npos);
}

TEST(LogOnErrorTest, LogsNothingOnSuccessAndAcceptsAValue) {
    LogCapture capture;
    asio::io_context ioc;
    auto ok = []() -> asio::awaitable<int> { co_return 7; };
    asio::co_spawn(ioc, ok(), LogOnError("quiet"));
    ioc.run();
    EXPECT_TRUE(capture.Lines().empty());
}

TEST(LogOnErrorTest, CancellationIsLoggedAtInfo) {
    LogCapture capture;
    asio::io_context ioc;
    asio::steady_timer timer(ioc, 1h);
    auto waiting = [&]() -> asio::awaitable<void> { co_await timer.async_wait(asio::use_awaitable); };
    asio::co_spawn(ioc, waiting(), LogOnError("sleeper"));
    asio::post(ioc, [&] { timer.cancel(); });
    ioc.run();
    const auto lines = capture.Lines();
    ASSERT_EQ(lines.size(), 1U);
    EXPECT_NE(lines[0].find("\"level\":\"info\""), std::string::npos);
    EXPECT_NE(lines[0].find("\"coroutine\":\"sleeper\""), std::string::npos);
}

TEST(IoRuntimeTest, RunsHandlersOnTheRequestedNumberOfThreadsUntilStopped) {
    IoRuntime rt;
    constexpr int kThreads = 3;
    std::mutex mutex;
    std::condition_variable cv;
    std::set<std::thread::id> ids;
    // Each handler waits until all kThreads handlers run at once, which needs kThreads threads.
    for (int i = 0; i < kThreads; ++i) {
        asio::post(rt.Context(), [&] {
            std::unique_lock lock(mutex);
            ids.insert(std::this_thread::get_id());
            cv.notify_all();
            cv.wait_for(lock, 5s, [&] { return ids.size() == kThreads; });
        });
    }
    std::thread runner([&] { rt.Run(kThreads); });
    {
        std::unique_lock lock(mutex);
        ASSERT_TRUE(cv.wait_for(lock, 5s, [&] { return ids.size() == kThreads; }));
    }
    rt.Stop();
    runner.join();
    EXPECT_EQ(ids.size(), static_cast<std::size_t>(kThreads));
}

TEST(IoRuntimeTest, HandlerExceptionIsLoggedAndTheLoopContinues) {
    LogCapture capture;
    IoRuntime rt;
    std::atomic<bool> after{false};
    asio::post(rt.Context(), [] { throw std::runtime_error("handler bug"); });
    asio::post(rt.Context(), [&] {
        after = true;
        rt.Stop();
    });
    rt.Run(1);
    EXPECT_TRUE(after.load());
    const auto lines = capture.Lines();
    ASSERT_FALSE(lines.empty());
    EXPECT_NE(lines[0].find("handler bug"), std::string::npos);
}

TEST(RunCoroTest, ReturnsTheValue) {
    auto coro = []() -> asio::awaitable<std::string> {
        asio::steady_timer t(co_await asio::this_coro::executor, 1ms);
        co_await t.async_wait(asio::use_awaitable);
        co_return "done";
    };
    EXPECT_EQ(RunCoro(coro()), "done");
}

TEST(RunCoroTest, ThrowsWhenTheCoroutineOutlivesTheTimeout) {
    auto coro = []() -> asio::awaitable<void> {
        asio::steady_timer t(co_await asio::this_coro::executor, 1h);
        co_await t.async_wait(asio::use_awaitable);
    };
    const auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(RunCoro(coro(), 50ms), std::runtime_error);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

}  // namespace
}  // namespace gw::runtime
