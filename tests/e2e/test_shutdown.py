"""Graceful shutdown: readiness flips to 503 while draining, WebSockets get 1012, exit code 0.

Drain semantics under test: on the first SIGTERM/SIGINT the gateway stops accepting, closes idle
keep-alive connections, and lets a request that is already being received finish; that response is
served with `Connection: close`. So a request whose head is half-sent before the signal and completed
after it is answered *during* the drain, which is how these tests observe the draining state.
"""

import http.client
import signal

import pytest

from gw_e2e import OP_CLOSE, STOP_TIMEOUT, close_code, wait_until

DRAIN_CONFIG = {"server": {"shutdown_grace": "60s", "keepalive_idle_timeout": "120s", "header_read_timeout": "60s"}}


def wait_drain_started(gw, timeout: float = 15) -> str:
    """After a signal: returns once a fresh /readyz says 503 or fresh connections are no longer accepted."""

    def started():
        try:
            resp = gw.get("/readyz", timeout=2)
        except (OSError, http.client.HTTPException):
            return "not accepting"
        return "503" if resp.status == 503 else None

    return wait_until(started, timeout, what="the drain to start after the signal")


def start_request(gw, path: str):
    """A keep-alive connection that has served one request and holds the first half of a GET `path`."""
    conn = gw.raw()
    conn.send(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    first = conn.read_response()
    assert first.status == 200 and (first.header("connection") or "").lower() != "close", first
    conn.send(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode())  # no blank line yet: in flight
    return conn


def finish_request(conn):
    conn.send(b"\r\n")
    return conn.read_response()


def sync_with_server(gw) -> None:
    """A full round trip on another connection, so the half-sent bytes above have been read."""
    assert gw.get("/health").status == 200


def test_readiness_flips_to_503_during_shutdown_drain(gateway):
    gw = gateway(DRAIN_CONFIG)
    ready_conn, startup_conn = start_request(gw, "/readyz"), start_request(gw, "/startupz")
    try:
        sync_with_server(gw)
        gw.send_signal(signal.SIGTERM)
        wait_drain_started(gw)
        assert gw.alive(), "gateway exited although requests were in flight within shutdown_grace"

        ready = finish_request(ready_conn)
        assert ready.status == 503, ready
        body = ready.json()
        assert body["ready"] is False and "draining" in body["failing"], body
        assert body["checks"]["draining"] != "ok", body
        assert (ready.header("connection") or "").lower() == "close", ready
        ready_conn.wait_closed()

        startup = finish_request(startup_conn)
        assert startup.status == 503, startup
        assert startup.json()["status"] == "draining", startup
        assert (startup.header("connection") or "").lower() == "close", startup
    finally:
        ready_conn.close()
        startup_conn.close()
    assert gw.wait() == 0, gw.stderr()[-4000:]


def test_liveness_stays_ok_during_drain(gateway):
    gw = gateway(DRAIN_CONFIG)
    conn = start_request(gw, "/health")
    try:
        sync_with_server(gw)
        gw.send_signal(signal.SIGTERM)
        wait_drain_started(gw)
        resp = finish_request(conn)
        assert resp.status == 200 and resp.json() == {"ok": True, "status": "live"}, resp
        assert (resp.header("connection") or "").lower() == "close", resp
    finally:
        conn.close()
    assert gw.wait() == 0


def test_idle_keep_alive_connections_do_not_hold_the_drain(gateway):
    gw = gateway({"server": {"shutdown_grace": "120s", "keepalive_idle_timeout": "300s"}})
    clients = [gw.client() for _ in range(3)]
    try:
        for c in clients:
            assert c.get("/health").status == 200
        gw.send_signal(signal.SIGTERM)
        assert gw.wait(timeout=30) == 0  # far below the 120 s grace: idle connections were closed
    finally:
        for c in clients:
            c.close()


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
    gw = gateway({"server": {"shutdown_grace": "120s", "header_read_timeout": "300s"}}, check_exit=False)
    held = start_request(gw, "/health")
    try:
        sync_with_server(gw)
        gw.send_signal(signal.SIGTERM)
        wait_drain_started(gw)
        assert gw.alive(), "gateway exited although a request was in flight within shutdown_grace"
        gw.send_signal(signal.SIGINT)
        gw.wait(timeout=30)  # far below the 120 s grace; raises if the process is still draining
    finally:
        held.close()
