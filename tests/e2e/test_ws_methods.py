"""OpenClaw protocol v4 on WS "/": requests, scopes, cancel, concurrency, chat/agent runs and their
event streams, idempotency, sessions (reference §2.1, §2.3–§2.6, §11.8–§11.13).

Set WS_E2E_PEER=<port> to run the peer-compatible tests against a running real OpenClaw gateway whose
upstream answers "PONG from fake".
"""

from __future__ import annotations

import threading
import uuid

import pytest

from fake_llm import Reply
from ws_client import DeviceIdentity, OpenClawClient, WsTarget, assert_error

RUN_TIMEOUT = 90  # the real peer needs ~5-20 s per turn; ours far less (an upper bound, never expected)
PEER_REPLY = "PONG from fake"


def scripted(t: WsTarget, text: str, **kw) -> str:
    """Scripts the next upstream reply (ours) and returns the text the run will answer with."""
    if t.fake is None:
        return PEER_REPLY
    t.fake.script(Reply(text, **kw))
    return text


def new_key() -> str:
    return f"agent:main:e2e-{uuid.uuid4().hex[:12]}"


def text_of(message: dict) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content or [] if part.get("type") == "text")


def run_chat(c: OpenClawClient, key: str, message: str = "hello", ik: str | None = None) -> tuple[dict, dict]:
    """chat.send and wait for the terminal chat event of that run; returns (ack payload, terminal event)."""
    ik = ik or str(uuid.uuid4())
    ack = c.ok("chat.send", {"sessionKey": key, "message": message, "idempotencyKey": ik})
    final = c.wait_event("chat", lambda p: p.get("runId") == ik and p.get("state") in ("final", "error", "aborted"),
                         timeout=RUN_TIMEOUT)
    return ack, final


# -------------------------------------------------------------------------------- errors, scopes


def test_read_only_client_cannot_chat_send(ws_gateway):
    t = ws_gateway()
    c = t.operator(scopes=["operator.read"])
    res = c.call("chat.send", {"sessionKey": "agent:main:main", "message": "hi", "idempotencyKey": str(uuid.uuid4())})
    err = assert_error(res, "FORBIDDEN", "MISSING_SCOPE")
    assert err["message"] == "missing scope: operator.write", err
    assert err["details"]["missingScope"] == "operator.write", err
    assert "operator.write" in err["details"]["requiredScopes"], err
    if t.fake is not None:
        assert t.fake.completion_requests() == []


def test_read_only_client_can_read(ws_gateway):
    t = ws_gateway()
    c = t.operator(scopes=["operator.read"])
    assert c.ok("health")["ok"] is True
    assert isinstance(c.ok("sessions.list", {})["sessions"], list)


def test_write_scope_implies_read(ws_gateway):
    t = ws_gateway()
    c = t.operator(scopes=["operator.write"])
    assert isinstance(c.ok("sessions.list", {})["sessions"], list)


def test_admin_only_methods_need_admin(ws_gateway):
    t = ws_gateway()
    c = t.operator(scopes=["operator.read", "operator.write"])
    for method in ("sessions.delete", "sessions.reset"):
        err = assert_error(c.call(method, {"key": "agent:main:nope"}), "FORBIDDEN", "MISSING_SCOPE")
        assert err["details"]["missingScope"] == "operator.admin", (method, err)


def test_unknown_method(ws_gateway):
    t = ws_gateway()
    c = t.operator()  # admin: the peer checks scopes before existence
    err = assert_error(c.call("no.such.method", {}), "INVALID_REQUEST")
    assert err["message"] == "unknown method: no.such.method", err


def test_invalid_params_name_the_method(ws_gateway):
    t = ws_gateway()
    c = t.operator()
    err = assert_error(c.call("chat.send", {"sessionKey": "agent:main:main", "idempotencyKey": "k"}), "INVALID_REQUEST")
    assert err["message"].startswith("invalid chat.send params"), err
    assert "message" in err["message"], err
    err = assert_error(c.call("chat.send", {"sessionKey": "agent:main:main", "message": "x", "idempotencyKey": "k",
                                            "bogus": 1}), "INVALID_REQUEST")
    assert err["message"].startswith("invalid chat.send params"), err


def test_malformed_frame_after_hello_keeps_the_socket(ws_gateway):
    t = ws_gateway()
    c = t.operator()
    c.send({"type": "req", "id": "x1"})  # no method
    res = c.wait_res("x1")
    assert_error(res, "INVALID_REQUEST")
    assert c.ok("health")["ok"] is True


# ------------------------------------------------------------------------ concurrency and cancel


