#include "obs/gateway_metrics.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include "obs/process_metrics.hpp"

namespace gw::obs {
namespace {

bool Contains(const std::string& text, std::string_view needle) {
    return text.find(needle) != std::string::npos;
}

TEST(GatewayMetricsTest, RendersRequiredFamiliesAtZero) {
    Registry reg;
    GatewayMetrics metrics(reg, "1.2.3");
    auto text = reg.RenderPrometheus();
    for (std::string_view name :
         {"openclaw_requests_total",
          "openclaw_request_duration_seconds",
          "openclaw_errors_total",
          "openclaw_messages_processed_total",
          "openclaw_users_active_count",
          "openclaw_channel_connections_count",
          "openclaw_sessions_active_count",
          "openclaw_connections_open",
          "openclaw_unhandled_exceptions_total",
          "openclaw_build_info"}) {
        EXPECT_TRUE(Contains(text, "# TYPE " + std::string(name) + " ")) << name;
    }
    for (std::string_view sample :
         {"\nopenclaw_messages_processed_total 0\n",
          "\nopenclaw_users_active_count 0\n",
          "\nopenclaw_channel_connections_count 0\n",
          "\nopenclaw_sessions_active_count 0\n",
          "\nopenclaw_connections_open 0\n",
          "\nopenclaw_unhandled_exceptions_total 0\n",
          "\nopenclaw_errors_total{reason=\"timeout\"} 0\n",
          "\nopenclaw_errors_total{reason=\"other\"} 0\n",
          "\nopenclaw_build_info{version=\"1.2.3\"} 1\n"}) {
        EXPECT_TRUE(Contains(text, sample)) << sample << "\n" << text;
    }
    EXPECT_FALSE(Contains(text, "openclaw_requests_total{"));  // no request yet, no series
}

TEST(GatewayMetricsTest, BuildInfoDefaultsToUnknownVersion) {
    Registry reg;
    GatewayMetrics metrics{reg};
    EXPECT_TRUE(Contains(reg.RenderPrometheus(), "\nopenclaw_build_info{version=\"unknown\"} 1\n"));
}

TEST(GatewayMetricsTest, CountsRequestsByMethodAndStatus) {
    Registry reg;
    GatewayMetrics metrics(reg, "t");
    metrics.RecordRequest("GET", 200, 0.01);
    metrics.RecordRequest("GET", 200, 0.02);
    metrics.RecordRequest("POST", 404, 0.3);
    auto text = reg.RenderPrometheus();
    EXPECT_TRUE(Contains(text, "\nopenclaw_requests_total{method=\"GET\",status=\"200\"} 2\n")) << text;
    EXPECT_TRUE(Contains(text, "\nopenclaw_requests_total{method=\"POST\",status=\"404\"} 1\n")) << text;
    EXPECT_TRUE(Contains(text, "\nopenclaw_request_duration_seconds_bucket{method=\"GET\",le=\"0.01\"} 1\n"));
    EXPECT_TRUE(Contains(text, "\nopenclaw_request_duration_seconds_bucket{method=\"GET\",le=\"0.025\"} 2\n")
    );
    EXPECT_TRUE(Contains(text, "\nopenclaw_request_duration_seconds_count{method=\"POST\"} 1\n"));
    EXPECT_TRUE(Contains(text, "\nopenclaw_request_duration_seconds_bucket{method=\"POST\",le=\"+Inf\"} 1\n")
    );
    EXPECT_FALSE(Contains(text, "method=\"PUT\""));  // untouched methods export nothing
}

TEST(GatewayMetricsTest, UnknownMethodAndOutOfRangeStatusGoToOther) {
    Registry reg;
    GatewayMetrics metrics(reg, "t");
    metrics.RecordRequest("BREW", 999, 0.1);
    metrics.RecordRequest("get", 42, 0.1);  // methods are case-sensitive
    metrics.RecordRequest("", 99, 0.1);
    metrics.RecordRequest("DELETE", 600, 0.1);
    metrics.RecordRequest("OPTIONS", 100, 0.1);
    metrics.RecordRequest("PATCH", 599, 0.1);
    auto text = reg.RenderPrometheus();
    EXPECT_TRUE(Contains(text, "{method=\"other\",status=\"other\"} 3\n")) << text;
    EXPECT_TRUE(Contains(text, "{method=\"DELETE\",status=\"other\"} 1\n")) << text;
    EXPECT_TRUE(Contains(text, "{method=\"OPTIONS\",status=\"100\"} 1\n")) << text;
    EXPECT_TRUE(Contains(text, "{method=\"PATCH\",status=\"599\"} 1\n")) << text;
    EXPECT_TRUE(Contains(text, "openclaw_request_duration_seconds_count{method=\"other\"} 3\n")) << text;
}

TEST(GatewayMetricsTest, NormalisesMethodsToTheFixedSet) {
    for (std::size_t i = 0; i < kRequestMethods.size(); ++i) {
        EXPECT_EQ(GatewayMetrics::MethodIndex(kRequestMethods[i]), i);
    }
    EXPECT_EQ(kRequestMethods[GatewayMetrics::MethodIndex("CONNECT")], "other");
    EXPECT_EQ(kRequestMethods[GatewayMetrics::MethodIndex("GETX")], "other");
}

TEST(GatewayMetricsTest, ErrorsCountByReasonAndUnknownReasonsAsOther) {
    Registry reg;
    GatewayMetrics metrics(reg, "t");
    metrics.RecordError("timeout");
    metrics.RecordError("timeout");
    metrics.RecordError("made_up_reason");
    metrics.RecordError(ErrorCode::kPermissionDenied);
    metrics.RecordError(ErrorCode::kDeadlineExceeded);
    auto text = reg.RenderPrometheus();
    EXPECT_TRUE(Contains(text, "openclaw_errors_total{reason=\"timeout\"} 3\n")) << text;
    EXPECT_TRUE(Contains(text, "openclaw_errors_total{reason=\"other\"} 1\n")) << text;
    EXPECT_TRUE(Contains(text, "openclaw_errors_total{reason=\"forbidden\"} 1\n")) << text;
    EXPECT_TRUE(Contains(text, "openclaw_errors_total{reason=\"bad_request\"} 0\n")) << text;
    EXPECT_FALSE(Contains(text, "made_up_reason"));
}

TEST(GatewayMetricsTest, EveryErrorCodeMapsToAnAllowedReason) {
    for (auto code :
         {ErrorCode::kInvalidArgument,
          ErrorCode::kUnauthenticated,
          ErrorCode::kPermissionDenied,
          ErrorCode::kNotFound,
          ErrorCode::kConflict,
          ErrorCode::kRateLimited,
          ErrorCode::kUnavailable,
          ErrorCode::kDeadlineExceeded,
          ErrorCode::kUpstreamError,
          ErrorCode::kInternal}) {
        auto reason = GatewayMetrics::ErrorReasonFor(code);
        EXPECT_NE(kErrorReasons[GatewayMetrics::ErrorReasonIndex(reason)], "other") << reason;
    }
}

TEST(GatewayMetricsTest, GaugesAndCountersTrackCalls) {
    Registry reg;
    GatewayMetrics metrics(reg, "t");
    metrics.ConnectionOpened();
    metrics.ConnectionOpened();
    metrics.ConnectionClosed();
    metrics.MessageProcessed();
    metrics.MessageProcessed(4);
    metrics.UnhandledException();
    metrics.SetUsersActive(7);
    metrics.SetChannelConnections(3);
    metrics.SetSessionsActive(11);
    auto text = reg.RenderPrometheus();
    EXPECT_TRUE(Contains(text, "\nopenclaw_connections_open 1\n")) << text;
    EXPECT_TRUE(Contains(text, "\nopenclaw_messages_processed_total 5\n")) << text;
    EXPECT_TRUE(Contains(text, "\nopenclaw_unhandled_exceptions_total 1\n")) << text;
    EXPECT_TRUE(Contains(text, "\nopenclaw_users_active_count 7\n")) << text;
    EXPECT_TRUE(Contains(text, "\nopenclaw_channel_connections_count 3\n")) << text;
    EXPECT_TRUE(Contains(text, "\nopenclaw_sessions_active_count 11\n")) << text;
}

TEST(GatewayMetricsTest, ConcurrentRequestsSumExactly) {
    Registry reg;
    GatewayMetrics metrics(reg, "t");
    constexpr int kThreads = 4;
    constexpr int kPerThread = 10000;
    std::vector<std::thread> threads;
    threads.reserve(kThreads);
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < kPerThread; ++i)
                metrics.RecordRequest("GET", 200, 0.001);
        });
    }
    for (auto& th : threads)
        th.join();
    auto expected = std::to_string(kThreads * kPerThread);
    auto text = reg.RenderPrometheus();
    EXPECT_TRUE(Contains(text, "{method=\"GET\",status=\"200\"} " + expected + "\n")) << text;
    EXPECT_TRUE(Contains(text, "_count{method=\"GET\"} " + expected + "\n")) << text;
}

