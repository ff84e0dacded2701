// EngineImpl: Submit — agent and session resolution, idempotency, queue-mode planning, the commit.
#include <algorithm>
#include <utility>

#include <boost/asio/strand.hpp>

#include "base/ids.hpp"
#include "domain/session_key.hpp"
#include "engine/internal/engine_impl.hpp"
#include "obs/gateway_metrics.hpp"

namespace gw::engine::internal {

namespace asio = boost::asio;

namespace {

std::string_view AckStatusName(SubmitAck::Status s) {
    switch (s) {
        case SubmitAck::Status::kStarted:
            return "started";
        case SubmitAck::Status::kQueued:
            return "queued";
        case SubmitAck::Status::kSteered:
            return "steered";
        case SubmitAck::Status::kCommitted:
            return "committed";
        case SubmitAck::Status::kDuplicate:
            return "duplicate";
    }
    return "started";
}

}  // namespace

asio::awaitable<Result<void>> EngineImpl::ChainEntries(
    const LanePtr& lane,
    const std::string& tenant,
    const std::string& transcript_id,
    std::vector<domain::TranscriptEntry>& entries
) {
    std::optional<std::string> parent;
    if (auto it = lane->last_entry.find(transcript_id); it != lane->last_entry.end()) {
        parent = it->second;
    } else {
        domain::HistoryQuery query{tenant, transcript_id, 1, std::nullopt};
        auto page = co_await transcripts_.History(std::move(query));
        if (!page) {
            co_return page.error();
        }
        if (!page->entries.empty()) {
            parent = page->entries.back().id;
        }
    }
    for (auto& e : entries) {
        e.parent_id = parent;
        parent = e.id;
    }
    co_return Ok();
}

asio::awaitable<Result<std::vector<domain::TranscriptEntry>>> EngineImpl::CommitSubmit(
    const Plan& plan,
    const LanePtr& lane,
    const domain::Session& session,
    std::vector<domain::TranscriptEntry> entries,
    std::optional<domain::Run>* duplicate,
    bool* spawned_early
) {
    const bool locked = co_await lane->commit_mutex.Acquire();
    if (!locked) {
        co_return MakeError(ErrorCode::kUnavailable, "commit cancelled");
    }
    PermitGuard guard(lane->commit_mutex);
    const std::string transcript_id =
        plan.run && plan.kind != PlanKind::kNewRun ? plan.run->session.transcript_id : session.transcript_id;
    for (auto& e : entries) {
        e.transcript_id = transcript_id;
        if (plan.run) {
            e.run_id = plan.run->run_id;
        }
    }
    auto chained = co_await ChainEntries(lane, session.tenant_id, transcript_id, entries);
    if (!chained) {
        co_return chained.error();
    }
    const std::string last_id = entries.back().id;
    Result<std::vector<domain::TranscriptEntry>> stored = entries;
    if (plan.kind == PlanKind::kNewRun) {
        domain::RunStart start;
        start.run.id = plan.run->run_id;
        start.run.tenant_id = session.tenant_id;
        start.run.session_id = session.id;
        start.run.transcript_id = transcript_id;
        start.run.user_id = plan.run->user_id;
        if (!plan.run->idempotency_keys.empty()) {
            start.run.idempotency_key = plan.run->idempotency_keys.front();
        }
        std::optional<std::vector<domain::TranscriptEntry>> whole;
        if (!entries.front().parent_id) {  // the transcript was empty: it will hold exactly these
            whole = entries;
            std::int64_t seq = 0;
            for (auto& e : *whole) {
                e.seq = ++seq;
            }
        }
        start.entries = std::move(entries);
        // A new session's first run (no idempotency key, the session's turn, no debounce) starts its model
        // call while StartRun's commit (and its fsync) is in flight: its prompt is exactly `whole`, nothing
        // else can write the session while we hold commit_mutex, and everything the caller sees waits
        // for the commit (Submit returns after it; the run's FinishRun and terminal event queue behind
        // commit_mutex). If the commit fails, the run is stopped and ends without writing.
        const bool early = whole && plan.kind == PlanKind::kNewRun && plan.run->idempotency_keys.empty() &&
                           plan.status == SubmitAck::Status::kStarted && plan.run->has_turn &&
                           !plan.run->not_before;
        if (early) {
            plan.run->early = true;
            plan.run->known_transcript = whole;
            Spawn(plan.run);
            *spawned_early = true;
        }
        auto started = co_await transcripts_.StartRun(std::move(start));
        ++lane->writes;
        if (early && (!started || !started->started)) {
            plan.run->commit_failed = true;  // under commit_mutex: EndRun reads it after we release it
            RequestStop(plan.run, "message not committed");
        }
        if (!started) {
            stored = started.error();
        } else if (!started->started) {
            *duplicate = started->run;
            co_return std::vector<domain::TranscriptEntry>{};
        } else if (whole && !early) {
            plan.run->known_transcript = std::move(whole);
            plan.run->known_at_writes = lane->writes;
        }
    } else {
        stored = co_await transcripts_.Append(std::move(entries));
        ++lane->writes;
        if (stored && plan.run) {
            ++plan.run->steered_total;
        }
    }
    if (stored) {
        lane->last_entry[transcript_id] = last_id;
    } else {
        lane->last_entry.erase(transcript_id);
    }
    co_return stored;
}

asio::awaitable<Result<SubmitAck>> EngineImpl::Duplicate(
    const domain::IdempotencyRecord& record, const Target& target, const domain::Session& session
) {
    StoredAck stored = ParseStoredAck(record.result ? *record.result : record.ack);
    if (!stored.session_key.empty() && stored.session_key != target.key) {
        co_return MakeError(ErrorCode::kConflict, "idempotency key reused for a different session");
    }
    SubmitAck ack;
    ack.status = SubmitAck::Status::kDuplicate;
    ack.run_id = stored.run_id;
    ack.session_id = session.id;
    ack.session_key = target.key;
    ack.agent_id = target.agent->options.id;
    ack.transcript_id = session.transcript_id;
    co_return ack;
}

asio::awaitable<Result<SubmitAck>> EngineImpl::Submit(SendRequest request) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_) {
            co_return MakeError(ErrorCode::kUnavailable, "run engine is stopping");
        }
    }
    if (request.content.empty()) {
        co_return MakeError(ErrorCode::kInvalidArgument, "empty message");
    }
    auto target = ResolveTarget(request);
    if (!target) {
        co_return target.error();
    }
    if (!request.no_run) {
        if (request.model_override) {
            if (auto m = domain::ParseModelRef(*request.model_override); !m) {
                co_return MakeError(ErrorCode::kInvalidArgument, "model override: " + m.error().message);
            }
        } else if (!target->agent->model) {
            co_return MakeError(
                ErrorCode::kInvalidArgument,
                "no model configured for agent " + target->agent->options.id +
                    ": set agents.defaults.model and models.providers"
            );
        }
    }
    const QueueMode mode = request.queue_mode.value_or(default_mode_);
    auto session = co_await sessions_.GetOrCreate(request.tenant_id, *target->parsed, request.user_id);
    if (!session) {
        co_return session.error();
    }
    std::vector<domain::TranscriptEntry> entries;
    auto add_entry = [&](domain::TranscriptEntry e) -> Result<void> {
        if (e.id.empty()) {
            e.id = NewTimeOrderedUuid();
        }
        e.transcript_id = session->transcript_id;
        e.session_id = session->id;
        e.tenant_id = session->tenant_id;
        e.user_id = session->user_id;
        e.run_id.reset();
        e.seq = 0;
        e.parent_id.reset();
        if (auto ok = domain::ValidateEntry(e); !ok) {
            return ok.error();
        }
        entries.push_back(std::move(e));
        return Ok();
    };
    for (auto& h : request.history) {
        h.idempotency_key.reset();
        if (auto ok = add_entry(std::move(h)); !ok) {
            co_return ok.error();
        }
    }
    domain::TranscriptEntry message;
    message.role = request.role;
    message.content = request.content;
    if (request.idempotency_key) {
        message.idempotency_key = *request.idempotency_key + ":user";
    }
    if (auto ok = add_entry(std::move(message)); !ok) {
        co_return ok.error();
    }

    LanePtr lane = LaneFor(request.tenant_id, target->key);
    auto done_pending = [this, &lane] {
        std::lock_guard lock(mutex_);
        --lane->pending_submits;
        ReleaseLaneLocked(lane);
    };
    const std::string ik = request.idempotency_key ? "agent:" + *request.idempotency_key : std::string();
    if (!ik.empty()) {
        std::string predicted_id = *request.idempotency_key;
        std::string_view predicted = request.no_run ? "committed" : "started";
        {
            std::lock_guard lock(mutex_);
            if (!request.no_run && lane->active) {
                bool steer = mode == QueueMode::kSteer && lane->active->committed;
                predicted_id = steer ? lane->active->run_id : predicted_id;
                predicted = steer ? "steered" : mode == QueueMode::kInterrupt ? "started" : "queued";
            }
        }
        std::string ack_json = AckJson(predicted_id, predicted, target->key, target->agent->options.id);
        auto claim = co_await idempotency_.Claim(
            request.tenant_id, ik, std::move(ack_json), domain::kDefaultIdempotencyTtl
        );
        if (!claim || !claim->claimed) {
            done_pending();
            if (!claim) {
                co_return claim.error();
            }
            co_return co_await Duplicate(claim->record, *target, *session);
        }
    }
    auto release_claim = [this, &ik, &request]() -> asio::awaitable<void> {
        if (!ik.empty()) {
            (void)co_await idempotency_.Release(request.tenant_id, ik);
        }
    };

    for (int attempt = 0;; ++attempt) {
        Result<Plan> plan = MakeError(ErrorCode::kUnavailable, "run engine is stopping");
        {
            std::lock_guard lock(mutex_);
            if (!stopping_) {
                plan = PlanLocked(lane, request, *target, *session, mode, attempt == 0);
                UpdateSessionsActiveLocked();
            }
        }
        if (!plan) {
            done_pending();
            co_await release_claim();
            co_return plan.error();
        }
        std::optional<domain::Run> duplicate;
        bool spawned_early = false;
        auto committed = co_await CommitSubmit(*plan, lane, *session, entries, &duplicate, &spawned_early);
        if (spawned_early && (!committed || duplicate)) {
            // The run is already running: it stops itself and leaves the lane (EndRun, commit_failed).
            if (plan->events) {
                plan->events->Close();
            }
            done_pending();
            co_await release_claim();
            if (!committed) {
                co_return committed.error();
            }
            co_return MakeError(ErrorCode::kInternal, "run start refused");
        }
        if (!committed || duplicate) {
            {
                std::lock_guard lock(mutex_);
                UnplanLocked(*plan);
                UpdateSessionsActiveLocked();
            }
            bool joined = plan->kind == PlanKind::kSteer || plan->kind == PlanKind::kCollectAppend;
            if (!committed && joined && committed.error().code == ErrorCode::kConflict && attempt == 0) {
                continue;  // the target run ended meanwhile: start a run of our own instead
            }
            done_pending();
            co_await release_claim();
            if (!committed) {
                co_return committed.error();
            }
            SubmitAck ack;
            ack.status = SubmitAck::Status::kDuplicate;
            ack.run_id = duplicate->id;
            ack.session_id = session->id;
            ack.session_key = target->key;
            ack.agent_id = target->agent->options.id;
            ack.transcript_id = session->transcript_id;
            co_return ack;
        }
        SubmitAck ack;
        ack.status = plan->status;
        ack.run_id = plan->run ? plan->run->run_id : std::string();
        ack.session_id = session->id;
        ack.session_key = target->key;
        ack.agent_id = target->agent->options.id;
        ack.transcript_id = plan->run ? plan->run->session.transcript_id : session->transcript_id;
        ack.message_id = entries.back().id;
        ack.events = plan->events;
        if (plan->kind == PlanKind::kNewRun) {
            {
                std::lock_guard lock(mutex_);
                plan->run->committed = true;
            }
            if (!spawned_early) {
                Spawn(plan->run);
            }
        } else if (plan->kind == PlanKind::kSteer) {
            RunEvent event;
            event.kind = RunEvent::Kind::kSteered;
            event.entry = committed->back();
            Publish(plan->run, std::move(event));
        }
        done_pending();
        if (gateway_metrics_ != nullptr) {
            gateway_metrics_->MessageProcessed();
        }
        if (plan->kind == PlanKind::kNoRun && !ik.empty()) {
            std::string result = ResultJson(
                "", AckStatusName(ack.status), target->key, target->agent->options.id, std::nullopt
            );
            (void)co_await idempotency_.Complete(request.tenant_id, ik, std::move(result));
        }
        co_return ack;
    }
}

}  // namespace gw::engine::internal
