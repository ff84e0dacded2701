#pragma once
/// @file
/// @brief Test support for the engine tests: a scriptable fake ModelClient and a fixture with the real
/// SQLite store in a temp dir, an io_context the engine runs on, and helpers to drive it.

#include <atomic>
#include <chrono>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include "domain/session_key.hpp"
#include "engine/run_engine.hpp"
#include "engine/skills.hpp"
#include "engine/tools.hpp"
#include "obs/gateway_metrics.hpp"
#include "obs/metrics.hpp"
#include "store/embedded_store.hpp"
#include "store/sqlite_idempotency_repository.hpp"
#include "store/sqlite_session_repository.hpp"
#include "store/sqlite_transcript_repository.hpp"
#include "support/temp_dir.hpp"

namespace gw::engine::testing {

namespace asio = boost::asio;
using namespace std::chrono_literals;

/// Holds a model call until Open() (or until the call is cancelled).
class Gate {
public:
    explicit Gate(asio::any_io_executor ex) : channel_(std::move(ex), 1) {}

    void Open() { channel_.try_send(boost::system::error_code{}); }

    /// True when opened, false when cancelled.
    asio::awaitable<bool> Pass() {
        auto [ec] = co_await channel_.async_receive(asio::as_tuple(asio::use_awaitable));
        co_return !ec;
    }

private:
    asio::experimental::concurrent_channel<void(boost::system::error_code)> channel_;
};

inline domain::ModelError ModelErr(domain::ModelErrorKind kind, std::string message) {
    domain::ModelError e;
    e.kind = kind;
    e.message = std::move(message);
    return e;
}

/// One scripted model answer.
struct Step {
    std::vector<std::string> deltas;            ///< streamed text pieces
    std::vector<domain::ContentBlock> content;  ///< final content (default: the joined deltas)
    std::optional<domain::ModelError> error;    ///< fail with this instead
    std::shared_ptr<Gate> gate;                 ///< wait for Open() after the deltas
    bool hang = false;                          ///< wait until cancelled (after the deltas)
    domain::StopReason stop = domain::StopReason::kStop;
    domain::TokenUsage usage{10, 5, 0, 0, 15};
};

inline Step Text(std::string text) {
    Step s;
    s.deltas = {std::move(text)};
    return s;
}

inline Step ToolCall(std::string id, std::string name, std::string args) {
    Step s;
    s.content = {domain::ToolCallBlock{std::move(id), std::move(name), std::move(args)}};
    s.stop = domain::StopReason::kToolUse;
    return s;
}

/// Answers from a script (then "ok" when the script is empty); records every request.
class FakeModel final : public domain::ModelClient {
public:
    asio::awaitable<domain::ModelResult> Complete(domain::ModelRequest request, domain::DeltaSink sink)
        override {
        Step step;
        {
            std::lock_guard lock(mutex_);
            requests_.push_back(request);
            if (!script_.empty()) {
                step = std::move(script_.front());
                script_.pop_front();
            } else if (repeat_) {
                step = *repeat_;
            } else {
                step = Text("ok");
            }
        }
        ++calls;
        std::string joined;
        for (const auto& d : step.deltas) {
            joined += d;
            if (sink) {
                domain::ModelDelta delta;
                delta.text = d;
                sink(delta);
            }
        }
        domain::ModelResult result;
        bool passed = true;
        if (step.gate) {
            passed = co_await step.gate->Pass();
        }
        if (!passed) {
            ++cancelled;
            result.error = ModelErr(domain::ModelErrorKind::kAborted, "cancelled");
            co_return result;
        }
        if (step.hang) {
            asio::steady_timer timer(
                co_await asio::this_coro::executor, std::chrono::steady_clock::time_point::max()
            );
            co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
            ++cancelled;
            result.error = ModelErr(domain::ModelErrorKind::kAborted, "cancelled");
            co_return result;
        }
        if (step.error) {
            result.error = step.error;
            result.error->model = request.model;
            co_return result;
        }
        domain::ModelResponse response;
        response.content = step.content;
        if (response.content.empty()) {
            response.content.emplace_back(domain::TextBlock{joined});
        }
        response.usage = step.usage;
        response.stop_reason = step.stop;
        response.model = request.model;
        response.response_id = "resp-" + std::to_string(calls.load());
        result.response = std::move(response);
        co_return result;
    }

