#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "store/embedded_store.hpp"
#include "store/internal/test_support.hpp"

namespace gw::store {
namespace {

using internal::QueryInt;
using internal::TempDirForTest;
using internal::WriterGate;
using namespace std::chrono_literals;

/// Counts completions and lets a test wait for a number of them (with a deadline, no sleeps).
class Completions {
public:
    EmbeddedStore::DoneFn Track(Result<void>* slot = nullptr) {
        return [this, slot](Result<void> r) {
            std::lock_guard lock(mutex_);
            if (slot != nullptr) {
                *slot = std::move(r);
            } else if (!r) {
                ++errors_;
            }
            ++done_;
            cv_.notify_all();
        };
    }

    bool WaitFor(int n) {
        std::unique_lock lock(mutex_);
        return cv_.wait_for(lock, 30s, [&] { return done_ >= n; });
    }

    int Done() {
        std::lock_guard lock(mutex_);
        return done_;
    }

    int Errors() {
        std::lock_guard lock(mutex_);
        return errors_;
    }

private:
    std::mutex mutex_;
    std::condition_variable cv_;
    int done_ = 0;
    int errors_ = 0;
};

EmbeddedStore::WriteFn InsertTenant(std::string id) {
    return [id = std::move(id)](sqlite::Connection& c) -> Result<void> {
        auto stmt = c.Prepare("INSERT INTO tenants (id, name, created_at) VALUES (?, 'n', 0)");
        if (!stmt) {
            return stmt.error();
        }
        if (auto b = stmt->Bind(1, std::string_view(id)); !b) {
            return b.error();
        }
        auto run = stmt->Run();
        return run ? Ok() : Result<void>(run.error());
    };
}

class GroupCommitTest : public ::testing::Test {
protected:
    void SetUp() override {
        options_.data_dir = dir_.File("var");
        auto store = EmbeddedStore::Open(options_, MigrateMode::kApply);
        ASSERT_TRUE(store) << store.error().message;
        store_ = std::move(*store);
    }

    std::int64_t Count(std::string_view sql) {
        std::int64_t n = -1;
        auto r = store_->ReadBlocking([&](sqlite::Connection& c) -> Result<void> {
            n = QueryInt(c, sql);
            return Ok();
        });
        EXPECT_TRUE(r);
        return n;
    }

    TempDirForTest dir_;
    config::StoreOptions options_;
    std::unique_ptr<EmbeddedStore> store_;
};

TEST_F(GroupCommitTest, ConcurrentWritesAllLandInFewerTransactions) {
    constexpr std::size_t kThreads = 8;
    constexpr std::size_t kPerThread = 125;
    const auto before = store_->GetStats();
    WriterGate gate;
    Completions done;
    store_->SubmitWrite(gate.Fn(), done.Track());
    gate.WaitEntered();
    std::vector<std::thread> threads;
    threads.reserve(kThreads);
    for (std::size_t t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (std::size_t i = 0; i < kPerThread; ++i) {
                store_->SubmitWrite(
                    InsertTenant("t" + std::to_string(t) + "-" + std::to_string(i)), done.Track()
                );
            }
        });
    }
    for (auto& th : threads) {
        th.join();
    }
    gate.Release();
    ASSERT_TRUE(done.WaitFor(static_cast<int>(kThreads * kPerThread) + 1));
    EXPECT_EQ(done.Errors(), 0);
    EXPECT_EQ(
        Count("SELECT count(*) FROM tenants WHERE id LIKE 't%-%'"),
        static_cast<std::int64_t>(kThreads * kPerThread)
    );
    const auto after = store_->GetStats();
    const auto writes = after.writes - before.writes;
    const auto transactions = after.transactions - before.transactions;
    EXPECT_EQ(writes, static_cast<std::uint64_t>(kThreads * kPerThread + 1));
    EXPECT_EQ(after.failed_writes, before.failed_writes);
    // All 1000 were queued behind the gate: they commit in ceil(1000 / max_batch) batches plus the gate's.
    const auto max_batch = options_.group_commit_max_batch;
    EXPECT_LE(transactions, 1 + (kThreads * kPerThread + max_batch - 1) / max_batch);
    EXPECT_LT(transactions, writes);
}

