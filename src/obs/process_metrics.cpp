#include "obs/process_metrics.hpp"

#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

namespace gw::obs {
namespace {

struct StatFields {
    std::uint64_t utime = 0;      // field 14, clock ticks
    std::uint64_t stime = 0;      // field 15, clock ticks
    std::uint64_t starttime = 0;  // field 22, clock ticks after boot
    std::uint64_t vsize = 0;      // field 23, bytes
    std::uint64_t rss_pages = 0;  // field 24, pages
};

std::optional<std::string> ReadFile(const char* path) {
    std::ifstream in(path);
    if (!in)
        return std::nullopt;
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/// Parses /proc/self/stat. The command name (field 2) is in parentheses and may itself contain
/// spaces and ')', so fields are counted from the last ')'.
std::optional<StatFields> ReadSelfStat() {
    auto text = ReadFile("/proc/self/stat");
    if (!text)
        return std::nullopt;
    auto close = text->rfind(')');
    if (close == std::string::npos)
        return std::nullopt;
    std::istringstream in(text->substr(close + 1));
    StatFields f;
    std::string skip;
    // After ')' comes field 3 (state). Fields 3..13 are skipped, 14..15 read, 16..21 skipped.
    for (int i = 3; i <= 13; ++i)
        in >> skip;
    in >> f.utime >> f.stime;
    for (int i = 16; i <= 21; ++i)
        in >> skip;
    in >> f.starttime >> f.vsize >> f.rss_pages;
    if (!in)
        return std::nullopt;
    return f;
}

std::optional<std::uint64_t> ReadBootTime() {
    std::ifstream in("/proc/stat");
    std::string line;
    while (std::getline(in, line)) {
        if (line.starts_with("btime ")) {
            std::istringstream ls(line.substr(6));
            std::uint64_t btime = 0;
            if (ls >> btime)
                return btime;
            return std::nullopt;
        }
    }
    return std::nullopt;
}

std::optional<std::uint64_t> CountOpenFds() {
    DIR* dir = opendir("/proc/self/fd");
    if (dir == nullptr)
        return std::nullopt;
    std::uint64_t n = 0;
    while (const dirent* entry = readdir(dir)) {
        if (entry->d_name[0] != '.')
            ++n;
    }
    closedir(dir);
    return n;  // includes the descriptor used to read the directory, as the Go client does
}

double TicksPerSecond() {
    long ticks = sysconf(_SC_CLK_TCK);
    return ticks > 0 ? static_cast<double>(ticks) : 100.0;
}

double PageSize() {
    long page = sysconf(_SC_PAGESIZE);
    return page > 0 ? static_cast<double>(page) : 4096.0;
}

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

std::optional<ProcessStats> ReadProcessStats() {
    auto stat = ReadSelfStat();
    auto btime = ReadBootTime();
    auto fds = CountOpenFds();
    rlimit limit{};
    if (!stat || !btime || !fds || getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return std::nullopt;
    ProcessStats s;
    double ticks = TicksPerSecond();
    s.cpu_seconds = static_cast<double>(stat->utime + stat->stime) / ticks;
    s.resident_bytes = static_cast<std::uint64_t>(static_cast<double>(stat->rss_pages) * PageSize());
    s.virtual_bytes = stat->vsize;
    s.open_fds = *fds;
    s.max_fds = limit.rlim_cur == RLIM_INFINITY ? std::numeric_limits<std::uint64_t>::max() : limit.rlim_cur;
    s.start_time_seconds = static_cast<double>(*btime) + static_cast<double>(stat->starttime) / ticks;
    return s;
}

void RegisterProcessMetrics(Registry& registry) {
    double start_time = kNaN;
    if (auto s = ReadProcessStats())
        start_time = s->start_time_seconds;

    registry.AddCallbackCounter(
        "process_cpu_seconds_total",
        "Total user and system CPU time spent in seconds.",
        [] {
            auto stat = ReadSelfStat();
            return stat ? static_cast<double>(stat->utime + stat->stime) / TicksPerSecond() : kNaN;
        }
    );
    registry.AddCallbackGauge("process_resident_memory_bytes", "Resident memory size in bytes.", [] {
        auto stat = ReadSelfStat();
        return stat ? static_cast<double>(stat->rss_pages) * PageSize() : kNaN;
    });
    registry.AddCallbackGauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", [] {
        auto stat = ReadSelfStat();
        return stat ? static_cast<double>(stat->vsize) : kNaN;
    });
    registry.AddCallbackGauge("process_open_fds", "Number of open file descriptors.", [] {
        auto fds = CountOpenFds();
        return fds ? static_cast<double>(*fds) : kNaN;
    });
    registry.AddCallbackGauge("process_max_fds", "Maximum number of open file descriptors.", [] {
        rlimit limit{};
        if (getrlimit(RLIMIT_NOFILE, &limit) != 0)
            return kNaN;
        return limit.rlim_cur == RLIM_INFINITY ? std::numeric_limits<double>::infinity()
                                               : static_cast<double>(limit.rlim_cur);
    });
    registry.AddCallbackGauge(
        "process_start_time_seconds",
        "Start time of the process since unix epoch in seconds.",
        [start_time] { return start_time; }
    );
}

}  // namespace gw::obs