def test_requests_on_one_socket_run_concurrently(ws_gateway):
    t = ws_gateway()
    if t.fake is None:
        pytest.skip("needs a held upstream")
    release = threading.Event()
    t.fake.script(Reply("held reply", hold=release))
    c = t.operator()
    try:
        ik = str(uuid.uuid4())
        ack = c.ok("chat.send", {"sessionKey": new_key(), "message": "hold", "idempotencyKey": ik})
        assert ack == {"runId": ik, "status": "started"}, ack
        t.fake.wait_requests(1)
        slow = c.request("agent.wait", {"runId": ik, "timeoutMs": 600_000})
        fast = [c.request("health", {}) for _ in range(3)]
        for rid in fast:
            assert c.wait_res(rid)["ok"] is True
        assert slow not in c.responses, "agent.wait answered before its run ended"
    finally:
        release.set()
    done = c.wait_res(slow, timeout=RUN_TIMEOUT)
    assert done["ok"] is True and done["payload"]["status"] == "ok", done
    assert c.seq_errors == []


def test_many_requests_in_flight_all_answered_with_their_ids(ws_gateway):
    t = ws_gateway()
    c = t.operator()
    ids = [c.request("health" if i % 2 else "status", {}) for i in range(20)]
    for rid in ids:
        res = c.wait_res(rid)
        assert res["id"] == rid and res["ok"] is True, res


def test_cancel_answers_the_pending_request(ws_gateway):
    t = ws_gateway()
    if t.is_peer:
        pytest.skip("OpenClaw 2026.9.6 rejects cancel frames (wire notes)")
    release = threading.Event()
    t.fake.script(Reply("held", hold=release))
    c = t.operator()
    try:
        ik = str(uuid.uuid4())
        c.ok("chat.send", {"sessionKey": new_key(), "message": "hold", "idempotencyKey": ik})
        t.fake.wait_requests(1)
        rid = c.request("agent.wait", {"runId": ik, "timeoutMs": 600_000})
        assert c.ok("health")["ok"] is True  # the wait is pending (its run is held upstream)
        assert rid not in c.responses, c.responses.get(rid)
        c.send({"type": "cancel", "id": rid})
        res = c.wait_res(rid)  # bounded: without cancel this would wait for the held run
        assert res["ok"] is False, res
        assert_error(res, res["error"]["code"])
        assert len(c.responses[rid]) == 1
        assert c.ok("health")["ok"] is True
    finally:
        release.set()


def test_cancel_of_an_unknown_id_is_harmless(ws_gateway):
    t = ws_gateway()
    if t.is_peer:
        pytest.skip("OpenClaw 2026.9.6 rejects cancel frames (wire notes)")
    c = t.operator()
    c.send({"type": "cancel", "id": "never-sent"})
    assert c.ok("health")["ok"] is True


# ------------------------------------------------------------------------------- chat.send runs


def test_chat_send_streams_ordered_chat_and_agent_events(ws_gateway):
    t = ws_gateway()
    expected = scripted(t, "alpha beta gamma delta epsilon", chunk_size=4, chunk_delay=0.005)
    c = t.operator()
    key, ik = new_key(), str(uuid.uuid4())
    ack, final = run_chat(c, key, "stream please", ik)
    assert ack == {"runId": ik, "status": "started"}, ack  # runId == idempotencyKey
    assert final["payload"]["state"] == "final", final
    assert text_of(final["payload"]["message"]) == expected, final
    assert final["payload"]["sessionKey"] == key

    chat = [e["payload"] for e in c.events_named("chat") if e["payload"].get("runId") == ik]
    states = [p["state"] for p in chat]
    assert states[-1] == "final" and states.count("final") == 1, states
    assert "delta" in states, states
    assert all(s in ("status", "delta", "final") for s in states), states
    seqs = [p["seq"] for p in chat]
    assert seqs == sorted(seqs), f"per-run chat seq must not decrease: {seqs}"
    text = ""
    for p in chat:
        if p["state"] == "delta":
            text = p["deltaText"] if p.get("replace") else text + p["deltaText"]
            assert text_of(p["message"]) == text, (text, p)  # message carries the cumulative text
    assert text == expected, (text, expected)

    c.wait_event("agent", lambda p: p.get("runId") == ik and p.get("stream") == "lifecycle"
                 and p["data"].get("phase") == "end")  # may follow the chat final
    agent = [e["payload"] for e in c.events_named("agent") if e["payload"].get("runId") == ik]
    streams = [(p["stream"], p["data"].get("phase")) for p in agent]
    first_text = next(i for i, sp in enumerate(streams) if sp[0] == "assistant")
    assert ("lifecycle", "model") in streams[:first_text], f"lifecycle model must precede the text: {streams}"
    aseqs = [p["seq"] for p in agent]
    assert aseqs == sorted(set(aseqs)), f"per-run agent seq must strictly increase: {aseqs}"
    phases = [p["data"].get("phase") for p in agent if p["stream"] == "lifecycle"]
    assert phases[0] == "start" and phases[-1] == "end", phases
    assert "model" in phases, phases
    assistant = [p["data"] for p in agent if p["stream"] == "assistant"]
    assert assistant and assistant[-1]["text"] == expected, assistant
    assert c.seq_errors == [], c.seq_errors  # outer seq strictly increasing across everything