TEST(GatewayMetricsTest, ScrapeAfterGatewayMetricsIsDestroyedIsSafe) {
    Registry reg;
    {
        GatewayMetrics metrics(reg, "t");
        metrics.RecordRequest("PUT", 201, 0.5);
    }
    EXPECT_TRUE(Contains(reg.RenderPrometheus(), "{method=\"PUT\",status=\"201\"} 1\n"));
}

/// Runs `promtool check metrics` on `text`; returns its exit status and output.
std::pair<int, std::string> RunPromtool(const std::string& text) {
    auto path =
        std::filesystem::temp_directory_path() / ("gw_obs_metrics_" + std::to_string(getpid()) + ".prom");
    {
        std::ofstream out(path, std::ios::binary);
        out << text;
    }
    std::string cmd = "/usr/bin/promtool check metrics < '" + path.string() + "' 2>&1";
    std::string output;
    FILE* pipe = popen(cmd.c_str(), "r");
    if (pipe == nullptr)
        return {-1, "popen failed"};
    char buf[512];
    while (std::size_t n = std::fread(buf, 1, sizeof(buf), pipe))
        output.append(buf, n);
    int status = pclose(pipe);
    std::filesystem::remove(path);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

TEST(PromtoolTest, PopulatedRegistryPassesPromtoolCheckMetrics) {
    if (!std::filesystem::exists("/usr/bin/promtool"))
        GTEST_SKIP() << "/usr/bin/promtool not installed";
    Registry reg;
    GatewayMetrics metrics(reg, "0.1.0-dev \"quoted\"");
    RegisterProcessMetrics(reg);
    auto& hist = reg.Histograms(
        "openclaw_llm_time_to_first_token_seconds", "TTFT.", {"provider"}, DefaultLatencyBuckets()
    );
    hist.WithLabels({"openai"}).Observe(0.4);
    hist.WithLabels({"we\"ird\\prov\nider \xFF"}).Observe(12);
    reg.Counters("openclaw_unused_total", "A labelled family without children.", {"kind"});
    metrics.RecordRequest("GET", 200, 0.002);
    metrics.RecordRequest("BREW", 1000, 42);
    metrics.RecordError("timeout");
    metrics.ConnectionOpened();
    metrics.MessageProcessed();
    metrics.SetUsersActive(2);
    auto text = reg.RenderPrometheus();
    auto [status, output] = RunPromtool(text);
    EXPECT_EQ(status, 0) << "promtool said:\n" << output << "\ninput:\n" << text;
}

TEST(PromtoolTest, PromtoolRejectsALintProblem) {
    // Guards the test above against a promtool invocation that always succeeds.
    if (!std::filesystem::exists("/usr/bin/promtool"))
        GTEST_SKIP() << "/usr/bin/promtool not installed";
    auto [status, output] = RunPromtool("# HELP bad_count x\n# TYPE bad_count gauge\nbad_count 1\n");
    EXPECT_NE(status, 0) << output;
}

}  // namespace
}  // namespace gw::obs
