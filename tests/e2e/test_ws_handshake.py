"""OpenClaw protocol v4 on WS "/": handshake, connect validation, auth and device proof (reference §2.2).

Every failure path is an error `res` for the connect id followed by a close with the given code; the
expected texts are the ones the real OpenClaw 2026.9.6 sends (tests/e2e/OPENCLAW_WIRE_NOTES.md).
Set WS_E2E_PEER=<port> to run the peer-compatible tests against a running real OpenClaw gateway.
"""

from __future__ import annotations

import hashlib
import json

import pytest

from ws_client import (
    Closed,
    DeviceIdentity,
    OpenClawClient,
    assert_error,
    b64url,
)


def expect_rejected(c: OpenClawClient, res: dict, code: str, detail: str | None, close: int) -> dict:
    err = assert_error(res, code, detail)
    assert res["id"] == "c1", res
    got_code, reason = c.wait_close()
    assert got_code == close, (got_code, reason, res)
    return err


# ------------------------------------------------------------------------------------ framing


def test_first_frame_must_be_connect(ws_gateway):
    t = ws_gateway()
    c = t.client()
    res = c.call("health", {})
    err = assert_error(res, "INVALID_REQUEST")
    assert err["message"] == "invalid handshake: first request must be connect", err
    code, reason = c.wait_close()
    assert (code, reason) == (1008, err["message"])


def test_first_frame_that_is_not_json_closes_without_hello(ws_gateway):
    t = ws_gateway()
    c = t.client()
    c.send_text("{not json")
    code, _ = c.wait_close()
    # The peer closes 1000 without a res; our contract allows an INVALID_REQUEST res before 1008.
    assert code in (1000, 1008), code
    for frame in c.frames[1:]:  # after connect.challenge
        assert frame.get("type") == "res" and frame.get("ok") is False, frame
        assert frame["error"]["code"] == "INVALID_REQUEST", frame


def test_first_frame_that_is_not_an_object_closes_1008(ws_gateway):
    t = ws_gateway()
    c = t.client()
    c.send_text("[1,2]")
    code, _ = c.wait_close()
    assert code == 1008
    assert c.hello is None


def test_preauth_frame_over_64_kib_closes_1009(ws_gateway):
    t = ws_gateway()
    c = t.client()
    c.send_text(json.dumps({"type": "req", "id": "c1", "method": "connect", "params": {"x": "a" * 70_000}}))
    code, _ = c.wait_close()
    assert code == 1009
    assert not any(f.get("ok") for f in c.frames), c.frames


def test_preauth_frame_just_under_64_kib_is_parsed(ws_gateway):
    """A big-but-allowed connect is read and validated (here: rejected for its unknown field, not 1009)."""
    t = ws_gateway()
    c = t.client()
    params = c.connect_params(token=t.token)
    params["bogus"] = "a" * 60_000
    res = c.connect(params)
    assert_error(res, "INVALID_REQUEST")
    assert c.wait_close()[0] == 1008


# ---------------------------------------------------------------------------- connect validation


def test_protocol_range_without_4_closes_1002(ws_gateway):
    t = ws_gateway()
    c = t.client()
    res = c.connect(token=t.token, min_protocol=5, max_protocol=6)
    err = assert_error(res, "INVALID_REQUEST", "PROTOCOL_MISMATCH")
    d = err["details"]
    assert (d["clientMinProtocol"], d["clientMaxProtocol"], d["expectedProtocol"]) == (5, 6, 4), d
    code, reason = c.wait_close()
    assert (code, reason) == (1002, "protocol mismatch")


def test_operator_on_protocol_3_is_a_mismatch(ws_gateway):
    t = ws_gateway()
    c = t.client()
    res = c.connect(token=t.token, min_protocol=3, max_protocol=3)
    assert_error(res, "INVALID_REQUEST", "PROTOCOL_MISMATCH")
    assert c.wait_close()[0] == 1002