    void Script(std::vector<Step> steps) {
        std::lock_guard lock(mutex_);
        for (auto& s : steps) {
            script_.push_back(std::move(s));
        }
    }

    void RepeatForever(Step step) {
        std::lock_guard lock(mutex_);
        repeat_ = std::move(step);
    }

    std::vector<domain::ModelRequest> Requests() const {
        std::lock_guard lock(mutex_);
        return requests_;
    }

    std::atomic<int> calls{0};
    std::atomic<int> cancelled{0};

private:
    mutable std::mutex mutex_;
    std::deque<Step> script_;
    std::optional<Step> repeat_;
    std::vector<domain::ModelRequest> requests_;
};

/// The texts of a request's messages ("role:text").
inline std::vector<std::string> MessageTexts(const domain::ModelRequest& request) {
    std::vector<std::string> out;
    for (const auto& m : request.messages) {
        out.push_back(std::string(domain::RoleName(m.role)) + ":" + domain::EntryText(m));
    }
    return out;
}

class EngineTest : public ::testing::Test {
protected:
    EngineTest() {
        config::StoreOptions options;
        options.data_dir = dir_.File("var");
        auto store = store::EmbeddedStore::Open(options, store::MigrateMode::kApply);
        if (!store) {
            throw std::runtime_error("store: " + store.error().message);
        }
        store_ = std::move(*store);
        auto clock = domain::SystemWallClock();
        sessions_ = std::make_unique<store::SqliteSessionRepository>(*store_, clock);
        transcripts_ = std::make_unique<store::SqliteTranscriptRepository>(*store_, clock);
        idempotency_ = std::make_unique<store::SqliteIdempotencyRepository>(*store_, clock);
        agents_.defaults.model = "fake/model-1";
        agents_.queue.collect_debounce = 200ms;
    }

    ~EngineTest() override {
        if (engine_) {
            try {
                RunVoid(engine_->Shutdown(1s));
            } catch (const std::exception& e) {
                ADD_FAILURE() << "shutdown: " << e.what();
            }
        }
    }

    void MakeEngine() {
        RunEngineDeps deps{
            ioc_, *sessions_, *transcripts_, *idempotency_, model_, tools_, registry_, &gateway_metrics_};
        auto engine = RunEngine::Create(std::move(deps), agents_);
        ASSERT_TRUE(engine) << engine.error().message;
        engine_ = std::move(*engine);
    }

    void RegisterBuiltins() {
        BuiltinToolDeps deps{*transcripts_, *sessions_, skills_};
        ASSERT_TRUE(RegisterBuiltinTools(tools_, deps));
    }

    /// Runs the io_context until `done()` or `timeout`; false on timeout.
    bool RunUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout = 10s) {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        while (!done()) {
            if (std::chrono::steady_clock::now() >= deadline) {
                return false;
            }
            if (ioc_.stopped()) {
                ioc_.restart();
            }
            ioc_.run_one_for(5ms);
        }
        return true;
    }

    template <class T>
    T Run(asio::awaitable<T> aw, std::chrono::milliseconds timeout = 10s) {
        std::optional<T> out;
        std::exception_ptr error;
        bool done = false;
        asio::co_spawn(ioc_, std::move(aw), [&](std::exception_ptr e, T value) {
            error = e;
            if (!e) {
                out.emplace(std::move(value));
            }
            done = true;
        });
        if (!RunUntil([&] { return done; }, timeout)) {
            throw std::runtime_error("the operation did not finish in time");
        }
        if (error) {
            std::rethrow_exception(error);
        }
        return std::move(*out);
    }

