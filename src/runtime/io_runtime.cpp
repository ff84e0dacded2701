#include "runtime/io_runtime.hpp"

#include <exception>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>

#include "obs/log.hpp"

namespace gw::runtime {
namespace {

void RunLoop(boost::asio::io_context& ioc) {
    for (;;) {
        try {
            ioc.run();
            return;
        } catch (const std::exception& e) {
            obs::Log(
                obs::LogLevel::kCritical,
                "gw.runtime",
                "exception escaped a completion handler",
                {{"error", e.what()}}
            );
        } catch (...) {
            obs::Log(
                obs::LogLevel::kCritical, "gw.runtime", "unknown exception escaped a completion handler"
            );
        }
    }
}

}  // namespace

IoRuntime::IoRuntime() = default;

IoRuntime::~IoRuntime() = default;

void IoRuntime::Run(int threads) {
    if (threads <= 0) {
        const unsigned cores = std::thread::hardware_concurrency();
        threads = cores == 0 ? 1 : static_cast<int>(cores);
    }
    auto guard = boost::asio::make_work_guard(ioc_);
    std::vector<std::thread> extra;
    extra.reserve(static_cast<std::size_t>(threads - 1));
    for (int i = 1; i < threads; ++i) {
        extra.emplace_back([this] { RunLoop(ioc_); });
    }
    RunLoop(ioc_);
    for (auto& t : extra) {
        t.join();
    }
    guard.reset();
}

void IoRuntime::Stop() noexcept {
    ioc_.stop();
}

}  // namespace gw::runtime
