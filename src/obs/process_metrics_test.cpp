#include "obs/process_metrics.hpp"

#include <chrono>
#include <cmath>
#include <string>

#include <gtest/gtest.h>

#include <unistd.h>

namespace gw::obs {
namespace {

double UnixNow() {
    using namespace std::chrono;
    return duration<double>(system_clock::now().time_since_epoch()).count();
}

/// The value of the first label-less sample `name` in `text`; NaN if absent.
double SampleValue(const std::string& text, const std::string& name) {
    auto pos = text.find("\n" + name + " ");
    if (pos == std::string::npos)
        return std::nan("");
    return std::stod(text.substr(pos + name.size() + 2));
}

TEST(ProcessMetricsTest, ReadsPlausibleValues) {
    auto stats = ReadProcessStats();
    ASSERT_TRUE(stats.has_value());
    EXPECT_GT(stats->resident_bytes, 1024U * 1024U);
    EXPECT_GE(stats->virtual_bytes, stats->resident_bytes);
    EXPECT_GE(stats->open_fds, 3U);  // stdin, stdout, stderr (+ the directory being read)
    EXPECT_GE(stats->max_fds, stats->open_fds);
    EXPECT_GE(stats->cpu_seconds, 0.0);
    double now = UnixNow();
    EXPECT_LE(stats->start_time_seconds, now + 1);
    EXPECT_GT(stats->start_time_seconds, now - 24 * 3600);
}

TEST(ProcessMetricsTest, OpenFdsFollowsDescriptors) {
    auto before = ReadProcessStats();
    int a = dup(1);
    int b = dup(1);
    auto during = ReadProcessStats();
    close(a);
    close(b);
    ASSERT_TRUE(before && during);
    ASSERT_GE(a, 0);
    ASSERT_GE(b, 0);
    EXPECT_EQ(during->open_fds, before->open_fds + 2);
}

TEST(ProcessMetricsTest, CpuSecondsGrowWithWork) {
    auto before = ReadProcessStats();
    ASSERT_TRUE(before);
    auto start = std::chrono::steady_clock::now();
    volatile double sink = 0;
    // Spin until the kernel's tick-granular CPU accounting moves (bounded by a deadline).
    while (std::chrono::steady_clock::now() - start < std::chrono::seconds(5)) {
        for (int i = 0; i < 100000; ++i)
            sink = sink + i * 0.5;
        auto now = ReadProcessStats();
        ASSERT_TRUE(now);
        if (now->cpu_seconds > before->cpu_seconds)
            return;
    }
    ADD_FAILURE() << "process CPU time did not advance within 5 s of busy work";
}

TEST(ProcessMetricsTest, RegistersTheStandardFamilies) {
    Registry reg;
    RegisterProcessMetrics(reg);
    auto text = reg.RenderPrometheus();
    EXPECT_NE(text.find("# TYPE process_cpu_seconds_total counter\n"), std::string::npos);
    for (std::string name :
         {"process_resident_memory_bytes",
          "process_virtual_memory_bytes",
          "process_open_fds",
          "process_max_fds",
          "process_start_time_seconds"}) {
        EXPECT_NE(text.find("# TYPE " + name + " gauge\n"), std::string::npos) << name;
    }
    EXPECT_GT(SampleValue(text, "process_resident_memory_bytes"), 0);
    EXPECT_GT(SampleValue(text, "process_open_fds"), 0);
    EXPECT_GE(SampleValue(text, "process_cpu_seconds_total"), 0);
    double start = SampleValue(text, "process_start_time_seconds");
    EXPECT_GT(start, UnixNow() - 24 * 3600);
    EXPECT_LE(start, UnixNow() + 1);
}

}  // namespace
}  // namespace gw::obs
