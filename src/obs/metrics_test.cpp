#include "obs/metrics.hpp"

#include <atomic>
#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace gw::obs {
namespace {

TEST(MetricsTest, RendersLabelledCounterWithHelpAndType) {
    Registry reg;
    auto& fam = reg.Counters("app_jobs_total", "Jobs done.", {"kind", "result"});
    fam.WithLabels({"export", "ok"}).Inc(3);
    fam.WithLabels({"import", "failed"}).Inc();
    EXPECT_EQ(
        reg.RenderPrometheus(),
        "# HELP app_jobs_total Jobs done.\n"
        "# TYPE app_jobs_total counter\n"
        "app_jobs_total{kind=\"export\",result=\"ok\"} 3\n"
        "app_jobs_total{kind=\"import\",result=\"failed\"} 1\n"
    );
}

TEST(MetricsTest, EscapesLabelValuesAndHelp) {
    Registry reg;
    reg.Gauges("app_temperature", "Help with \\ backslash\nand newline \"quoted\".", {"path"})
        .WithLabels({"a\\b\"c\nd"})
        .Set(1.5);
    EXPECT_EQ(
        reg.RenderPrometheus(),
        "# HELP app_temperature Help with \\\\ backslash\\nand newline \"quoted\".\n"
        "# TYPE app_temperature gauge\n"
        "app_temperature{path=\"a\\\\b\\\"c\\nd\"} 1.5\n"
    );
}

TEST(MetricsTest, ReplacesInvalidUtf8InLabelValues) {
    Registry reg;
    reg.Counters("app_x_total", "x", {"v"}).WithLabels({"ok\xC3\xA9\xFFz"}).Inc();
    EXPECT_NE(
        reg.RenderPrometheus().find("app_x_total{v=\"ok\xC3\xA9\xEF\xBF\xBDz\"} 1\n"), std::string::npos
    );
}

TEST(MetricsTest, RendersHistogramCumulativeWithInfSumAndCount) {
    Registry reg;
    auto& h = reg.AddHistogram("app_latency_seconds", "Latency.", {0.0005, 0.25, 1, 2.5});
    h.Observe(0.0001);
    h.Observe(0.25);  // equal to a bound: counts in le="0.25"
    h.Observe(0.75);
    h.Observe(100);
    EXPECT_EQ(
        reg.RenderPrometheus(),
        "# HELP app_latency_seconds Latency.\n"
        "# TYPE app_latency_seconds histogram\n"
        "app_latency_seconds_bucket{le=\"0.0005\"} 1\n"
        "app_latency_seconds_bucket{le=\"0.25\"} 2\n"
        "app_latency_seconds_bucket{le=\"1\"} 3\n"
        "app_latency_seconds_bucket{le=\"2.5\"} 3\n"
        "app_latency_seconds_bucket{le=\"+Inf\"} 4\n"
        "app_latency_seconds_sum 101.0001\n"
        "app_latency_seconds_count 4\n"
    );
}

TEST(MetricsTest, LabelledHistogramPutsLeLast) {
    Registry reg;
    reg.Histograms("app_size_bytes", "Sizes.", {"route"}, {10}).WithLabels({"/x"}).Observe(10);
    auto text = reg.RenderPrometheus();
    EXPECT_NE(text.find("app_size_bytes_bucket{route=\"/x\",le=\"10\"} 1\n"), std::string::npos) << text;
    EXPECT_NE(text.find("app_size_bytes_bucket{route=\"/x\",le=\"+Inf\"} 1\n"), std::string::npos) << text;
    EXPECT_NE(text.find("app_size_bytes_sum{route=\"/x\"} 10\n"), std::string::npos) << text;
    EXPECT_NE(text.find("app_size_bytes_count{route=\"/x\"} 1\n"), std::string::npos) << text;
}

TEST(MetricsTest, HistogramBucketBoundariesAreInclusive) {
    Histogram h({1, 2, 3});
    for (double v : {1.0, 2.0, 3.0, std::nextafter(1.0, 2.0), std::nextafter(3.0, 4.0)}) {
        h.Observe(v);
    }
    auto snap = h.Snapshot();
    ASSERT_EQ(snap.cumulative.size(), 4U);
    EXPECT_EQ(snap.cumulative[0], 1U);  // 1
    EXPECT_EQ(snap.cumulative[1], 3U);  // 1+ε, 2
    EXPECT_EQ(snap.cumulative[2], 4U);  // 3
    EXPECT_EQ(snap.cumulative[3], 5U);  // 3+ε
    EXPECT_EQ(snap.count, 5U);
}

TEST(MetricsTest, HistogramSendsNaNToInfBucket) {
    Histogram h({1});
    h.Observe(std::nan(""));
    auto snap = h.Snapshot();
    EXPECT_EQ(snap.cumulative[0], 0U);
    EXPECT_EQ(snap.cumulative[1], 1U);
}

TEST(MetricsTest, LabelledFamilyWithoutChildrenStillPrintsHelpAndType) {
    Registry reg;
    reg.Counters("app_b_total", "B.", {"x"});
    reg.AddGauge("app_a", "A.");
    EXPECT_EQ(
        reg.RenderPrometheus(),
        "# HELP app_a A.\n# TYPE app_a gauge\napp_a 0\n"
        "# HELP app_b_total B.\n# TYPE app_b_total counter\n"
    );
}

TEST(MetricsTest, FamiliesAreSortedByName) {
    Registry reg;
    reg.AddCounter("zz_total", "z");
    reg.AddCounter("aa_total", "a");
    reg.AddCounter("mm_total", "m");
    auto text = reg.RenderPrometheus();
    auto a = text.find("aa_total 0");
    auto m = text.find("mm_total 0");
    auto z = text.find("zz_total 0");
    ASSERT_NE(z, std::string::npos);
    EXPECT_LT(a, m);
    EXPECT_LT(m, z);
}

TEST(MetricsTest, FormatsFloatsSoPrometheusCanParseThem) {
    Registry reg;
    double value = 0;
    reg.AddCallbackGauge("app_v", "v", [&value] { return value; });
    auto sample = [&](double v) {
        value = v;
        auto text = reg.RenderPrometheus();
        auto pos = text.find("\napp_v ");
        return text.substr(pos + 7, text.size() - pos - 8);
    };
    EXPECT_EQ(sample(0), "0");
    EXPECT_EQ(sample(-3), "-3");
    EXPECT_EQ(sample(0.1), "0.1");
    EXPECT_EQ(sample(1732540000.25), "1732540000.25");
    EXPECT_EQ(sample(1e20), "100000000000000000000");
    EXPECT_EQ(sample(1e21), "1e+21");
    EXPECT_EQ(sample(0.0005), "0.0005");
    EXPECT_EQ(sample(0.00005), "5e-05");
    EXPECT_EQ(sample(1.5e-7), "1.5e-07");
    EXPECT_EQ(sample(INFINITY), "+Inf");
    EXPECT_EQ(sample(-INFINITY), "-Inf");
    EXPECT_EQ(sample(std::nan("")), "NaN");
}

TEST(MetricsTest, GaugeSetAddSubAcceptIntegersAndDoubles) {
    Registry reg;
    auto& g = reg.AddGauge("app_g", "g");
    g.Set(5);
    g.Add(2.5);
    g.Sub(std::int64_t{1});
    EXPECT_DOUBLE_EQ(g.Value(), 6.5);
    EXPECT_NE(reg.RenderPrometheus().find("\napp_g 6.5\n"), std::string::npos);
}

TEST(MetricsTest, GaugeNamedCountIsExportedUntyped) {
    Registry reg;
    reg.AddGauge("app_users_count", "u").Set(2);
    EXPECT_NE(
        reg.RenderPrometheus().find("# TYPE app_users_count untyped\napp_users_count 2\n"), std::string::npos
    );
}

TEST(MetricsTest, SameDefinitionReturnsSameFamilyAndChild) {
    Registry reg;
    auto& a = reg.Counters("app_c_total", "c", {"k"});
    auto& b = reg.Counters("app_c_total", "c", {"k"});
    EXPECT_EQ(&a, &b);
    EXPECT_EQ(&a.WithLabels({"v"}), &b.WithLabels({"v"}));
    EXPECT_NE(&a.WithLabels({"v"}), &a.WithLabels({"w"}));
    EXPECT_EQ(&reg.AddCounter("app_d_total", "d"), &reg.AddCounter("app_d_total", "d"));
}

TEST(MetricsTest, CallbackCounterIsEvaluatedAtScrapeTime) {
    Registry reg;
    std::atomic<int> calls{0};
    reg.AddCallbackCounter("app_cb_total", "cb", [&calls] { return static_cast<double>(++calls); });
    EXPECT_NE(reg.RenderPrometheus().find("\napp_cb_total 1\n"), std::string::npos);
    EXPECT_NE(reg.RenderPrometheus().find("\napp_cb_total 2\n"), std::string::npos);
}

TEST(MetricsTest, ConcurrentIncrementsSumExactly) {
    Registry reg;
    auto& fam = reg.Counters("app_hits_total", "hits", {"t"});
    auto& hist = reg.AddHistogram("app_obs_seconds", "obs", {0.5});
    auto& gauge = reg.AddGauge("app_level", "level");
    constexpr int kThreads = 4;
    constexpr int kPerThread = 20000;
    std::vector<std::thread> threads;
    threads.reserve(kThreads);
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            auto& mine = fam.WithLabels({t % 2 == 0 ? "even" : "odd"});
            for (int i = 0; i < kPerThread; ++i) {
                mine.Inc();
                hist.Observe(i % 2 == 0 ? 0.25 : 1.0);
                gauge.Add(1);
                if (i % 1000 == 0)
                    (void)reg.RenderPrometheus();  // scraping concurrently is safe
            }
        });
    }
    for (auto& th : threads)
        th.join();
    EXPECT_EQ(
        fam.WithLabels({"even"}).Value() + fam.WithLabels({"odd"}).Value(), 1ULL * kThreads * kPerThread
    );
    EXPECT_EQ(fam.WithLabels({"even"}).Value(), 1ULL * kThreads / 2 * kPerThread);
    EXPECT_EQ(hist.Count(), 1ULL * kThreads * kPerThread);
    EXPECT_DOUBLE_EQ(hist.Sum(), kThreads * kPerThread * (0.25 + 1.0) / 2);  // half 0.25, half 1.0
    EXPECT_DOUBLE_EQ(gauge.Value(), kThreads * kPerThread);
    EXPECT_EQ(hist.Snapshot().cumulative[0], 1ULL * kThreads * kPerThread / 2);
}

using MetricsDeathTest = ::testing::Test;

TEST(MetricsDeathTest, RegisteringSameNameWithOtherTypeOrLabelsAborts) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_DEATH(
        {
            Registry reg;
            reg.Counters("app_e_total", "e", {"a"});
            reg.Counters("app_e_total", "e", {"b"});
        },
        "different definition"
    );
    EXPECT_DEATH(
        {
            Registry reg;
            reg.AddGauge("app_f", "f");
            reg.AddHistogram("app_f", "f", {1});
        },
        "different definition"
    );
}

TEST(MetricsDeathTest, CounterWithoutTotalSuffixAborts) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_DEATH(
        {
            Registry reg;
            reg.AddCounter("app_requests", "r");
        },
        "_total"
    );
}

TEST(MetricsDeathTest, NameClashingWithHistogramSeriesAborts) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_DEATH(
        {
            Registry reg;
            reg.AddHistogram("app_h_seconds", "h", {1});
            reg.AddGauge("app_h_seconds_sum", "s");
        },
        "clashes"
    );
}

TEST(MetricsDeathTest, UnsortedBucketsAbort) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_DEATH({ Histogram h({2, 1}); }, "strictly increasing");
}

}  // namespace
}  // namespace gw::obs