TEST_F(GroupCommitTest, ClosedLoopWritersFromManyThreadsAllCommit) {
    constexpr int kThreads = 8;
    constexpr int kPerThread = 25;
    const auto before = store_->GetStats();
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    threads.reserve(kThreads);
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kPerThread; ++i) {
                if (!store_->WriteBlocking(InsertTenant("c" + std::to_string(t) + "-" + std::to_string(i)))) {
                    ++failures;
                }
            }
        });
    }
    for (auto& th : threads) {
        th.join();
    }
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(Count("SELECT count(*) FROM tenants WHERE id LIKE 'c%-%'"), kThreads * kPerThread);
    const auto after = store_->GetStats();
    EXPECT_EQ(after.writes - before.writes, static_cast<std::uint64_t>(kThreads * kPerThread));
    EXPECT_LE(after.transactions - before.transactions, after.writes - before.writes);
}

TEST(GroupCommitLingerTest, LoneWriteOnIdleWriterIsNotDelayed) {
    TempDirForTest dir;
    config::StoreOptions options;
    options.data_dir = dir.File("var");
    options.group_commit_max_delay = std::chrono::seconds(20);  // lingering would cost >= 5 s per write
    auto store = EmbeddedStore::Open(options, MigrateMode::kApply);
    ASSERT_TRUE(store) << store.error().message;
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 3; ++i) {
        ASSERT_TRUE((*store)->WriteBlocking(InsertTenant("lone" + std::to_string(i))));
    }
    EXPECT_LT(std::chrono::steady_clock::now() - start, 4s);
    EXPECT_EQ((*store)->GetStats().transactions, 3U);
}

TEST_F(GroupCommitTest, FailingWriteIsUndoneAloneWhileBatchMatesCommit) {
    const auto before = store_->GetStats();
    WriterGate gate;
    Completions done;
    store_->SubmitWrite(gate.Fn(), done.Track());
    gate.WaitEntered();
    Result<void> first = Ok();
    Result<void> failing = Ok();
    Result<void> last = Ok();
    store_->SubmitWrite(InsertTenant("a"), done.Track(&first));
    store_->SubmitWrite(
        [](sqlite::Connection& c) -> Result<void> {
            if (auto r = InsertTenant("partial")(c); !r) {
                return r;
            }
            return InsertTenant("a")(c);  // duplicate of its batch-mate: UNIQUE violation
        },
        done.Track(&failing)
    );
    store_->SubmitWrite(InsertTenant("b"), done.Track(&last));
    gate.Release();
    ASSERT_TRUE(done.WaitFor(4));
    EXPECT_TRUE(first);
    ASSERT_FALSE(failing);
    EXPECT_EQ(failing.error().code, ErrorCode::kConflict);
    EXPECT_NE(failing.error().message.find("UNIQUE"), std::string::npos) << failing.error().message;
    EXPECT_TRUE(last);
    EXPECT_EQ(Count("SELECT count(*) FROM tenants WHERE id IN ('a', 'b')"), 2);
    EXPECT_EQ(Count("SELECT count(*) FROM tenants WHERE id = 'partial'"), 0);
    const auto after = store_->GetStats();
    EXPECT_EQ(after.transactions - before.transactions, 2U);  // the gate's batch, then one for all three
    EXPECT_EQ(after.writes - before.writes, 3U);
    EXPECT_EQ(after.failed_writes - before.failed_writes, 1U);
}