    void RunVoid(asio::awaitable<void> aw, std::chrono::milliseconds timeout = 40s) {
        std::exception_ptr error;
        bool done = false;
        asio::co_spawn(ioc_, std::move(aw), [&](std::exception_ptr e) {
            error = e;
            done = true;
        });
        if (!RunUntil([&] { return done; }, timeout)) {
            throw std::runtime_error("the operation did not finish in time");
        }
        if (error) {
            std::rethrow_exception(error);
        }
    }

    static SendRequest Message(std::string text, std::string key = "main") {
        SendRequest r;
        r.session_key = std::move(key);
        r.content.emplace_back(domain::TextBlock{std::move(text)});
        return r;
    }

    SubmitAck Submit(SendRequest request) {
        auto ack = Run(engine_->Submit(std::move(request)));
        if (!ack) {
            throw std::runtime_error("Submit failed: " + ack.error().message);
        }
        return *ack;
    }

    RunOutcome WaitRun(const std::string& run_id, std::chrono::milliseconds timeout = 5s) {
        auto outcome =
            Run(engine_->Wait(std::string(domain::kDefaultTenantId), run_id, timeout), timeout + 5s);
        if (!outcome) {
            throw std::runtime_error("Wait failed: " + outcome.error().message);
        }
        return *outcome;
    }

    /// Every event of a stream until it ends (or fails: the error is returned in `error`).
    std::vector<RunEvent> Drain(
        const std::shared_ptr<RunStream>& stream, std::optional<Error>* error = nullptr
    ) {
        std::vector<RunEvent> out;
        for (;;) {
            auto next = Run(stream->Next());
            if (!next) {
                if (error != nullptr) {
                    *error = next.error();
                }
                return out;
            }
            if (!*next) {
                return out;
            }
            out.push_back(std::move(**next));
        }
    }

    /// The whole transcript of a session, in seq order.
    std::vector<domain::TranscriptEntry> Transcript(std::string key = "agent:main:main") {
        auto parsed = domain::ParseSessionKey(key);
        EXPECT_TRUE(parsed);
        auto session = Run(sessions_->Get(std::string(domain::kDefaultTenantId), *parsed));
        if (!session) {
            return {};
        }
        auto page = Run(transcripts_->History(
            {std::string(domain::kDefaultTenantId),
             session->transcript_id,
             domain::kMaxHistoryLimit,
             std::nullopt}
        ));
        EXPECT_TRUE(page);
        return page ? page->entries : std::vector<domain::TranscriptEntry>{};
    }

    static std::vector<std::string> Texts(const std::vector<domain::TranscriptEntry>& entries) {
        std::vector<std::string> out;
        for (const auto& e : entries) {
            out.push_back(std::string(domain::RoleName(e.role)) + ":" + domain::EntryText(e));
        }
        return out;
    }

    std::shared_ptr<Gate> NewGate() { return std::make_shared<Gate>(ioc_.get_executor()); }

    gw::testing::TempDir dir_{"gw-engine"};
    // The io_context outlives the store, whose destructor still completes queued calls onto it.
    asio::io_context ioc_;
    asio::executor_work_guard<asio::io_context::executor_type> work_{ioc_.get_executor()};
    std::unique_ptr<store::EmbeddedStore> store_;
    std::unique_ptr<store::SqliteSessionRepository> sessions_;
    std::unique_ptr<store::SqliteTranscriptRepository> transcripts_;
    std::unique_ptr<store::SqliteIdempotencyRepository> idempotency_;
    obs::Registry registry_;
    obs::GatewayMetrics gateway_metrics_{registry_};
    FakeModel model_;
    ToolRegistry tools_;
    SkillCatalog skills_;
    config::AgentsOptions agents_;
    std::unique_ptr<RunEngine> engine_;
};

}  // namespace gw::engine::testing
