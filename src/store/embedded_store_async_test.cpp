#include <chrono>
#include <exception>
#include <optional>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include "store/embedded_store.hpp"
#include "store/internal/test_support.hpp"

namespace gw::store {
namespace {

namespace asio = boost::asio;
using internal::QueryText;
using internal::TempDirForTest;
using namespace std::chrono_literals;

/// Runs `coro` to completion on a private io_context driven by the calling thread; fails the test on an
/// exception or if it does not finish in time.
template <class T>
std::optional<T> RunOnThisThread(asio::awaitable<T> coro) {
    asio::io_context ioc;
    std::optional<T> out;
    std::exception_ptr error;
    asio::co_spawn(ioc, std::move(coro), [&](std::exception_ptr e, T value) {
        error = e;
        out.emplace(std::move(value));
    });
    ioc.run_for(30s);
    EXPECT_FALSE(error) << "coroutine threw";
    EXPECT_TRUE(out.has_value()) << "coroutine did not finish";
    return out;
}

class EmbeddedStoreAsyncTest : public ::testing::Test {
protected:
    std::unique_ptr<EmbeddedStore> Open(MigrateMode mode = MigrateMode::kApply) {
        config::StoreOptions options;
        options.data_dir = dir_.File("var");
        auto store = EmbeddedStore::Open(options, mode);
        EXPECT_TRUE(store) << store.error().message;
        return store ? std::move(*store) : nullptr;
    }

private:
    TempDirForTest dir_;
};

struct Threads {
    std::thread::id before;
    std::thread::id in_fn;
    std::thread::id after;
};

TEST_F(EmbeddedStoreAsyncTest, WriteRunsOnWriterAndResumesOnCallerThread) {
    auto store = Open();
    ASSERT_TRUE(store);
    auto coro = [](EmbeddedStore& s) -> asio::awaitable<std::pair<Threads, Result<void>>> {
        Threads t;
        t.before = std::this_thread::get_id();
        EmbeddedStore::WriteFn fn = [&t](sqlite::Connection& c) {
            t.in_fn = std::this_thread::get_id();
            return c.Exec("INSERT INTO tenants (id, name, created_at) VALUES ('aw', 'Awaited', 1)");
        };
        Result<void> r = co_await s.Write(std::move(fn));
        t.after = std::this_thread::get_id();
        co_return std::make_pair(t, r);
    };
    auto out = RunOnThisThread(coro(*store));
    ASSERT_TRUE(out);
    const auto& [t, r] = *out;
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(t.before, std::this_thread::get_id());
    EXPECT_EQ(t.after, std::this_thread::get_id());
    EXPECT_NE(t.in_fn, std::this_thread::get_id());
    EXPECT_NE(t.in_fn, std::thread::id());
}

TEST_F(EmbeddedStoreAsyncTest, ReadSeesCommittedWriteAndResumesOnCallerThread) {
    auto store = Open();
    ASSERT_TRUE(store);
    auto coro = [](EmbeddedStore& s) -> asio::awaitable<std::pair<std::string, Threads>> {
        Threads t;
        EmbeddedStore::WriteFn write = [](sqlite::Connection& c) {
            return c.Exec("INSERT INTO tenants (id, name, created_at) VALUES ('rd', 'ReadMe', 1)");
        };
        Result<void> w = co_await s.Write(std::move(write));
        if (!w) {
            co_return std::make_pair(std::string("write failed"), t);
        }
        std::string name;
        EmbeddedStore::ReadFn read = [&](sqlite::Connection& c) -> Result<void> {
            t.in_fn = std::this_thread::get_id();
            name = QueryText(c, "SELECT name FROM tenants WHERE id = 'rd'");
            return Ok();
        };
        Result<void> r = co_await s.Read(std::move(read));
        t.after = std::this_thread::get_id();
        co_return std::make_pair(r ? name : r.error().message, t);
    };
    auto out = RunOnThisThread(coro(*store));
    ASSERT_TRUE(out);
    EXPECT_EQ(out->first, "ReadMe");
    EXPECT_EQ(out->second.after, std::this_thread::get_id());
    EXPECT_NE(out->second.in_fn, std::this_thread::get_id());
}

TEST_F(EmbeddedStoreAsyncTest, WriteErrorIsDeliveredToTheAwaiter) {
    auto store = Open();
    ASSERT_TRUE(store);
    auto coro = [](EmbeddedStore& s) -> asio::awaitable<Result<void>> {
        EmbeddedStore::WriteFn dup = [](sqlite::Connection& c) {
            return c.Exec("INSERT INTO tenants (id, name, created_at) VALUES ('default', 'again', 1)");
        };
        co_return co_await s.Write(std::move(dup));
    };
    auto out = RunOnThisThread(coro(*store));
    ASSERT_TRUE(out);
    ASSERT_FALSE(*out);
    EXPECT_EQ(out->error().code, ErrorCode::kConflict);
}

TEST_F(EmbeddedStoreAsyncTest, WriteThatIsNeverAwaitedNeverRuns) {
    auto store = Open();
    ASSERT_TRUE(store);
    bool ran = false;
    {
        auto unused = store->Write([&ran](sqlite::Connection&) {
            ran = true;
            return Ok();
        });
    }
    ASSERT_TRUE(store->WriteBlocking([](sqlite::Connection&) { return Ok(); }));  // flushes the queue
    EXPECT_FALSE(ran);
}

TEST_F(EmbeddedStoreAsyncTest, CheckReadyReflectsMigrationState) {
    auto store = Open(MigrateMode::kInspectOnly);
    ASSERT_TRUE(store);
    auto pending = RunOnThisThread(store->CheckReady());
    ASSERT_TRUE(pending);
    ASSERT_FALSE(*pending);
    EXPECT_EQ(pending->error().code, ErrorCode::kUnavailable);
    ASSERT_TRUE(store->Migrate());
    auto ready = RunOnThisThread(store->CheckReady());
    ASSERT_TRUE(ready);
    EXPECT_TRUE(*ready) << ready->error().message;
}

}  // namespace
}  // namespace gw::store