@pytest.mark.parametrize("field,kw,fragment", [
    ("client.id", {"client_id": "not-a-client"}, "/client/id"),
    ("client.mode", {"mode": "operator"}, "/client/mode"),  # the docs example's mode is invalid
])
def test_closed_client_enums(ws_gateway, field, kw, fragment):
    t = ws_gateway()
    c = t.client()
    res = c.connect(token=t.token, **kw)
    err = expect_rejected(c, res, "INVALID_REQUEST", None, 1008)
    assert err["message"].startswith("invalid connect params"), err
    assert fragment in err["message"], err


def test_unknown_connect_field_is_rejected(ws_gateway):
    t = ws_gateway()
    c = t.client()
    params = c.connect_params(token=t.token)
    params["bogus"] = 1
    res = c.connect(params)
    err = expect_rejected(c, res, "INVALID_REQUEST", None, 1008)
    assert "bogus" in err["message"], err


def test_unknown_client_field_is_rejected(ws_gateway):
    t = ws_gateway()
    c = t.client()
    params = c.connect_params(token=t.token)
    params["client"]["nickname"] = "x"
    res = c.connect(params)
    expect_rejected(c, res, "INVALID_REQUEST", None, 1008)


# --------------------------------------------------------------------------------------- auth


def test_wrong_token_gets_auth_token_mismatch(ws_gateway):
    t = ws_gateway()
    c = t.client()
    res = c.connect(token=t.token + "x", device=DeviceIdentity())
    err = expect_rejected(c, res, "INVALID_REQUEST", "AUTH_TOKEN_MISMATCH", 1008)
    assert err["message"].startswith("unauthorized: gateway token mismatch"), err
    assert err["details"]["recommendedNextStep"] == "retry_with_device_token", err
    assert c.closed.reason == err["message"]


def test_missing_token_gets_auth_token_missing(ws_gateway):
    t = ws_gateway()
    c = t.client()
    res = c.connect(device=DeviceIdentity())
    err = expect_rejected(c, res, "INVALID_REQUEST", "AUTH_TOKEN_MISSING", 1008)
    assert err["message"].startswith("unauthorized: gateway token missing"), err
    assert "recommendedNextStep" in err["details"], err


def test_deviceless_cli_with_token_gets_requested_scopes(ws_gateway):
    """What the stock `openclaw gateway call` sends: no device object, token only, on loopback."""
    t = ws_gateway()
    c = t.client()
    params = c.connect_params(token=t.token, scopes=["operator.read"], caps=[])
    res = c.connect(params)
    assert res["ok"] is True, res
    assert res["payload"]["auth"]["scopes"] == ["operator.read"], res["payload"]["auth"]
    assert c.ok("health")["ok"] is True


# ------------------------------------------------------------------------------- device proof


@pytest.mark.parametrize("version", [3, 2])
def test_valid_device_proof_is_accepted_and_gets_a_device_token(ws_gateway, version):
    t = ws_gateway()
    c = t.client()
    device = DeviceIdentity()
    scopes = ["operator.read", "operator.write"]
    res = c.connect(token=t.token, device=device, scopes=scopes, proof_version=version)
    assert res["ok"] is True, res
    auth = res["payload"]["auth"]
    assert auth["role"] == "operator" and auth["scopes"] == scopes, auth
    assert isinstance(auth.get("deviceToken"), str) and auth["deviceToken"], auth


def test_device_token_alone_reconnects(ws_gateway):
    t = ws_gateway()
    device = DeviceIdentity()
    first = t.client()
    assert first.connect(token=t.token, device=device, scopes=["operator.read"])["ok"]
    first.close()
    assert device.device_token
    again = t.client()
    res = again.connect(device=device, device_token=device.device_token, scopes=["operator.read"])
    assert res["ok"] is True, res
    assert res["payload"]["auth"]["scopes"] == ["operator.read"], res["payload"]["auth"]
    assert again.ok("health")["ok"] is True


def test_wrong_device_token_is_rejected(ws_gateway):
    t = ws_gateway()
    device = DeviceIdentity()
    first = t.client()
    assert first.connect(token=t.token, device=device, scopes=["operator.read"])["ok"]
    first.close()
    c = t.client()
    res = c.connect(device=device, device_token=device.device_token[:-2] + "xx", scopes=["operator.read"])
    assert res.get("ok") is False, res
    assert res["error"]["code"] == "INVALID_REQUEST", res
    assert c.wait_close()[0] == 1008


