#pragma once
/// @file
/// @brief Test-only: a ProviderRouter on a private io_context (run by the test thread) with fast retry
/// settings, and a `Run` that performs one Complete call, optionally cancelling it after the first delta.

#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <gtest/gtest.h>

#include "obs/metrics.hpp"
#include "providers/provider_router.hpp"

namespace gw::providers::testing {

inline constexpr const char* kTestApiKey = "sk-test-SECRET-0123456789";

/// Fast settings: 2 retries, 5 ms base backoff, 2 s idle timeout, 10 s request timeout.
inline config::ProviderOptions FastProvider(std::string api, std::string base_url) {
    config::ProviderOptions p;
    p.api = std::move(api);
    p.base_url = std::move(base_url);
    p.api_key.value = kTestApiKey;
    p.api_key.source = "inline";
    p.max_retries = 2;
    p.retry_base_delay = std::chrono::milliseconds(5);
    p.retry_max_delay = std::chrono::milliseconds(2000);
    p.idle_timeout = std::chrono::milliseconds(2000);
    p.request_timeout = std::chrono::milliseconds(10'000);
    p.connect_timeout = std::chrono::milliseconds(2000);
    return p;
}

inline domain::ModelRequest UserRequest(std::string provider, std::string model, std::string text = "hello") {
    domain::ModelRequest r;
    r.model = {std::move(provider), std::move(model)};
    domain::TranscriptEntry e;
    e.role = domain::Role::kUser;
    e.content.emplace_back(domain::TextBlock{std::move(text)});
    r.messages.push_back(std::move(e));
    return r;
}

struct CallResult {
    domain::ModelResult result;
    std::vector<domain::ModelDelta> deltas;
    std::chrono::steady_clock::duration took{};

    std::string Text() const {
        std::string out;
        for (const auto& d : deltas) {
            if (d.kind == domain::ModelDelta::Kind::kText) {
                out += d.text;
            }
        }
        return out;
    }
};

class RouterHarness {
public:
    config::ModelsOptions models;
    obs::Registry registry;

    void Add(const std::string& id, config::ProviderOptions p) {
        p.id = id;
        models.providers[id] = std::move(p);
    }

    void Build() {
        auto r = ProviderRouter::Create(ioc_, models, registry);
        ASSERT_TRUE(r) << r.error().message;
        router_ = std::move(*r);
    }

    ProviderRouter& Router() { return *router_; }

    /// Runs one Complete call to its end (20 s limit). With `cancel_after_deltas` > 0 the call is
    /// cancelled (terminal) once that many deltas arrived.
    CallResult Run(domain::ModelRequest request, int cancel_after_deltas = 0) {
        CallResult out;
        bool done = false;
        std::exception_ptr error;
        boost::asio::cancellation_signal signal;
        auto sink = [&](const domain::ModelDelta& d) {
            out.deltas.push_back(d);
            if (cancel_after_deltas > 0 && static_cast<int>(out.deltas.size()) == cancel_after_deltas) {
                boost::asio::post(ioc_, [&signal] { signal.emit(boost::asio::cancellation_type::terminal); });
            }
        };
        auto on_done = [&](std::exception_ptr e, domain::ModelResult r) {
            error = e;
            out.result = std::move(r);
            done = true;
        };
        const auto started = std::chrono::steady_clock::now();
        ioc_.restart();
        boost::asio::co_spawn(
            ioc_,
            router_->Complete(std::move(request), sink),
            boost::asio::bind_cancellation_slot(signal.slot(), on_done)
        );
        const auto until = started + std::chrono::seconds(20);
        while (!done && std::chrono::steady_clock::now() < until) {
            ioc_.run_one_for(std::chrono::milliseconds(50));
        }
        out.took = std::chrono::steady_clock::now() - started;
        EXPECT_TRUE(done) << "Complete did not finish";
        if (error) {
            std::rethrow_exception(error);
        }
        return out;
    }

    std::string Metrics() const { return registry.RenderPrometheus(); }

private:
    boost::asio::io_context ioc_;  // declared before router_: the router (and its clients) go first
    std::unique_ptr<ProviderRouter> router_;
};

}  // namespace gw::providers::testing
