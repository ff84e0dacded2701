#include "store/reencryption_job.hpp"

#include <algorithm>
#include <utility>

#include "obs/log.hpp"
#include "obs/metrics.hpp"
#include "store/internal/entry_sealing.hpp"
#include "store/internal/reencryption_sql.hpp"

namespace gw::store {

namespace {

using internal::BatchRead;
using internal::RowWork;

constexpr std::string_view kLogger = "gw.store";

std::int64_t ToMs(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

ReencryptionJob::ReencryptionJob(
    EmbeddedStore& store, std::shared_ptr<crypto::Keyring> keyring, ReencryptionOptions options
)
    : store_(store), keyring_(std::move(keyring)), options_(std::move(options)) {
    if (!options_.now) {
        options_.now = [] { return std::chrono::system_clock::now(); };
    }
    options_.batch_size = std::max<std::size_t>(options_.batch_size, 1);
}

ReencryptionJob::~ReencryptionJob() {
    Stop();
}

void ReencryptionJob::Start() {
    const std::lock_guard lock(mutex_);
    if (thread_.joinable() || stopping_) {
        return;
    }
    thread_ = std::thread([this] { Loop(); });
}

void ReencryptionJob::Stop() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) {
        thread_.join();
    }
}

void ReencryptionJob::Wake() {
    {
        const std::lock_guard lock(mutex_);
        wake_ = true;
    }
    cv_.notify_all();
}

ReencryptionProgress ReencryptionJob::Progress() const {
    const std::lock_guard lock(mutex_);
    return progress_;
}

void ReencryptionJob::Publish(const ReencryptionProgress& progress) {
    const std::lock_guard lock(mutex_);
    progress_ = progress;
}

Result<ReencryptionBatch> ReencryptionJob::RunBatch() {
    const std::lock_guard run_lock(run_mutex_);
    BatchRead batch;
    auto read = store_.ReadBlocking([&](sqlite::Connection& conn) -> Result<void> {
        auto got = internal::ReadBatch(conn, *keyring_, options_.batch_size);
        if (!got) {
            return got.error();
        }
        batch = std::move(*got);
        return Ok();
    });
    if (!read) {
        return read.error();
    }
    ReencryptionBatch result;
    result.scanned = batch.scanned;
    result.pass_completed = batch.scanned < options_.batch_size;
    for (RowWork& w : batch.rows) {
        const crypto::EnvelopeContext ctx{w.tenant, internal::kMessagesTable, w.id};
        auto plain = keyring_->Decrypt(ctx, w.old_envelope);
        if (!plain) {
            ++result.failed;
            obs::Log(
                obs::LogLevel::kWarn,
                kLogger,
                "re-encryption skipped an unreadable row",
                {{"entry", w.id}, {"tenant", w.tenant}, {"error", plain.error().message}}
            );
            continue;
        }
        auto sealed = keyring_->EncryptWithExistingKey(ctx, w.classification, *plain);
        if (!sealed) {
            ++result.failed;
            continue;
        }
        auto header = crypto::ParseEnvelopeHeader(*sealed);
        if (!header) {
            return header.error();
        }
        w.new_version = header->key_version;
        w.new_envelope = std::move(*sealed);
    }
    std::size_t changed = 0;
    const std::int64_t now_ms = ToMs(options_.now());
    auto written = store_.WriteBlocking([&](sqlite::Connection& conn) -> Result<void> {
        auto n = internal::WriteBatch(
            conn, batch.rows, batch.last_rowid, result.pass_completed, result.failed, now_ms
        );
        if (!n) {
            return n.error();
        }
        changed = *n;
        return Ok();
    });
    if (!written) {
        return written.error();
    }
    result.reencrypted = changed;
    {
        const std::lock_guard lock(mutex_);
        progress_.cursor = result.pass_completed ? 0 : batch.last_rowid;
        progress_.reencrypted_total += static_cast<std::int64_t>(changed);
        progress_.failed_total += static_cast<std::int64_t>(result.failed);
        progress_.passes_completed += result.pass_completed ? 1 : 0;
        progress_.updated_at_ms = now_ms;
        if (progress_.pending > 0) {
            progress_.pending =
                std::max<std::int64_t>(0, progress_.pending - static_cast<std::int64_t>(changed));
        }
    }
    return result;
}

Result<std::size_t> ReencryptionJob::RunPass(bool throttle) {
    std::size_t total = 0;
    for (;;) {
        auto batch = RunBatch();
        if (!batch) {
            return batch.error();
        }
        total += batch->reencrypted;
        if (batch->pass_completed) {
            return total;
        }
        if (throttle && !WaitFor(options_.batch_delay)) {
            return total;
        }
    }
}

Result<std::size_t> ReencryptionJob::Maintain() {
    if (maintained_once_) {
        if (auto reloaded = keyring_->Reload(); !reloaded) {
            return reloaded.error();
        }
    }
    maintained_once_ = true;
    std::size_t rotated = 0;
    if (options_.auto_rotate) {
        auto due = crypto::RotateDue(*keyring_, options_.schedule, options_.now());
        if (!due) {
            return due.error();
        }
        rotated = *due;
    }
    auto persisted = LoadReencryptionProgress(store_);
    if (!persisted) {
        return persisted.error();
    }
    auto counts = CountSealedRows(store_);
    if (!counts) {
        return counts.error();
    }
    persisted->pending = PendingRows(*counts, *keyring_);
    Publish(*persisted);
    return rotated;
}

bool ReencryptionJob::WaitFor(std::chrono::milliseconds delay) {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, delay, [this] { return stopping_ || wake_; });
    return !stopping_;
}

