"""OpenClaw WebSocket protocol on "/" of the HTTP port."""

import time

from gw_e2e import OP_TEXT


def test_websocket_upgrade_on_root_sends_connect_challenge_first(gateway):
    gw = gateway()
    ws = gw.websocket("/")
    try:
        assert ws.handshake.status == 101
        msg = ws.recv_json()
        assert msg["type"] == "event" and msg["event"] == "connect.challenge", msg
        payload = msg["payload"]
        assert isinstance(payload["nonce"], str) and len(payload["nonce"]) >= 16, payload
        assert isinstance(payload["ts"], int), payload
        assert abs(payload["ts"] / 1000 - time.time()) < 3600, payload  # epoch milliseconds
    finally:
        ws.close()


def test_each_websocket_gets_a_fresh_challenge_nonce(gateway):
    gw = gateway()
    sockets = [gw.websocket() for _ in range(3)]
    try:
        nonces = {ws.recv_json()["payload"]["nonce"] for ws in sockets}
        assert len(nonces) == 3, nonces
    finally:
        for ws in sockets:
            ws.close()


def test_websocket_challenge_is_a_single_text_message(gateway):
    gw = gateway()
    ws = gw.websocket()
    try:
        fin, opcode, _ = ws.recv_frame()
        assert fin and opcode == OP_TEXT
    finally:
        ws.close()
