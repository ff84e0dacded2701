// EngineImpl: publishing, lanes, Wait/Abort/AbortSession, subscriptions, Shutdown.
#include <algorithm>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "domain/session_key.hpp"
#include "engine/internal/engine_impl.hpp"
#include "obs/gateway_metrics.hpp"

namespace gw::engine::internal {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;

namespace {

constexpr std::chrono::seconds kAbortWait{30};

/// Pushes to every live subscriber, dropping dead ones; collects the ones to ring.
void Deliver(
    std::vector<std::weak_ptr<EventStream>>& subs,
    const RunEvent& event,
    std::vector<std::shared_ptr<EventStream>>& ring
) {
    std::erase_if(subs, [&](const std::weak_ptr<EventStream>& weak) {
        auto s = weak.lock();
        if (!s) {
            return true;
        }
        bool keep = s->Push(event);
        ring.push_back(std::move(s));
        return !keep;
    });
}

}  // namespace

EngineImpl::RunPtr EngineImpl::FindRun(const std::string& tenant, const std::string& run_id) const {
    std::lock_guard lock(mutex_);
    auto it = runs_.find(MapKey(tenant, run_id));
    return it == runs_.end() ? nullptr : it->second;
}

void EngineImpl::RequestStop(const RunPtr& run, std::string reason) {
    asio::post(run->strand, [run, reason = std::move(reason)] {
        if (run->stop_requested) {
            return;
        }
        run->stop_requested = true;
        run->stop_reason = reason;
        run->stop_timer.expires_at(SteadyTime{});  // in the past: wakes waiters now and later
    });
}

void EngineImpl::GiveTurn(const RunPtr& run) {
    asio::post(run->strand, [run] {
        run->has_turn = true;
        run->turn_timer.expires_at(SteadyTime{});
    });
}

void EngineImpl::Publish(const RunPtr& run, RunEvent event) {
    std::vector<std::shared_ptr<EventStream>> ring;
    {
        std::lock_guard lock(run->pub_mutex);
        if (run->ended) {
            return;
        }
        event.run_id = run->run_id;
        event.session_key = run->session_key;
        event.tenant_id = run->tenant_id;
        event.seq = ++run->seq;
        event.at_ms = NowMs();
        Deliver(run->subscribers, event, ring);
        if (event.Terminal()) {
            run->ended = true;
        }
        std::lock_guard subs(subs_mutex_);
        if (auto it = session_subs_.find(MapKey(run->tenant_id, run->session_key));
            it != session_subs_.end()) {
            Deliver(it->second, event, ring);
        }
        if (auto it = tenant_subs_.find(run->tenant_id); it != tenant_subs_.end()) {
            Deliver(it->second, event, ring);
        }
    }
    for (auto& s : ring) {
        s->Ring();
    }
}

std::shared_ptr<EventStream> EngineImpl::AttachRunStream(const RunPtr& run) {
    auto stream = std::make_shared<EventStream>(ioc_.get_executor(), true);
    std::lock_guard lock(run->pub_mutex);
    run->subscribers.push_back(stream);
    return stream;
}

void EngineImpl::RemoveFromLaneLocked(const RunPtr& run) {
    Lane& lane = *run->lane;
    if (lane.collect == run) {
        lane.collect.reset();
    }
    if (lane.active == run) {
        lane.active.reset();
        if (!lane.queued.empty()) {
            lane.active = lane.queued.front();
            lane.queued.pop_front();
            GiveTurn(lane.active);
        }
        return;
    }
    std::erase(lane.queued, run);
}

void EngineImpl::ReleaseLaneLocked(const LanePtr& lane) {
    if (lane->active || !lane->queued.empty() || lane->pending_submits > 0) {
        return;
    }
    auto it = lanes_.find(MapKey(lane->tenant_id, lane->session_key));
    if (it != lanes_.end() && it->second == lane) {
        lanes_.erase(it);
    }
}

void EngineImpl::UpdateSessionsActiveLocked() {
    if (gateway_metrics_ == nullptr) {
        return;
    }
    std::int64_t n = 0;
    for (const auto& [key, lane] : lanes_) {
        if (lane->active || !lane->queued.empty()) {
            ++n;
        }
    }
    gateway_metrics_->SetSessionsActive(n);
}

void EngineImpl::RecordEndedLocked(const RunPtr& run) {
    run->phase = RunPhase::kEnded;  // live_runs_ drops when the run coroutine returns (RunMain)
    ended_.push_back(MapKey(run->tenant_id, run->run_id));
    while (ended_.size() > kEndedRunsKept) {
        auto it = runs_.find(ended_.front());
        if (it != runs_.end() && it->second->phase == RunPhase::kEnded) {
            runs_.erase(it);
        }
        ended_.pop_front();
    }
}

asio::awaitable<Result<RunOutcome>> EngineImpl::OutcomeFromStore(std::string tenant_id, std::string run_id) {
    auto run = co_await transcripts_.GetRun(tenant_id, run_id);
    if (!run) {
        co_return run.error();
    }
    if (run->status == domain::RunStatus::kRunning) {
        co_return MakeError(
            ErrorCode::kDeadlineExceeded, "run " + run_id + " is running but not owned by this engine"
        );
    }
    RunOutcome outcome;
    outcome.run = *run;
    domain::HistoryQuery query{tenant_id, run->transcript_id, domain::kMaxHistoryLimit, std::nullopt};
    auto page = co_await transcripts_.History(std::move(query));
    if (page) {
        for (auto& e : page->entries) {
            if (e.run_id == run_id &&
                (e.role == domain::Role::kAssistant || e.role == domain::Role::kToolResult)) {
                if (e.usage) {
                    outcome.usage += *e.usage;
                }
                outcome.entries.push_back(std::move(e));
            }
        }
    }
    co_return outcome;
}

asio::awaitable<Result<RunOutcome>> EngineImpl::Wait(
    std::string tenant_id, std::string run_id, std::chrono::milliseconds timeout
) {
    RunPtr run = FindRun(tenant_id, run_id);
    if (!run) {
        co_return co_await OutcomeFromStore(std::move(tenant_id), std::move(run_id));
    }
    auto stream = std::make_shared<EventStream>(ioc_.get_executor(), true, 16, true);
    {
        std::lock_guard lock(run->pub_mutex);
        if (run->ended && run->outcome) {
            co_return *run->outcome;
        }
        run->subscribers.push_back(stream);
    }
    asio::steady_timer timer(co_await asio::this_coro::executor, timeout);
    for (;;) {
        auto next = stream->Next();
        auto waited = timer.async_wait(asio::as_tuple(asio::use_awaitable));
        auto got = co_await (std::move(next) || std::move(waited));
        if (got.index() == 1) {
            stream->Close();
            co_return MakeError(ErrorCode::kDeadlineExceeded, "run " + run_id + " still running");
        }
        auto& event = std::get<0>(got);
        if (event && *event && !(*event)->Terminal()) {
            continue;
        }
        std::lock_guard lock(run->pub_mutex);
        if (run->ended && run->outcome) {
            co_return *run->outcome;
        }
        co_return MakeError(ErrorCode::kUnavailable, "run " + run_id + " was not started");
    }
}

asio::awaitable<Result<domain::Run>> EngineImpl::Abort(
    std::string tenant_id, std::string run_id, std::string reason
) {
    if (reason.empty()) {
        reason = "aborted";
    }
    RunPtr run = FindRun(tenant_id, run_id);
    if (!run) {
        auto stored = co_await transcripts_.GetRun(tenant_id, run_id);
        if (!stored || stored->status != domain::RunStatus::kRunning) {
            co_return stored;
        }
        // Running in the store but unknown here (left by an earlier process): end it.
        domain::RunFinish finish{
            tenant_id, run_id, domain::RunStatus::kAborted, domain::StopReason::kAborted, reason, {}};
        auto finished = co_await transcripts_.FinishRun(std::move(finish));
        if (finished || finished.error().code != ErrorCode::kConflict) {
            co_return finished;
        }
        co_return co_await transcripts_.GetRun(tenant_id, run_id);
    }
    {
        std::lock_guard lock(run->pub_mutex);
        if (run->ended && run->outcome) {
            co_return run->outcome->run;
        }
    }
    RequestStop(run, std::move(reason));
    auto outcome = co_await Wait(tenant_id, run_id, kAbortWait);
    if (!outcome) {
        co_return outcome.error();
    }
    co_return outcome->run;
}

asio::awaitable<Result<int>> EngineImpl::AbortSession(std::string tenant_id, std::string session_key) {
    auto key = domain::ResolveSessionKey(session_key, default_agent_);
    if (!key) {
        co_return key.error();
    }
    std::vector<RunPtr> targets;
    {
        std::lock_guard lock(mutex_);
        auto it = lanes_.find(MapKey(tenant_id, key->ToString()));
        if (it != lanes_.end()) {
            if (it->second->active) {
                targets.push_back(it->second->active);
            }
            targets.insert(targets.end(), it->second->queued.begin(), it->second->queued.end());
        }
    }
    for (const auto& run : targets) {
        RequestStop(run, "session aborted");
    }
    for (const auto& run : targets) {
        (void)co_await Wait(tenant_id, run->run_id, kAbortWait);
    }
    co_return static_cast<int>(targets.size());
}

std::shared_ptr<RunStream> EngineImpl::SubscribeSession(std::string tenant_id, std::string session_key) {
    auto key = domain::ResolveSessionKey(session_key, default_agent_);
    std::string canonical = key ? key->ToString() : session_key;
    auto stream = std::make_shared<EventStream>(ioc_.get_executor(), false);
    bool stopping = false;
    {
        std::lock_guard state(mutex_);  // lock order: mutex_, then a run's pub_mutex, then subs_mutex_
        stopping = stopping_;
    }
    std::lock_guard lock(subs_mutex_);
    if (stopping) {
        stream->Close();
        return stream;
    }
    auto& subs = session_subs_[MapKey(tenant_id, canonical)];
    std::erase_if(subs, [](const auto& w) { return w.expired(); });
    subs.push_back(stream);
    return stream;
}

std::shared_ptr<RunStream> EngineImpl::SubscribeAll(std::string tenant_id) {
    auto stream = std::make_shared<EventStream>(ioc_.get_executor(), false);
    std::lock_guard lock(subs_mutex_);
    auto& subs = tenant_subs_[tenant_id];
    std::erase_if(subs, [](const auto& w) { return w.expired(); });
    subs.push_back(stream);
    return stream;
}

asio::awaitable<void> EngineImpl::WaitForNoLiveRuns(std::chrono::milliseconds limit) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
        {
            std::lock_guard lock(mutex_);
            if (live_runs_ == 0) {
                co_return;
            }
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            co_return;
        }
        timer.expires_after(std::chrono::milliseconds(10));
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
}

asio::awaitable<void> EngineImpl::Shutdown(std::chrono::milliseconds grace) {
    auto stop_where = [this](bool queued_only) {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        for (const auto& [key, run] : runs_) {
            if (run->phase == RunPhase::kQueued || (!queued_only && run->phase == RunPhase::kRunning)) {
                RequestStop(run, "gateway shutting down");
            }
        }
    };
    stop_where(true);
    co_await WaitForNoLiveRuns(grace);
    stop_where(false);
    co_await WaitForNoLiveRuns(std::chrono::duration_cast<std::chrono::milliseconds>(kAbortWait));
    std::vector<std::shared_ptr<EventStream>> streams;
    {
        std::lock_guard lock(subs_mutex_);
        for (auto* map : {&session_subs_, &tenant_subs_}) {
            for (auto& [key, subs] : *map) {
                for (auto& w : subs) {
                    if (auto s = w.lock()) {
                        streams.push_back(std::move(s));
                    }
                }
            }
            map->clear();
        }
    }
    for (auto& s : streams) {
        s->Finish();
    }
}

}  // namespace gw::engine::internal