void ReencryptionJob::Loop() {
    auto next_check = std::chrono::steady_clock::now();
    bool pass_open = false;  // a pass with progress is under way (or the cursor was left mid-table)
    for (;;) {
        {
            const std::lock_guard lock(mutex_);
            if (stopping_) {
                return;
            }
            if (wake_) {
                wake_ = false;
                next_check = std::chrono::steady_clock::now();
            }
        }
        if (std::chrono::steady_clock::now() >= next_check) {
            next_check = std::chrono::steady_clock::now() + options_.check_interval;
            if (auto maintained = Maintain(); !maintained) {
                obs::Log(
                    obs::LogLevel::kWarn,
                    kLogger,
                    "key maintenance failed",
                    {{"error", maintained.error().message}}
                );
            }
            const ReencryptionProgress p = Progress();
            pass_open = p.pending > 0 || p.cursor > 0;
        }
        if (!pass_open) {
            std::unique_lock lock(mutex_);
            cv_.wait_until(lock, next_check, [this] { return stopping_ || wake_; });
            continue;
        }
        auto batch = RunBatch();
        if (!batch) {
            obs::Log(
                obs::LogLevel::kWarn,
                kLogger,
                "re-encryption batch failed",
                {{"error", batch.error().message}}
            );
            pass_open = false;  // retry at the next check
            continue;
        }
        if (batch->pass_completed) {
            // Recount once; rows that keep failing wait for the next check instead of looping.
            pass_open = false;
            if (auto counts = CountSealedRows(store_); counts) {
                const std::lock_guard lock(mutex_);
                progress_.pending = PendingRows(*counts, *keyring_);
            }
            obs::Log(
                obs::LogLevel::kInfo,
                kLogger,
                "re-encryption pass completed",
                {{"pending", std::to_string(Progress().pending)}}
            );
            continue;
        }
        if (!WaitFor(options_.batch_delay)) {
            return;
        }
    }
}

void ReencryptionJob::RegisterMetrics(obs::Registry& registry) {
    registry.AddCallbackCounter(
        "openclaw_keys_reencrypted_total",
        "Stored values re-encrypted under the active data-key version (persisted across restarts).",
        [this] { return static_cast<double>(Progress().reencrypted_total); }
    );
    registry.AddCallbackGauge(
        "openclaw_keys_reencrypt_pending",
        "Stored values still sealed under an older data-key version at the last count.",
        [this] { return static_cast<double>(std::max<std::int64_t>(Progress().pending, 0)); }
    );
}

}  // namespace gw::store