def _tampered(c: OpenClawClient, token: str, mutate) -> dict:
    params = c.connect_params(token=token, device=DeviceIdentity())
    mutate(params)
    return c.connect(params)


def _bad_public_key(p: dict) -> None:
    raw = b"\x01\x02\x03\x04\x05"  # not a 32-byte Ed25519 key; the id matches it
    p["device"]["publicKey"] = b64url(raw)
    p["device"]["id"] = hashlib.sha256(raw).hexdigest()


@pytest.mark.parametrize("case,kw,mutate,detail,message", [
    ("wrong nonce", {"nonce": "00000000-0000-4000-8000-000000000000"}, None,
     "DEVICE_AUTH_NONCE_MISMATCH", "device nonce mismatch"),
    ("stale signedAt", {"signed_at_delta": -600_000}, None,
     "DEVICE_AUTH_SIGNATURE_EXPIRED", "device signature expired"),
    ("future signedAt", {"signed_at_delta": +600_000}, None,
     "DEVICE_AUTH_SIGNATURE_EXPIRED", "device signature expired"),
    ("bad signature", {}, lambda p: p["device"].update(signature=DeviceIdentity().sign("x")),
     "DEVICE_AUTH_SIGNATURE_INVALID", "device signature invalid"),
    ("signature over other scopes", {}, lambda p: p.update(scopes=["operator.read"]),
     "DEVICE_AUTH_SIGNATURE_INVALID", "device signature invalid"),
    ("id mismatch", {}, lambda p: p["device"].update(id="0" * 64), "DEVICE_AUTH_DEVICE_ID_MISMATCH",
     "device identity mismatch"),
])
def test_device_proof_failures(ws_gateway, case, kw, mutate, detail, message):
    t = ws_gateway()
    c = t.client()
    device = DeviceIdentity()
    args = {"token": t.token, "device": device}
    if "nonce" in kw:
        args["nonce"] = kw["nonce"]
    if "signed_at_delta" in kw:
        args["signed_at"] = c.challenge["ts"] + kw["signed_at_delta"]
    params = c.connect_params(**args)
    if mutate:
        mutate(params)
    res = c.connect(params)
    err = expect_rejected(c, res, "INVALID_REQUEST", detail, 1008)
    assert err["message"] == message, (case, err)
    assert c.closed.reason == message


def test_bad_public_key_is_a_device_auth_failure(ws_gateway):
    """The peer answers SIGNATURE_INVALID here; the contract's PUBLIC_KEY_INVALID is also accepted."""
    t = ws_gateway()
    c = t.client()
    res = _tampered(c, t.token, _bad_public_key)
    err = assert_error(res, "INVALID_REQUEST")
    assert err["details"]["code"] in ("DEVICE_AUTH_PUBLIC_KEY_INVALID", "DEVICE_AUTH_SIGNATURE_INVALID"), err
    assert c.wait_close()[0] == 1008


def test_device_without_nonce_is_rejected(ws_gateway):
    t = ws_gateway()
    c = t.client()
    res = _tampered(c, t.token, lambda p: p["device"].pop("nonce"))
    err = assert_error(res, "INVALID_REQUEST")
    # peer: schema error (required property 'nonce'); the contract also names DEVICE_AUTH_NONCE_REQUIRED
    assert "nonce" in err["message"] or (err.get("details") or {}).get("code") == "DEVICE_AUTH_NONCE_REQUIRED", err
    assert c.wait_close()[0] == 1008


# -------------------------------------------------------------------------------------- hello-ok


