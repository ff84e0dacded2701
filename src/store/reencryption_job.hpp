#pragma once
/// @file
/// @brief The background key-maintenance job of encryption at rest (issue #6): re-encrypts transcript
/// rows still sealed under an older data-key version with the active one (resumable through a cursor
/// persisted in `crypto_reencrypt_state`, throttled by batch size and delay), applies the automatic
/// rotation schedule, and reloads the keyring so key changes made by the `keys` CLI take effect.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/error.hpp"
#include "crypto/keyring.hpp"
#include "crypto/rotation_schedule.hpp"
#include "store/embedded_store.hpp"

namespace gw::obs {
class Registry;
}  // namespace gw::obs

namespace gw::store {

struct ReencryptionOptions {
    std::size_t batch_size = 200;                      ///< rows read per batch (one write per batch)
    std::chrono::milliseconds batch_delay{20};         ///< pause between batches (throttle)
    std::chrono::milliseconds check_interval{60'000};  ///< idle: reload keyring, schedule, recount
    bool auto_rotate = true;                           ///< apply `schedule` at start and every check
    crypto::RotationSchedule schedule = crypto::RotationSchedule::Default();
    std::function<std::chrono::system_clock::time_point()> now;  ///< default: system_clock::now
};

/// Rows of messages sealed under one (tenant, class, key version).
struct SealedRowCount {
    std::string tenant;
    crypto::Classification classification = crypto::Classification::kConfidential;
    std::uint32_t key_version = 0;
    std::int64_t rows = 0;
};

struct ReencryptionProgress {
    std::int64_t cursor = 0;             ///< last rowid handled in the current pass (0: between passes)
    std::int64_t passes_completed = 0;   ///< persisted
    std::int64_t reencrypted_total = 0;  ///< persisted, over every process that ran the job
    std::int64_t failed_total = 0;       ///< rows that could not be opened (tampered, shredded, retired)
    std::int64_t pending = -1;           ///< rows under a non-active version at the last count; -1 unknown
    std::int64_t updated_at_ms = 0;
};

/// Result of one batch.
struct ReencryptionBatch {
    std::size_t scanned = 0;
    std::size_t reencrypted = 0;
    std::size_t failed = 0;
    bool pass_completed = false;  ///< the batch reached the end of the table; the cursor is back at 0
};

/// Sealed rows per (tenant, class, version) (one read over the key-version index). Blocking.
Result<std::vector<SealedRowCount>> CountSealedRows(EmbeddedStore& store);

/// Rows in `counts` whose version is older than the keyring's active version of their (tenant, class).
std::int64_t PendingRows(const std::vector<SealedRowCount>& counts, const crypto::Keyring& keyring);

/// The persisted progress (pending left at -1). Blocking.
Result<ReencryptionProgress> LoadReencryptionProgress(EmbeddedStore& store);

/// Thread-safe. `Start` runs the loop on a thread of its own, which uses the store's blocking calls and the
/// keyring's admin calls (never an io thread). `RunBatch`/`RunPass` run it synchronously (CLI, tests).
class ReencryptionJob {
public:
    ReencryptionJob(
        EmbeddedStore& store, std::shared_ptr<crypto::Keyring> keyring, ReencryptionOptions options = {}
    );
    ~ReencryptionJob();
    ReencryptionJob(const ReencryptionJob&) = delete;
    ReencryptionJob& operator=(const ReencryptionJob&) = delete;

    /// Starts the background loop: schedule check and count at once, then batches while rows are pending.
    void Start();

    /// Stops and joins the loop (a batch in progress finishes; its cursor is persisted). Idempotent.
    void Stop();

    /// Asks the loop to recount and start a pass now (e.g. after an in-process rotation).
    void Wake();

    /// One batch from the persisted cursor: re-encrypts rows under older versions, persists them with the
    /// new cursor in one write. Rows that fail to open are counted and skipped. Blocking.
    Result<ReencryptionBatch> RunBatch();

    /// Batches (with `batch_delay` between them unless `throttle` is false) until the pass completes;
    /// returns rows re-encrypted. Blocking.
    Result<std::size_t> RunPass(bool throttle = true);

    /// Reloads the keyring (skipped on the first call), applies the schedule, recounts pending rows.
    /// Returns how many keys the schedule rotated. Blocking.
    Result<std::size_t> Maintain();

    /// The last known progress (no I/O).
    ReencryptionProgress Progress() const;

    /// `openclaw_keys_reencrypted_total`, `openclaw_keys_reencrypt_pending`; the job must outlive `registry`
    /// scrapes.
    void RegisterMetrics(obs::Registry& registry);

private:
    void Loop();
    bool WaitFor(std::chrono::milliseconds delay);  ///< false when stopping
    void Publish(const ReencryptionProgress& progress);

    EmbeddedStore& store_;
    std::shared_ptr<crypto::Keyring> keyring_;
    ReencryptionOptions options_;

    mutable std::mutex mutex_;  ///< guards progress_, wake_, stopping_
    std::condition_variable cv_;
    ReencryptionProgress progress_;
    bool wake_ = false;
    bool stopping_ = false;
    bool maintained_once_ = false;
    std::mutex run_mutex_;  ///< one batch at a time within this process
    std::thread thread_;
};

}  // namespace gw::store
