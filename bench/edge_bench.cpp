// Micro-benchmarks for the edge module's per-request work (Google Benchmark). Target: a limiter
// decision ≤ 1 µs in-process. Built as gw_edge_bench (GW_BUILD_BENCH=ON, release preset):
//   add_executable(gw_edge_bench edge_bench.cpp)
//   target_link_libraries(gw_edge_bench PRIVATE gw_edge benchmark::benchmark)

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "edge/cidr.hpp"
#include "edge/client_address.hpp"
#include "edge/edge_admission.hpp"
#include "edge/edge_guard.hpp"
#include "edge/gcra_limiter.hpp"

namespace {

using gw::edge::GcraLimiter;
using gw::edge::RateLimitPolicy;
using Clock = std::chrono::steady_clock;

// Generous policy so the measured path is the common "allowed" one.
const RateLimitPolicy kPolicy{1e9, 1'000'000};

GcraLimiter& SharedLimiter() {
    static GcraLimiter limiter;
    return limiter;
}

std::vector<std::string> MakeKeys(std::size_t n) {
    std::vector<std::string> keys;
    keys.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        keys.push_back(
            "ip:10." + std::to_string((i >> 16) & 255) + "." + std::to_string((i >> 8) & 255) + "." +
            std::to_string(i & 255)
        );
    }
    return keys;
}

// One hot key; with ->Threads(2) both threads contend on the same shard mutex.
void BM_GcraCheckHotKey(benchmark::State& state) {
    auto& limiter = SharedLimiter();
    const auto now = Clock::now();
    for (auto _ : state) {
        benchmark::DoNotOptimize(limiter.Check("ip:203.0.113.7", kPolicy, now));
    }
    state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_GcraCheckHotKey)->Threads(1)->Threads(2);

// Many distinct keys (cache misses, map lookups across shards).
void BM_GcraCheckManyKeys(benchmark::State& state) {
    const auto keys = MakeKeys(static_cast<std::size_t>(state.range(0)));
    GcraLimiter limiter(keys.size() * 2);  // room for all: no evictions in this one
    const auto now = Clock::now();
    for (const auto& k : keys) {
        limiter.Check(k, kPolicy, now);  // warm: the measured loop updates existing keys
    }
    std::size_t i = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(limiter.Check(keys[i], kPolicy, now));
        i = (i + 1 == keys.size()) ? 0 : i + 1;
    }
    state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_GcraCheckManyKeys)->Arg(1'000)->Arg(100'000)->Arg(1'000'000);

// New keys into a full limiter: every check inserts and evicts the shard's LRU key.
void BM_GcraCheckEvicting(benchmark::State& state) {
    GcraLimiter limiter(10'000);
    const auto keys = MakeKeys(1'000'000);
    const auto now = Clock::now();
    std::size_t i = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(limiter.Check(keys[i], kPolicy, now));
        i = (i + 1 == keys.size()) ? 0 : i + 1;
    }
    state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_GcraCheckEvicting);

// The pre-auth pair (per-IP + route) checked atomically.
void BM_GcraCheckAllTwoKeys(benchmark::State& state) {
    GcraLimiter limiter;
    const auto now = Clock::now();
    const std::vector<gw::edge::LimitKey> keys{
        {"ip:203.0.113.7", &kPolicy}, {"route:/v1/chat/|ip:203.0.113.7", &kPolicy}};
    for (auto _ : state) {
        benchmark::DoNotOptimize(limiter.CheckAll(keys, now));
    }
    state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_GcraCheckAllTwoKeys);

void BM_ResolveClientAddressXff(benchmark::State& state) {
    const auto trusted = gw::edge::CidrSet::Parse({"10.0.0.0/8", "172.16.0.0/12", "fd00::/8"}).value();
    const auto peer = gw::edge::IpAddress::Parse("10.0.0.1").value();
    const std::vector<std::pair<std::string, std::string>> headers{
        {"Host", "gw"}, {"User-Agent", "bench"}, {"X-Forwarded-For", "198.51.100.4, 172.16.3.3, 10.2.2.2"}};
    for (auto _ : state) {
        benchmark::DoNotOptimize(gw::edge::ResolveClientAddress(peer, headers, trusted));
    }
    state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_ResolveClientAddressXff);

void BM_CidrSetContains(benchmark::State& state) {
    std::vector<std::string> blocks;
    for (int i = 0; i < 1000; ++i) {
        blocks.push_back(std::to_string(1 + i % 200) + "." + std::to_string(i / 200) + ".0.0/16");
    }
    const auto set = gw::edge::CidrSet::Parse(blocks).value();
    const auto ip = gw::edge::IpAddress::Parse("150.3.7.9").value();
    for (auto _ : state) {
        benchmark::DoNotOptimize(set.Contains(ip));
    }
    state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_CidrSetContains);

// The whole pre-auth verdict without geo/reputation files: resolve, deny list, per-IP limit.
void BM_EdgeGuardEvaluate(benchmark::State& state) {
    GcraLimiter limiter;
    gw::edge::EdgeOptions options;
    options.client_address.trusted_proxies = {"10.0.0.0/8"};
    options.ip_filter.deny = {"192.0.2.0/24", "2001:db8:bad::/48"};
    options.rate_limit.per_ip = kPolicy;
    auto guard = gw::edge::EdgeGuard::Create(options, limiter).value();
    gw::net::HttpRequest request;
    request.method = "POST";
    request.path = "/v1/chat/completions";
    request.remote_ip = "10.0.0.1";
    request.headers = {{"Host", "gw"}, {"X-Forwarded-For", "198.51.100.4"}};
    const auto now = Clock::now();
    for (auto _ : state) {
        benchmark::DoNotOptimize(guard->Evaluate(request, now));
    }
    state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_EdgeGuardEvaluate);

// The server hook per request: Evaluate (per-IP + route key) plus client_ip and RateLimit-* headers.
void BM_EdgeAdmissionOnRequest(benchmark::State& state) {
    gw::obs::Registry registry;
    gw::edge::EdgeOptions options;
    options.client_address.trusted_proxies = {"10.0.0.0/8"};
    options.rate_limit.per_ip = gw::edge::RateLimitPolicy{1e9, 1'000'000'000};
    options.rate_limit.routes = {{"/v1/chat/", gw::edge::RateLimitPolicy{1e9, 1'000'000'000}}};
    auto admission = gw::edge::EdgeAdmission::Create(options, registry).value();
    gw::net::HttpRequest request;
    request.method = "POST";
    request.path = "/v1/chat/completions";
    request.remote_ip = "10.0.0.1";
    request.headers = {{"Host", "gw"}, {"X-Forwarded-For", "198.51.100.4"}};
    for (auto _ : state) {
        request.client_ip = request.remote_ip;
        benchmark::DoNotOptimize(admission->OnRequest(request));
    }
    state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_EdgeAdmissionOnRequest);

}  // namespace

BENCHMARK_MAIN();