def test_hello_ok_carries_every_required_field(ws_gateway):
    t = ws_gateway()
    c = t.operator(scopes=["operator.read"])
    h = c.hello
    assert h["type"] == "hello-ok" and h["protocol"] == 4, h
    assert isinstance(h["server"]["version"], str) and h["server"]["version"], h["server"]
    assert isinstance(h["server"]["connId"], str) and h["server"]["connId"], h["server"]
    methods, events = h["features"]["methods"], h["features"]["events"]
    assert isinstance(methods, list) and isinstance(events, list)
    for m in ("health", "chat.send", "chat.history", "agent", "agent.wait", "sessions.list"):
        assert m in methods, m
    for e in ("chat", "agent", "tick", "shutdown"):
        assert e in events, e
    snap = h["snapshot"]
    assert isinstance(snap["presence"], list) and isinstance(snap["health"], dict), snap.keys()
    assert set(snap["stateVersion"]) >= {"presence", "health"}, snap["stateVersion"]
    assert isinstance(snap["uptimeMs"], int) and isinstance(snap["sessionDefaults"], dict), snap.keys()
    assert h["auth"]["role"] == "operator" and h["auth"]["scopes"] == ["operator.read"], h["auth"]
    pol = h["policy"]
    assert pol["maxPayload"] >= 64 * 1024 and pol["maxBufferedBytes"] > 0 and pol["tickIntervalMs"] > 0, pol


def test_every_advertised_method_exists(ws_gateway):
    """features.methods lists only what is implemented: no advertised name answers 'unknown method'."""
    t = ws_gateway()
    if t.is_peer:
        pytest.skip("the peer advertises 466 methods")
    c = t.operator()
    for method in c.hello["features"]["methods"]:
        if method == "connect":
            continue
        rid = c.request(method, {"__probe__": True})  # invalid params on purpose: no side effects
        res = c.wait_res(rid)
        if not res["ok"]:
            assert not res["error"]["message"].startswith("unknown method"), (method, res)


def test_health_event_follows_hello_with_seq_1(ws_gateway):
    t = ws_gateway()
    if t.is_peer:
        pytest.skip("the peer does not always push health after hello (wire notes)")
    c = t.operator(scopes=["operator.read"])
    ev = c.wait_event("health")
    assert c.events[1] is ev and ev["seq"] == 1, c.events[:3]  # events[0] is connect.challenge
    assert ev["payload"]["ok"] is True, ev


def test_second_connect_is_rejected(ws_gateway):
    t = ws_gateway()
    c = t.operator(scopes=["operator.read"])
    res = c.call("connect", c.connect_params(token=t.token))
    assert res["ok"] is False and res["error"]["code"] in ("INVALID_REQUEST", "FORBIDDEN"), res  # peer: FORBIDDEN
    assert c.ok("health")["ok"] is True


# -------------------------------------------------------------------------- our configuration


def test_handshake_timeout_closes_a_silent_client(gateway):
    gw = gateway({"ws": {"handshake_timeout": "300ms"}})
    c = OpenClawClient(gw.port)
    code, _ = c.wait_close(timeout=15)
    assert code == 1008, code
    assert c.hello is None


def test_connect_within_the_handshake_timeout_succeeds(gateway):
    from gw_e2e import GATEWAY_TOKEN

    gw = gateway({"auth": {"token": GATEWAY_TOKEN}, "ws": {"handshake_timeout": "10s"}})
    c = OpenClawClient(gw.port)
    assert c.connect(token=GATEWAY_TOKEN, device=DeviceIdentity())["ok"]


def test_socket_stays_open_after_a_request_error(ws_gateway):
    t = ws_gateway()
    c = t.operator()
    res = c.call("no.such.method", {})
    assert res["ok"] is False
    assert c.ok("health")["ok"] is True


def test_closed_exception_after_close(ws_gateway):
    """Sanity of the client: after the server closes, further reads raise Closed."""
    t = ws_gateway()
    c = t.client()
    c.call("health", {})
    c.wait_close()
    with pytest.raises(Closed):
        c.recv(1)


# --------------------------------------------------------------------------- password, rate limit

PASSWORD = "e2e-gateway-password-0123"


def test_password_auth(gateway):
    gw = gateway({"auth": {"password": PASSWORD}})
    ok = OpenClawClient(gw.port)
    res = ok.connect(password=PASSWORD, device=DeviceIdentity(), scopes=["operator.read"])
    assert res["ok"] is True, res
    bad = OpenClawClient(gw.port)
    res = bad.connect(password=PASSWORD + "x", device=DeviceIdentity(), scopes=["operator.read"])
    err = expect_rejected(bad, res, "INVALID_REQUEST", "AUTH_PASSWORD_MISMATCH", 1008)
    assert err["message"].startswith("unauthorized: gateway password mismatch"), err
    assert "recommendedNextStep" in err["details"], err


