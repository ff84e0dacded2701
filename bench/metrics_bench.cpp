// Micro-benchmarks for the obs metrics hot paths (Google Benchmark).
// Built by bench/CMakeLists.txt as gw_metrics_bench (GW_BUILD_BENCH=ON, release preset).

#include <cstdint>
#include <string>

#include <benchmark/benchmark.h>

#include "obs/gateway_metrics.hpp"
#include "obs/metrics.hpp"
#include "obs/process_metrics.hpp"

namespace {

using gw::obs::GatewayMetrics;
using gw::obs::Registry;

// One registry shared by all threads of a multi-threaded run (static so that ->Threads(n) contends).
Registry& SharedRegistry() {
    static Registry registry;
    return registry;
}

GatewayMetrics& SharedGatewayMetrics() {
    static GatewayMetrics metrics(SharedRegistry(), "bench");
    return metrics;
}

void BM_CounterInc(benchmark::State& state) {
    static auto& counter = SharedRegistry().AddCounter("bench_counter_total", "c");
    for (auto _ : state) {
        counter.Inc();
    }
    state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_CounterInc)->Threads(1)->Threads(2);

void BM_GaugeAdd(benchmark::State& state) {
    static auto& gauge = SharedRegistry().AddGauge("bench_gauge", "g");
    for (auto _ : state) {
        gauge.Add(1);
    }
    state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_GaugeAdd)->Threads(1)->Threads(2);

void BM_HistogramObserve(benchmark::State& state) {
    static auto& hist =
        SharedRegistry().AddHistogram("bench_latency_seconds", "h", gw::obs::DefaultLatencyBuckets());
    double v = 0.0001;
    for (auto _ : state) {
        hist.Observe(v);
        v = v < 20 ? v * 1.7 : 0.0001;  // walk across all buckets
    }
    state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_HistogramObserve)->Threads(1)->Threads(2);

void BM_WithLabelsHit(benchmark::State& state) {
    static auto& family = SharedRegistry().Counters("bench_labelled_total", "l", {"route", "code"});
    std::string route = "/v1/chat/completions";
    for (auto _ : state) {
        family.WithLabels({route, "200"}).Inc();
    }
    state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_WithLabelsHit)->Threads(1)->Threads(2);

void BM_RecordRequest(benchmark::State& state) {
    auto& metrics = SharedGatewayMetrics();
    static constexpr const char* kMethods[] = {"GET", "POST", "OPTIONS", "BREW"};
    std::uint64_t i = 0;
    for (auto _ : state) {
        metrics.RecordRequest(kMethods[i % 4], 200 + static_cast<int>(i % 3), 0.003);
        ++i;
    }
    state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_RecordRequest)->Threads(1)->Threads(2);

void BM_RenderPrometheus(benchmark::State& state) {
    Registry registry;
    GatewayMetrics metrics(registry, "bench");
    gw::obs::RegisterProcessMetrics(registry);
    for (int s = 200; s < 210; ++s) {
        metrics.RecordRequest("GET", s, 0.01);
        metrics.RecordRequest("POST", s, 0.2);
    }
    std::size_t bytes = 0;
    for (auto _ : state) {
        auto text = registry.RenderPrometheus();
        bytes = text.size();
        benchmark::DoNotOptimize(text);
    }
    state.counters["bytes"] = static_cast<double>(bytes);
}

BENCHMARK(BM_RenderPrometheus);

}  // namespace

BENCHMARK_MAIN();
