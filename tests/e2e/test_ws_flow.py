"""OpenClaw protocol v4: keepalive tick, slow-consumer policy, shutdown sequence (reference §2.1, §11.9)."""

from __future__ import annotations

import signal
import socket
import uuid

from fake_llm import Reply
from gw_e2e import GATEWAY_TOKEN
from ws_client import Closed, DeviceIdentity, OpenClawClient


def connected(port: int, scopes: list[str] | None = None) -> OpenClawClient:
    c = OpenClawClient(port)
    res = c.connect(token=GATEWAY_TOKEN, device=DeviceIdentity(), scopes=scopes)
    assert res["ok"] is True, res
    return c


def test_tick_events_follow_the_configured_interval(ws_gateway):
    t = ws_gateway({"ws": {"tick_interval": "200ms"}})
    c = connected(t.port, ["operator.read"])
    assert c.hello["policy"]["tickIntervalMs"] == 200, c.hello["policy"]
    first = c.wait_event("tick")
    second = c.wait_event("tick", start=c.events.index(first) + 1)
    assert isinstance(first["payload"]["ts"], int) and second["payload"]["ts"] >= first["payload"]["ts"]
    assert second["seq"] > first["seq"]
    assert c.seq_errors == []


def test_ticks_reach_connections_without_scopes(ws_gateway):
    """tick/health/shutdown go to everyone, even a device-less client that asked for no scopes."""
    t = ws_gateway({"ws": {"tick_interval": "200ms"}})
    c = OpenClawClient(t.port)
    assert c.connect(token=GATEWAY_TOKEN, scopes=[])["ok"]
    assert c.wait_event("tick")["payload"]["ts"] > 0


def test_slow_consumer_is_disconnected_and_the_gateway_keeps_serving(ws_gateway):
    t = ws_gateway({"server": {"ws_max_queued_bytes": 65536}})
    # Long cumulative texts: every delta/assistant event carries the whole text so far.
    t.fake.script(Reply("0123456789" * 40_000, chunk_size=400, chunk_delay=0.002))
    slow = connected(t.port)
    slow.ws.raw.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    ik = str(uuid.uuid4())
    slow.request("chat.send", {"sessionKey": "agent:main:slow", "message": "flood me", "idempotencyKey": ik})
    # Stop reading until the upstream has streamed everything (or the gateway went away from it).
    rec = t.fake.wait_requests(1, timeout=60)[0]
    assert rec.finished.wait(120) or rec.disconnected.is_set()

    other = connected(t.port, ["operator.read"])
    assert other.ok("health")["ok"] is True  # the gateway still serves others

    code, reason = slow.wait_close(timeout=120)
    assert code in (1008, None), (code, reason)  # 1008 by policy (None: cut without a close frame)
    finals = [e for e in slow.events_named("chat") if e["payload"].get("runId") == ik
              and e["payload"]["state"] == "final"]
    assert finals == [], "the slow consumer got the whole stream: it was never disconnected"
    assert t.gw.alive()


def test_shutdown_event_then_close_1012(ws_gateway):
    t = ws_gateway()
    c = connected(t.port, ["operator.read"])
    idle = connected(t.port, [])
    assert c.ok("health")["ok"] is True
    t.gw.send_signal(signal.SIGTERM)
    for client in (c, idle):
        ev = client.wait_event("shutdown", timeout=30)
        assert isinstance(ev["payload"]["reason"], str) and ev["payload"]["reason"], ev
        # the peer sends {"reason":"gateway stopping"} (restartExpectedMs omitted when null)
        assert isinstance(ev["payload"].get("restartExpectedMs"), (int, type(None))), ev
        assert isinstance(ev["seq"], int)
        code, _ = client.wait_close(timeout=30)
        assert code == 1012, code
        assert client.seq_errors == []
    assert t.gw.wait() == 0


def test_new_connections_during_shutdown_are_refused(ws_gateway):
    t = ws_gateway()
    hold = connected(t.port)
    # keep one run in flight so the drain takes a while
    release = __import__("threading").Event()
    t.fake.script(Reply("late", hold=release))
    hold.ok("chat.send", {"sessionKey": "agent:main:drain", "message": "x", "idempotencyKey": str(uuid.uuid4())})
    t.fake.wait_requests(1)
    t.gw.send_signal(signal.SIGTERM)
    hold.wait_event("shutdown", timeout=30)
    try:
        late = OpenClawClient(t.port, read_challenge=False)
    except (ConnectionError, OSError):
        release.set()  # listener already closed: refused
        assert t.gw.wait(60) == 0
        return
    try:
        frames = []
        try:
            while True:
                frames.append(late.recv(30))
        except Closed as closed:
            assert closed.code in (1012, None), closed
        assert all(f.get("event") in ("connect.challenge", None) for f in frames), frames
    finally:
        release.set()
    assert t.gw.wait() == 0  # the drain ends once the held run finishes
    # The drain finishes by itself (a second SIGTERM from the teardown would mean "exit now": 143).
    assert t.gw.wait(60) == 0
