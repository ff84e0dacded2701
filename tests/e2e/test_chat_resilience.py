"""Upstream failures and run control through /v1/chat/completions: retry with Retry-After, failover to a
fallback provider, abort when the client goes away, the run deadline, the per-session backlog cap, broken
upstream streams (protocol §3, §7 items 2, 6, 7)."""

from __future__ import annotations

import json
import threading

from fake_llm import Disconnect, Error, Hang, Malformed, Reply, StreamError
from gw_e2e import IO_TIMEOUT, SseStream, chat_body, llm_config, openai_error, post_json, provider_entry, wait_until


def test_429_is_retried_after_retry_after(llm_gateway, fake_llm):
    fake_llm.script(Error(429, retry_after=1))
    gw = llm_gateway()
    resp = post_json(gw, "/v1/chat/completions", chat_body("retry me"))
    assert resp.status == 200, resp
    assert resp.json()["choices"][0]["message"]["content"] == "PONG from fake"
    first, second = fake_llm.completion_requests()
    assert (first.status, second.status) == (429, 200)
    # Retry-After: 1 overrides the 10 ms backoff base (a lower bound only).
    assert second.received_at - first.received_at >= 0.9


def test_529_overloaded_anthropic_is_retried(llm_gateway, fake_llm):
    fake_llm.script(Error(529))
    gw = llm_gateway(api="anthropic-messages")
    resp = post_json(gw, "/v1/chat/completions", chat_body())
    assert resp.status == 200, resp
    assert [r.status for r in fake_llm.completion_requests()] == [529, 200]


def test_retries_exhausted_returns_an_error(llm_gateway, fake_llm):
    fake_llm.set_default(Error(500))
    gw = llm_gateway(provider_extra={"max_retries": 1})
    resp = post_json(gw, "/v1/chat/completions", chat_body())
    err = openai_error(resp, resp.status)
    assert 500 <= resp.status < 600, resp
    assert err["message"]
    assert len(fake_llm.completion_requests()) == 2  # the call and max_retries=1 retry


def test_failover_to_fallback_provider_after_500s(gateway, fake_llm, fake_llm_factory):
    fake_llm.set_default(Error(500))
    backup = fake_llm_factory()
    backup.set_default(Reply("answer from backup"))
    config = llm_config(
        fake_llm.base_url,
        provider_extra={"max_retries": 1},
        defaults={"fallbacks": ["backup/backup-model"]},
        extra={"models": {"providers": {"backup": provider_entry(backup.base_url)}}},
    )
    gw = gateway(config)
    resp = post_json(gw, "/v1/chat/completions", chat_body("who answers?"))
    assert resp.status == 200, resp
    assert resp.json()["choices"][0]["message"]["content"] == "answer from backup"
    assert [r.status for r in fake_llm.completion_requests()] == [500, 500]
    (rec,) = backup.wait_requests(1)
    assert rec.model == "backup-model"
    assert "who answers?" in rec.last_user_text()


def test_client_disconnect_aborts_the_upstream_stream(llm_gateway, fake_llm):
    fake_llm.script(Reply("x" * 2000, chunk_size=1, chunk_delay=0.05))  # ~100 s if never aborted
    gw = llm_gateway()
    stream = SseStream(gw, "/v1/chat/completions", chat_body("long story", stream=True, user="leaver"))
    try:
        assert stream.status == 200
        got_content = False
        while not got_content:
            event = stream.next_event()
            assert event is not None, "stream ended before any content"
            got_content = event[1] != "[DONE]" and bool(
                (json.loads(event[1]).get("choices") or [{}])[0].get("delta", {}).get("content"))
    finally:
        stream.close()
    (rec,) = fake_llm.wait_requests(1)
    assert rec.disconnected.wait(IO_TIMEOUT), "the gateway kept the upstream stream open after the client left"
    assert not rec.finished.is_set()
    # The session is usable again afterwards.
    resp = post_json(gw, "/v1/chat/completions", chat_body("still there?", user="leaver"))
    assert resp.status == 200, resp


def test_run_deadline_fails_a_hanging_upstream(llm_gateway, fake_llm):
    fake_llm.set_default(Hang())
    gw = llm_gateway(defaults={"timeout": "1s"}, provider_extra={"max_retries": 0})
    resp = post_json(gw, "/v1/chat/completions", chat_body("hang"), timeout=IO_TIMEOUT + 30)
    err = openai_error(resp, 504)
    assert err["message"]
    (rec,) = fake_llm.wait_requests(1)
    assert rec.disconnected.wait(IO_TIMEOUT), "the upstream call was not cancelled at the deadline"