def test_chat_events_reach_other_read_clients(ws_gateway):
    t = ws_gateway()
    expected = scripted(t, "broadcast reply")
    observer = t.operator(scopes=["operator.read"])
    c = t.operator()
    ik = str(uuid.uuid4())
    run_chat(c, new_key(), "hi", ik)
    seen = observer.wait_event("chat", lambda p: p.get("runId") == ik and p.get("state") == "final",
                               timeout=RUN_TIMEOUT)
    assert text_of(seen["payload"]["message"]) == expected
    assert observer.seq_errors == []


def test_chat_send_with_the_same_idempotency_key_runs_once(ws_gateway):
    t = ws_gateway()
    expected = scripted(t, "only once")
    c = t.operator()
    key, ik = new_key(), str(uuid.uuid4())
    params = {"sessionKey": key, "message": "once", "idempotencyKey": ik}
    first = c.ok("chat.send", params)
    second = c.ok("chat.send", params)
    assert first == {"runId": ik, "status": "started"}, first
    assert second["runId"] == ik and second["status"] in ("started", "in_flight", "ok"), second
    final = c.wait_event("chat", lambda p: p.get("runId") == ik and p.get("state") == "final", timeout=RUN_TIMEOUT)
    assert text_of(final["payload"]["message"]) == expected
    third = c.ok("chat.send", params)
    assert third["runId"] == ik and third["status"] in ("ok", "in_flight"), third
    if t.fake is not None:
        assert c.ok("health")  # a round trip after the replay, then count upstream calls
        assert len(t.fake.completion_requests()) == 1, t.fake.completion_requests()
    finals = [e for e in c.events_named("chat") if e["payload"].get("runId") == ik and e["payload"]["state"] == "final"]
    assert len(finals) == 1, finals


def test_chat_send_requires_an_idempotency_key(ws_gateway):
    t = ws_gateway()
    c = t.operator()
    err = assert_error(c.call("chat.send", {"sessionKey": "agent:main:main", "message": "x"}), "INVALID_REQUEST")
    assert "idempotencyKey" in err["message"], err


def test_agent_wait_after_the_run(ws_gateway):
    t = ws_gateway()
    expected = scripted(t, "waited reply")
    c = t.operator()
    ik = str(uuid.uuid4())
    run_chat(c, new_key(), "hi", ik)
    res = c.ok("agent.wait", {"runId": ik, "timeoutMs": 30_000}, timeout=RUN_TIMEOUT)
    assert res["runId"] == ik and res["status"] == "ok", res
    if "terminalReply" in res:
        assert res["terminalReply"]["text"] == expected, res


def test_chat_history_after_a_turn(ws_gateway):
    t = ws_gateway()
    expected = scripted(t, "history reply")
    c = t.operator()
    key, ik = new_key(), str(uuid.uuid4())
    run_chat(c, key, "remember me", ik)
    h = c.ok("chat.history", {"sessionKey": key, "limit": 50})
    assert h["sessionKey"] == key and isinstance(h["sessionId"], str) and h["sessionId"], h
    msgs = h["messages"]
    assert [m["role"] for m in msgs] == ["user", "assistant"], msgs
    assert text_of(msgs[0]) == "remember me" and text_of(msgs[1]) == expected, msgs
    seqs = [m["__openclaw"]["seq"] for m in msgs]
    assert seqs == sorted(set(seqs)), seqs
    assert all(m["__openclaw"]["id"] for m in msgs), msgs
    assert msgs[1]["__openclaw"].get("runId") == ik, msgs[1]


def test_chat_inject_appends_without_a_run(ws_gateway):
    t = ws_gateway()
    if t.is_peer:
        pytest.skip("not probed on the peer")
    scripted(t, "first")
    c = t.operator()
    key = new_key()
    run_chat(c, key, "hi")
    c.ok("chat.inject", {"sessionKey": key, "message": "operator note"})
    msgs = c.ok("chat.history", {"sessionKey": key})["messages"]
    assert "operator note" in text_of(msgs[-1]), msgs[-1]
    assert len(t.fake.completion_requests()) == 1


