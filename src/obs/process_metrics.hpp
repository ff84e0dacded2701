#pragma once
/// @file
/// @brief The standard Prometheus `process_*` families, read from Linux /proc at scrape time.

#include <cstdint>
#include <optional>

#include "obs/metrics.hpp"

namespace gw::obs {

/// One reading of this process's resource usage (Linux only).
struct ProcessStats {
    double cpu_seconds = 0;            ///< user + system CPU time
    std::uint64_t resident_bytes = 0;  ///< resident set size
    std::uint64_t virtual_bytes = 0;   ///< virtual memory size
    std::uint64_t open_fds = 0;        ///< entries in /proc/self/fd
    std::uint64_t max_fds = 0;         ///< RLIMIT_NOFILE soft limit
    double start_time_seconds = 0;     ///< Unix time the process started (btime + starttime)
};

/// Reads /proc/self/stat, /proc/stat, /proc/self/fd and getrlimit. Nullopt if /proc is unreadable.
std::optional<ProcessStats> ReadProcessStats();

/// Registers, with the semantics of the Prometheus client libraries:
/// `process_cpu_seconds_total` (counter), `process_resident_memory_bytes`,
/// `process_virtual_memory_bytes`, `process_open_fds`, `process_max_fds` and
/// `process_start_time_seconds` (gauges). The start time is read once, here; the rest per scrape.
/// Values that cannot be read are reported as NaN. Call once per registry.
void RegisterProcessMetrics(Registry& registry);

}  // namespace gw::obs