TEST_F(GroupCommitTest, WriteFunctionErrorAndExceptionAreReturnedAndUndone) {
    auto refused = store_->WriteBlocking([](sqlite::Connection& c) -> Result<void> {
        if (auto r = InsertTenant("x1")(c); !r) {
            return r;
        }
        return MakeError(ErrorCode::kNotFound, "no such agent");
    });
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::kNotFound);
    EXPECT_EQ(refused.error().message, "no such agent");
    auto thrown = store_->WriteBlocking([](sqlite::Connection& c) -> Result<void> {
        if (auto r = InsertTenant("x2")(c); !r) {
            return r;
        }
        throw std::runtime_error("boom");
    });
    ASSERT_FALSE(thrown);
    EXPECT_EQ(thrown.error().code, ErrorCode::kInternal);
    EXPECT_NE(thrown.error().message.find("boom"), std::string::npos);
    EXPECT_EQ(Count("SELECT count(*) FROM tenants WHERE id IN ('x1', 'x2')"), 0);
    EXPECT_TRUE(store_->WriteBlocking(InsertTenant("x3")));  // the writer survived both
}

TEST_F(GroupCommitTest, WriteThatEndsTheTransactionFailsWithoutBreakingLaterWrites) {
    auto rogue = store_->WriteBlocking([](sqlite::Connection& c) { return c.Exec("COMMIT"); });
    ASSERT_FALSE(rogue);
    EXPECT_EQ(rogue.error().code, ErrorCode::kInternal);
    EXPECT_TRUE(store_->WriteBlocking(InsertTenant("after-rogue")));
    EXPECT_EQ(Count("SELECT count(*) FROM tenants WHERE id = 'after-rogue'"), 1);
}

TEST_F(GroupCommitTest, DestructorCommitsQueuedWritesAndFiresEveryCallback) {
    constexpr int kQueued = 200;
    EmbeddedStore* store = store_.get();
    std::promise<void> entered;
    std::promise<void> closing;
    std::shared_future<void> closing_started = closing.get_future().share();
    auto refused = std::make_shared<std::atomic<bool>>(false);
    auto probes_accepted = std::make_shared<std::atomic<int>>(0);
    Completions done;
    // The first write holds the writer until the destructor has begun: it probes with new writes, which a
    // closing store refuses synchronously. Everything queued behind it must then be drained by the
    // destructor itself.
    store->SubmitWrite(
        [&](sqlite::Connection&) -> Result<void> {
            entered.set_value();
            closing_started.wait();
            const auto deadline = std::chrono::steady_clock::now() + 30s;
            while (!refused->load() && std::chrono::steady_clock::now() < deadline) {
                store->SubmitWrite(
                    [](sqlite::Connection&) { return Ok(); },
                    [refused, probes_accepted, track = done.Track()](Result<void> r) {
                        if (!r && r.error().code == ErrorCode::kUnavailable) {
                            refused->store(true);  // runs synchronously inside SubmitWrite
                        } else {
                            ++*probes_accepted;
                            track(std::move(r));
                        }
                    }
                );
                std::this_thread::sleep_for(100us);  // poll interval while the destructor starts
            }
            return Ok();
        },
        done.Track()
    );
    entered.get_future().wait();
    for (int i = 0; i < kQueued; ++i) {
        store->SubmitWrite(InsertTenant("q" + std::to_string(i)), done.Track());
    }
    ASSERT_EQ(done.Done(), 0);
    std::thread closer([&] {
        closing.set_value();
        store_.reset();
    });
    closer.join();
    ASSERT_TRUE(refused->load()) << "the destructor never started refusing writes";
    EXPECT_EQ(done.Done(), 1 + kQueued + probes_accepted->load());
    EXPECT_EQ(done.Errors(), 0);
    auto conn = sqlite::Connection::Open(dir_.File("var/gateway.db"), {.read_only = true});
    ASSERT_TRUE(conn) << conn.error().message;
    EXPECT_EQ(QueryInt(*conn, "SELECT count(*) FROM tenants WHERE id LIKE 'q%'"), kQueued);
}

}  // namespace
}  // namespace gw::store