# ------------------------------------------------------------------------------------- agent RPC


def test_agent_sends_accepted_then_terminal_res(ws_gateway):
    t = ws_gateway()
    expected = scripted(t, "agent reply")
    c = t.operator()
    ik = str(uuid.uuid4())
    rid = c.request("agent", {"message": "hi", "agentId": "main", "deliver": False, "timeout": 600,
                              "idempotencyKey": ik})  # what the stock CLI sends
    first = c.wait_res(rid)
    assert first["ok"] is True, first
    p = first["payload"]
    assert p["status"] == "accepted" and p["runId"] == ik and p["agentId"] == "main", p
    assert isinstance(p["acceptedAt"], int) and p["sessionKey"], p
    second = c.wait_res(rid, timeout=RUN_TIMEOUT, index=1)
    assert second["ok"] is True, second
    q = second["payload"]
    assert q["runId"] == ik and q["status"] == "ok", q
    assert q["result"]["payloads"][0]["text"] == expected, q
    assert c.seq_errors == []


def test_agent_without_write_scope_is_forbidden(ws_gateway):
    t = ws_gateway()
    c = t.operator(scopes=["operator.read"])
    assert_error(c.call("agent", {"message": "hi", "idempotencyKey": str(uuid.uuid4())}), "FORBIDDEN", "MISSING_SCOPE")


# ------------------------------------------------------------------------------------- sessions


def test_sessions_list_reset_delete(ws_gateway):
    t = ws_gateway()
    scripted(t, "one")
    c = t.operator()
    key = new_key()
    run_chat(c, key, "hi")
    listed = c.ok("sessions.list", {})
    rows = {r["key"]: r for r in listed["sessions"]}
    assert key in rows, list(rows)
    old_id = rows[key]["sessionId"]
    assert old_id and c.ok("chat.history", {"sessionKey": key})["sessionId"] == old_id

    reset = c.ok("sessions.reset", {"key": key})
    assert reset.get("key", key) == key, reset
    h = c.ok("chat.history", {"sessionKey": key})
    # The peer keeps the sessionId and leaves a system "Reset" marker; the old turn must be gone.
    assert [m for m in h["messages"] if m["role"] in ("user", "assistant")] == [], h["messages"]

    c.ok("sessions.delete", {"key": key})
    keys = [r["key"] for r in c.ok("sessions.list", {})["sessions"]]
    assert key not in keys, keys


def test_models_and_agents_list(ws_gateway):
    t = ws_gateway()
    c = t.operator(scopes=["operator.read"])
    models = c.ok("models.list", {})
    assert models, models
    agents = c.ok("agents.list", {})
    assert "main" in str(agents), agents


def test_send_is_unavailable_until_channels_exist(ws_gateway):
    t = ws_gateway()
    if t.is_peer:
        pytest.skip("the peer has channels")
    c = t.operator()
    err = assert_error(c.call("send", {"to": "+15555550123", "message": "x", "idempotencyKey": str(uuid.uuid4())}),
                       "UNAVAILABLE")
    assert err["message"], err


def test_config_get_is_redacted_and_hashed(ws_gateway):
    t = ws_gateway()
    c = t.operator()
    cfg = c.ok("config.get", {})
    assert isinstance(cfg.get("hash"), str) and cfg["hash"], list(cfg)
    assert t.token not in str(cfg), "config.get leaks the gateway token"
    if t.fake is not None:
        from gw_e2e import UPSTREAM_KEY

        assert UPSTREAM_KEY not in str(cfg), "config.get leaks the upstream key"


def test_device_identity_is_stable_across_clients():
    """Sanity of the test client itself: id = sha256(raw key), 43-char base64url key, 86-char signature."""
    d = DeviceIdentity()
    import hashlib

    from ws_client import b64url_decode

    assert len(d.public_key) == 43 and "=" not in d.public_key
    assert hashlib.sha256(b64url_decode(d.public_key)).hexdigest() == d.device_id
    assert len(d.sign("v3|x")) == 86


# ------------------------------------------------------------------------ subscriptions, misc RPCs


