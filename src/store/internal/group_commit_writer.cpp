#include "store/internal/group_commit_writer.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include <pthread.h>

#include "base/check.hpp"
#include "obs/log.hpp"

namespace gw::store::internal {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::string_view kSavepoint = "SAVEPOINT gw_write";
constexpr std::string_view kRelease = "RELEASE gw_write";
constexpr std::string_view kRollbackTo = "ROLLBACK TO gw_write";

}  // namespace

GroupCommitWriter::GroupCommitWriter(sqlite::Connection conn, Options options)
    : options_(options), conn_(std::move(conn)) {
    GW_CHECK(options_.max_batch > 0, "max_batch is validated by EmbeddedStore::Open");
    thread_ = std::thread([this] {
        // Naming the thread is a debugging aid only; a failure changes nothing.
        static_cast<void>(pthread_setname_np(pthread_self(), "gw-store-write"));
        Run();
    });
}

GroupCommitWriter::~GroupCommitWriter() {
    GW_CHECK(!OnWriterThread(), "the store must not be destroyed from its own writer thread");
    Stop();
}

void GroupCommitWriter::Submit(DbFn fn, DoneFn done) {
    {
        std::lock_guard lock(mutex_);
        if (!stopping_) {
            queue_.push_back(Item{std::move(fn), std::move(done), Ok()});
            cv_.notify_one();
            return;
        }
    }
    failed_writes_.fetch_add(1, std::memory_order_relaxed);
    CallDone(done, MakeError(ErrorCode::kUnavailable, "store is closed"), "write");
}

Result<void> GroupCommitWriter::WithConnection(const DbFn& fn) {
    if (OnWriterThread()) {
        return MakeError(
            ErrorCode::kInternal, "store: exclusive connection use requested from the writer thread"
        );
    }
    std::lock_guard lock(conn_mutex_);
    return CallDbFn(fn, conn_, "exclusive write");
}

void GroupCommitWriter::Stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable() && !OnWriterThread()) {
        thread_.join();
    }
}

GroupCommitWriter::Counters GroupCommitWriter::GetCounters() const noexcept {
    return Counters{
        transactions_.load(std::memory_order_relaxed),
        writes_.load(std::memory_order_relaxed),
        failed_writes_.load(std::memory_order_relaxed),
    };
}

void GroupCommitWriter::Run() {
    std::vector<Item> batch;
    batch.reserve(options_.max_batch);
    while (TakeBatch(batch)) {
        {
            std::lock_guard lock(conn_mutex_);
            ProcessBatch(batch);
        }
        std::uint64_t ok = 0;
        for (const Item& item : batch) {
            ok += item.result ? 1 : 0;
        }
        writes_.fetch_add(ok, std::memory_order_relaxed);
        failed_writes_.fetch_add(batch.size() - ok, std::memory_order_relaxed);
        for (Item& item : batch) {
            CallDone(item.done, std::move(item.result), "write");
        }
        batch.clear();
    }
}

bool GroupCommitWriter::TakeBatch(std::vector<Item>& batch) {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) {
        return false;  // stopping and drained
    }
    TakeLocked(batch);
    Linger(lock, batch);
    return true;
}

void GroupCommitWriter::TakeLocked(std::vector<Item>& batch) {
    while (!queue_.empty() && batch.size() < options_.max_batch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
    }
}

void GroupCommitWriter::Linger(std::unique_lock<std::mutex>& lock, std::vector<Item>& batch) {
    if (batch.size() < 2 || batch.size() >= options_.max_batch || options_.max_delay.count() <= 0) {
        return;  // idle (a lone write goes at once), already full, or lingering disabled
    }
    const auto deadline = Clock::now() + options_.max_delay;
    const auto gap = std::max(options_.max_delay / 4, std::chrono::microseconds(1));
    while (!stopping_ && batch.size() < options_.max_batch) {
        const auto until = std::min(deadline, Clock::now() + gap);
        if (!cv_.wait_until(lock, until, [this] { return stopping_ || !queue_.empty(); })) {
            return;  // producers went quiet
        }
        TakeLocked(batch);
        if (Clock::now() >= deadline) {
            return;
        }
    }
}

void GroupCommitWriter::ProcessBatch(std::vector<Item>& batch) {
    std::size_t next = 0;
    while (next < batch.size()) {
        next = ProcessRange(batch, next);
    }
}

std::size_t GroupCommitWriter::ProcessRange(std::vector<Item>& batch, std::size_t begin) {
    if (auto started = conn_.Exec("BEGIN IMMEDIATE"); !started) {
        for (std::size_t i = begin; i < batch.size(); ++i) {
            batch[i].result = started.error();
        }
        return batch.size();
    }
    for (std::size_t i = begin; i < batch.size(); ++i) {
        if (!RunOne(batch[i])) {
            continue;
        }
        // The batch transaction is gone or unusable: SQLite rolled it back (disk full, I/O error), a
        // savepoint could not be undone, or the write function itself ran COMMIT/ROLLBACK.
        Item& culprit = batch[i];
        Error why;
        if (culprit.result) {
            culprit.result =
                MakeError(ErrorCode::kInternal, "store: a write function ended the batch transaction");
            why = MakeError(
                ErrorCode::kInternal,
                "store: another write in the batch ended its transaction; outcome unknown"
            );
        } else {
            why = MakeError(
                ErrorCode::kUnavailable,
                "store: rolled back with its batch: " + culprit.result.error().message
            );
        }
        if (conn_.InTransaction()) {
            if (auto rb = conn_.Exec("ROLLBACK"); !rb) {
                obs::Log(
                    obs::LogLevel::kError,
                    "gw.store",
                    "batch rollback failed",
                    {{"error", rb.error().message}}
                );
            }
        }
        FailCommitted(batch, begin, i, why);
        return i + 1;  // the rest runs in a fresh transaction
    }
    if (auto commit = conn_.Exec("COMMIT"); !commit) {
        if (conn_.InTransaction()) {
            if (auto rb = conn_.Exec("ROLLBACK"); !rb) {
                obs::Log(
                    obs::LogLevel::kError,
                    "gw.store",
                    "batch rollback failed",
                    {{"error", rb.error().message}}
                );
            }
        }
        FailCommitted(batch, begin, batch.size(), commit.error());
        return batch.size();
    }
    transactions_.fetch_add(1, std::memory_order_relaxed);
    return batch.size();
}

bool GroupCommitWriter::RunOne(Item& item) {
    if (auto sp = conn_.Exec(kSavepoint); !sp) {
        item.result = sp.error();
        return !conn_.InTransaction();
    }
    item.result = CallDbFn(item.fn, conn_, "write");
    if (!conn_.InTransaction()) {
        return true;
    }
    if (item.result) {
        auto released = conn_.Exec(kRelease);
        if (released) {
            return false;
        }
        item.result = released.error();
    }
    // Undo only this write; its batch-mates stay.
    auto undone = conn_.Exec(kRollbackTo);
    if (undone) {
        undone = conn_.Exec(kRelease);
    }
    if (!undone) {
        item.result.error().message += "; undoing it failed: " + undone.error().message;
        return true;
    }
    return !conn_.InTransaction();
}

void GroupCommitWriter::FailCommitted(
    std::vector<Item>& batch, std::size_t begin, std::size_t end, const Error& why
) {
    for (std::size_t i = begin; i < end; ++i) {
        if (batch[i].result) {
            batch[i].result = why;
        }
    }
}

}  // namespace gw::store::internal
