"""Graceful shutdown: readiness flips to 503 while draining, WebSockets get 1012, exit code 0."""

import http.client
import signal

import pytest

from gw_e2e import OP_CLOSE, STOP_TIMEOUT, close_code, wait_until

DRAIN_CONFIG = {"server": {"shutdown_grace": "60s", "keepalive_idle_timeout": "120s"}}


def wait_drain_started(gw, timeout: float = 15):
    """After a signal: returns once a fresh /readyz says 503 or fresh connections are no longer accepted."""

    def started():
        try:
            resp = gw.get("/readyz", timeout=2)
        except (OSError, http.client.HTTPException):
            return "not accepting"
        return "503" if resp.status == 503 else None

    return wait_until(started, timeout, what="the drain to start after the signal")


def request_during_drain(client, path):
    try:
        return client.get(path)
    except (OSError, http.client.HTTPException) as e:
        raise AssertionError(
            f"GET {path} on an already-open keep-alive connection failed during drain ({e!r}); the contract says "
            "it is served, with Connection: close"
        ) from e


def test_readiness_flips_to_503_during_shutdown_drain(gateway):
    gw = gateway(DRAIN_CONFIG)
    ready_conn, startup_conn = gw.client(), gw.client()
    try:
        assert ready_conn.get("/readyz").status == 200
        assert startup_conn.get("/health").status == 200
        gw.send_signal(signal.SIGTERM)
        wait_drain_started(gw)
        assert gw.alive(), "gateway exited although keep-alive connections were still open within shutdown_grace"

        ready = request_during_drain(ready_conn, "/readyz")
        assert ready.status == 503, ready
        body = ready.json()
        assert body["ready"] is False and "draining" in body["failing"], body
        assert body["checks"]["draining"] != "ok", body
        assert (ready.header("connection") or "").lower() == "close", ready

        startup = request_during_drain(startup_conn, "/startupz")
        assert startup.status == 503, startup
        assert startup.json()["status"] == "draining", startup
        assert (startup.header("connection") or "").lower() == "close", startup
    finally:
        ready_conn.close()
        startup_conn.close()
    assert gw.wait() == 0, gw.stderr()[-4000:]


def test_liveness_stays_ok_during_drain(gateway):
    gw = gateway(DRAIN_CONFIG)
    conn = gw.client()
    try:
        assert conn.get("/health").status == 200
        gw.send_signal(signal.SIGTERM)
        wait_drain_started(gw)
        resp = request_during_drain(conn, "/health")
        assert resp.status == 200 and resp.json() == {"ok": True, "status": "live"}, resp
    finally:
        conn.close()
    assert gw.wait() == 0


def test_open_websocket_gets_1012_on_sigterm_and_gateway_exits_zero(gateway):
    gw = gateway()
    ws = gw.websocket()
    try:
        assert ws.recv_json()["event"] == "connect.challenge"
        gw.send_signal(signal.SIGTERM)
        for _ in range(100):  # skip any events sent before the close frame
            op, payload = ws.recv_message(timeout=STOP_TIMEOUT)
            if op == OP_CLOSE:
                break
        else:
            raise AssertionError("no close frame after SIGTERM")
        assert close_code(payload) == 1012, payload
    finally:
        ws.close(1012)
    assert gw.wait() == 0, gw.stderr()[-4000:]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_idle_gateway_exits_zero_on_signal(gateway, sig):
    gw = gateway()
    assert gw.get("/health").status == 200
    assert gw.stop(sig) == 0, gw.stderr()[-4000:]
    assert not gw.sanitizer_reports(), gw.stderr()[-8000:]


def test_second_signal_exits_without_waiting_for_shutdown_grace(gateway):
    gw = gateway({"server": {"shutdown_grace": "120s", "keepalive_idle_timeout": "300s"}}, check_exit=False)
    held = gw.client()
    ws = gw.websocket()
    try:
        assert held.get("/health").status == 200
        gw.send_signal(signal.SIGTERM)
        wait_drain_started(gw)
        assert gw.alive(), "gateway exited although connections were open within shutdown_grace"
        gw.send_signal(signal.SIGINT)
        gw.wait(timeout=30)  # far below the 120 s grace; raises if the process is still draining
    finally:
        held.close()
        ws.close()