def test_session_subscriptions_deliver_changes_and_messages(ws_gateway):
    t = ws_gateway()
    expected = scripted(t, "subscribed reply")
    c = t.operator()
    key = new_key()
    assert c.ok("sessions.subscribe", {})["subscribed"] is True
    assert c.ok("sessions.messages.subscribe", {"key": key})["subscribed"] is True
    start = len(c.events)
    run_chat(c, key, "watch me")
    c.wait_event("sessions.changed", lambda p: p.get("sessionKey") == key, start=start)
    assistant = c.wait_event("session.message", lambda p: p.get("sessionKey") == key
                             and p["message"]["role"] == "assistant", start=start)
    assert text_of(assistant["payload"]["message"]) == expected
    user = c.wait_event("session.message", lambda p: p.get("sessionKey") == key and p["message"]["role"] == "user",
                        start=start)
    assert text_of(user["payload"]["message"]) == "watch me"
    assert c.seq_errors == []


def test_unsubscribed_clients_get_no_session_events(ws_gateway):
    t = ws_gateway()
    scripted(t, "quiet")
    c = t.operator()
    run_chat(c, new_key(), "hi")
    c.ok("health")
    assert not c.events_named("session.message") and not c.events_named("sessions.changed")


def test_agent_wait_needs_write(ws_gateway):
    t = ws_gateway()
    c = t.operator(scopes=["operator.read"])
    err = assert_error(c.call("agent.wait", {"runId": "x", "timeoutMs": 10}), "FORBIDDEN", "MISSING_SCOPE")
    assert err["details"]["missingScope"] == "operator.write", err


def test_chat_abort_without_a_run(ws_gateway):
    t = ws_gateway()
    c = t.operator()
    res = c.ok("chat.abort", {"sessionKey": new_key()})
    assert res["aborted"] is False and res["runIds"] == [], res


def test_chat_abort_stops_a_running_turn(ws_gateway):
    t = ws_gateway()
    if t.fake is None:
        pytest.skip("needs a held upstream")
    release = threading.Event()
    t.fake.script(Reply("never shown", hold=release))
    c = t.operator()
    key, ik = new_key(), str(uuid.uuid4())
    try:
        c.ok("chat.send", {"sessionKey": key, "message": "stop me", "idempotencyKey": ik})
        t.fake.wait_requests(1)
        res = c.ok("chat.abort", {"sessionKey": key, "runId": ik})
        assert res["aborted"] is True and ik in res["runIds"], res
        ev = c.wait_event("chat", lambda p: p.get("runId") == ik and p.get("state") in ("final", "error", "aborted"),
                          timeout=RUN_TIMEOUT)
        assert ev["payload"]["state"] == "aborted", ev
        waited = c.ok("agent.wait", {"runId": ik, "timeoutMs": 30_000}, timeout=RUN_TIMEOUT)
        assert waited["status"] in ("error", "aborted", "ok"), waited
    finally:
        release.set()


def test_misc_read_methods(ws_gateway):
    t = ws_gateway()
    c = t.operator(scopes=["operator.read"])
    presence = c.ok("system-presence", {})
    assert isinstance(presence, list) and presence, presence
    assert any(p.get("mode") == "gateway" for p in presence), presence
    status = c.ok("status", {})
    assert isinstance(status, dict) and status, status
    models = c.ok("models.list", {})["models"]
    assert any(m["id"] == "fake-model" and m["provider"] == "fake" for m in models), models
    agents = c.ok("agents.list", {})
    assert agents["defaultId"] == "main" and any(a["id"] == "main" for a in agents["agents"]), agents


def test_wake_and_tools_invoke(ws_gateway):
    t = ws_gateway()
    c = t.operator()
    assert c.ok("wake", {"mode": "now", "text": "wake up"})["ok"] is True
    res = c.ok("tools.invoke", {"name": "no_such_tool_e2e"})
    assert res["ok"] is False and res["toolName"] == "no_such_tool_e2e" and res["error"], res


# ----------------------------------------------------------------------------- our ws: options


def test_inflight_limit_answers_retryable_unavailable(ws_gateway):
    t = ws_gateway({"ws": {"max_inflight_requests": 2}})
    release = threading.Event()
    t.fake.script(Reply("held", hold=release))
    c = t.operator()
    try:
        ik = str(uuid.uuid4())
        c.ok("chat.send", {"sessionKey": new_key(), "message": "hold", "idempotencyKey": ik})
        t.fake.wait_requests(1)
        ids = [c.request("agent.wait", {"runId": ik, "timeoutMs": 600_000}) for _ in range(2)]
        extra = c.call("health", {})
        err = assert_error(extra, "UNAVAILABLE")
        assert extra["error"].get("retryable") is True, extra
        assert err["message"]
        assert not any(rid in c.responses for rid in ids), "the waits should still be pending"
    finally:
        release.set()
    for rid in ids:
        assert c.wait_res(rid, timeout=RUN_TIMEOUT)["ok"] is True
    assert c.ok("health")["ok"] is True