def test_run_deadline_mid_stream_sends_error_then_done(llm_gateway, fake_llm):
    fake_llm.set_default(Hang(send_head=True, chunks=3, text="abc"))
    gw = llm_gateway(defaults={"timeout": "1s"}, provider_extra={"max_retries": 0})
    with SseStream(gw, "/v1/chat/completions", chat_body(stream=True), timeout=IO_TIMEOUT + 30) as stream:
        assert stream.status == 200
        events = stream.events()
    assert events[-1] == (None, "[DONE]"), events
    payloads = [json.loads(d) for _, d in events[:-1]]
    errors = [p for p in payloads if "error" in p]
    assert errors, payloads
    assert isinstance(errors[-1]["error"].get("message"), str) and errors[-1]["error"]["message"]
    assert all(not p.get("choices") or p["choices"][0].get("finish_reason") != "stop" for p in payloads)


def test_session_backlog_cap_rejects_with_429(llm_gateway, fake_llm):
    gate = threading.Event()
    fake_llm.script(Reply("first done", hold=gate))
    gw = llm_gateway(extra={"agents": {"queue": {"mode": "followup", "cap": 1}}})
    results: dict[int, object] = {}

    def send(i):
        try:
            results[i] = post_json(gw, "/v1/chat/completions", chat_body(f"message {i}", user="busy"),
                                   timeout=IO_TIMEOUT + 30)
        except Exception as e:  # noqa: BLE001 - reported by the assertions below
            results[i] = e

    threads = [threading.Thread(target=send, args=(0,))]
    threads[0].start()
    try:
        fake_llm.wait_requests(1)  # message 0 is the active run, held upstream
        for i in range(1, 4):
            t = threading.Thread(target=send, args=(i,))
            threads.append(t)
            t.start()
        wait_until(lambda: any(getattr(r, "status", None) == 429 for r in results.values()), IO_TIMEOUT,
                   what="a 429 for a message beyond the backlog cap")
    finally:
        gate.set()
        for t in threads:
            t.join(IO_TIMEOUT + 30)
    statuses = {i: getattr(r, "status", r) for i, r in results.items()}
    assert statuses[0] == 200, results[0]
    rejected = [r for r in results.values() if getattr(r, "status", None) == 429]
    assert rejected and all(s in (200, 429) for s in statuses.values()), statuses
    for r in rejected:
        openai_error(r, 429)
    assert results[0].json()["choices"][0]["message"]["content"] == "first done"


def test_upstream_disconnect_mid_stream_is_an_error(llm_gateway, fake_llm):
    fake_llm.set_default(Disconnect(after_chunks=2))
    gw = llm_gateway(provider_extra={"max_retries": 0})
    with SseStream(gw, "/v1/chat/completions", chat_body(stream=True)) as stream:
        events = stream.events()
    assert events[-1] == (None, "[DONE]"), events
    assert any("error" in json.loads(d) for _, d in events[:-1]), events


def test_malformed_upstream_chunk_is_an_error(llm_gateway, fake_llm):
    fake_llm.set_default(Malformed(after_chunks=1, then="continue"))
    gw = llm_gateway(provider_extra={"max_retries": 0})
    resp = post_json(gw, "/v1/chat/completions", chat_body())
    assert resp.status >= 500, resp
    openai_error(resp, resp.status)


def test_anthropic_in_stream_overloaded_error_fails_over(gateway, fake_llm, fake_llm_factory):
    fake_llm.set_default(StreamError(after_chunks=0))
    backup = fake_llm_factory()
    backup.set_default(Reply("backup took over"))
    config = llm_config(
        fake_llm.base_url, api="anthropic-messages", provider_extra={"max_retries": 0},
        defaults={"fallbacks": ["backup/b"]},
        extra={"models": {"providers": {"backup": provider_entry(backup.base_url)}}},
    )
    gw = gateway(config)
    resp = post_json(gw, "/v1/chat/completions", chat_body())
    assert resp.status == 200, resp
    assert resp.json()["choices"][0]["message"]["content"] == "backup took over"


def test_very_long_output_is_relayed_completely(llm_gateway, fake_llm):
    text = "".join(f"line {i:05d}\n" for i in range(8000))  # ~88 KB
    fake_llm.script(Reply(text, chunk_size=500))
    gw = llm_gateway()
    with SseStream(gw, "/v1/chat/completions", chat_body(stream=True), timeout=IO_TIMEOUT + 30) as stream:
        events = stream.events()
    chunks = [json.loads(d) for _, d in events[:-1]]
    assert "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"]) == text