def test_failed_auth_is_rate_limited_off_loopback_but_not_on_loopback(gateway):
    from gw_e2e import GATEWAY_TOKEN

    gw = gateway({"auth": {"token": GATEWAY_TOKEN},
                  "edge": {"client_address": {"trusted_proxies": ["127.0.0.2/32"]}}})

    def attempt(token: str, remote: bool) -> dict:
        kw = {"source": "127.0.0.2", "headers": {"X-Forwarded-For": "203.0.113.50"}} if remote else {}
        c = OpenClawClient(gw.port, **kw)
        res = c.connect(token=token)
        c.close()
        return res

    for _ in range(12):  # loopback is exempt
        assert attempt("wrong", remote=False)["error"]["details"]["code"] == "AUTH_TOKEN_MISMATCH"
    codes = [attempt("wrong", remote=True)["error"]["details"]["code"] for _ in range(11)]
    assert codes[:10] == ["AUTH_TOKEN_MISMATCH"] * 10, codes
    assert codes[10] == "AUTH_RATE_LIMITED", codes
    locked = attempt(GATEWAY_TOKEN, remote=True)  # even the right token is locked out now
    err = assert_error(locked, "INVALID_REQUEST", "AUTH_RATE_LIMITED")
    assert isinstance(err.get("retryAfterMs") or err["details"].get("retryAfterMs"), int), err
    assert attempt(GATEWAY_TOKEN, remote=False)["ok"] is True  # loopback still gets in


def test_frames_over_64_kib_are_fine_after_hello(ws_gateway):
    t = ws_gateway()
    c = t.operator(scopes=["operator.read"])
    c.send({"type": "req", "id": "big", "method": "health", "params": {"probe": "a" * 100_000}})
    res = c.wait_res("big")  # answered (ok or an INVALID_REQUEST for the odd probe), not closed 1009
    assert res["id"] == "big"
    assert c.ok("health")["ok"] is True


def test_deviceless_test_client_gets_no_scopes(ws_gateway):
    """Peer-verified: a device-less `test`/`test` client is admitted with its scopes cleared."""
    t = ws_gateway()
    c = t.client()
    res = c.connect(token=t.token, client_id="test", mode="test", scopes=["operator.read", "operator.write"])
    if res["ok"]:
        assert res["payload"]["auth"]["scopes"] == [], res["payload"]["auth"]
        assert_error(c.call("sessions.list", {}), "FORBIDDEN", "MISSING_SCOPE")
    else:
        assert_error(res, res["error"]["code"])  # refusing it outright is stricter and acceptable


# ----------------------------------------------------------------------------------- browser origin


def test_browser_origin_allowlist(gateway, tmp_path):
    from gw_e2e import GATEWAY_TOKEN

    ui = tmp_path / "ui"
    ui.mkdir()
    (ui / "index.html").write_text("<!doctype html><title>ui</title>")
    gw = gateway({"auth": {"token": GATEWAY_TOKEN},
                  "ws": {"control_ui": {"enabled": True, "root": str(ui), "allowed_origins": ["http://good.example"]}}})

    good = OpenClawClient(gw.port, headers={"Origin": "http://good.example"})
    res = good.connect(token=GATEWAY_TOKEN, device=DeviceIdentity(), client_id="openclaw-control-ui", mode="ui",
                       platform="web", device_family=None)
    assert res["ok"] is True, res

    try:
        bad = OpenClawClient(gw.port, headers={"Origin": "http://evil.example"})
    except ConnectionError:
        return  # refused at the upgrade: fine
    res = bad.connect(token=GATEWAY_TOKEN, device=DeviceIdentity(), client_id="openclaw-control-ui", mode="ui",
                      platform="web", device_family=None)
    err = expect_rejected(bad, res, "INVALID_REQUEST", "CONTROL_UI_ORIGIN_NOT_ALLOWED", 1008)
    assert err["message"].startswith("origin not allowed"), err
