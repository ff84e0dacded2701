"""OpenClaw protocol v4: device pairing (reference §2.2.4). Loopback devices are auto-approved and get
a device token; others get NOT_PAIRED / PAIRING_REQUIRED with a request id until an operator approves
them with `openclaw-gateway devices approve <requestId>` (same config and data dir) or device.pair.approve.
"""

from __future__ import annotations

import json

from gw_e2e import GATEWAY_TOKEN, run_cli
from ws_client import DeviceIdentity, OpenClawClient, assert_error

PROXY = "127.0.0.2"       # a trusted proxy address on loopback
REMOTE = "203.0.113.7"    # the client address it forwards
SCOPES = ["operator.read", "operator.write"]


def proxied_gateway(gateway, **ws):
    return gateway({"auth": {"token": GATEWAY_TOKEN},
                    "edge": {"client_address": {"trusted_proxies": [f"{PROXY}/32"]}},
                    "ws": ws})


def remote_client(gw) -> OpenClawClient:
    return OpenClawClient(gw.port, source=PROXY, headers={"X-Forwarded-For": REMOTE})


def expect_pairing_required(c: OpenClawClient, device: DeviceIdentity) -> str:
    res = c.connect(token=GATEWAY_TOKEN, device=device, scopes=SCOPES)
    err = assert_error(res, "NOT_PAIRED", "PAIRING_REQUIRED")
    details = err["details"]
    assert isinstance(details.get("requestId"), str) and details["requestId"], details
    assert details.get("reason") == "not-paired", details
    assert c.wait_close()[0] == 1008
    return details["requestId"]


def devices_cli(gw, *args: str):
    """`openclaw-gateway devices <args> --config <the gateway's config>` (shares its data dir)."""
    return run_cli(gw.binary, ["devices", *args, "--config", str(gw.config_path)], cwd=gw.workdir, timeout=60)


def test_loopback_device_is_auto_approved_and_reconnects_with_its_token(gateway):
    gw = gateway({"auth": {"token": GATEWAY_TOKEN}})
    device = DeviceIdentity()
    c = OpenClawClient(gw.port)
    res = c.connect(token=GATEWAY_TOKEN, device=device, scopes=SCOPES)
    assert res["ok"] is True, res
    auth = res["payload"]["auth"]
    assert auth["scopes"] == SCOPES and auth.get("deviceToken"), auth
    assert isinstance(auth.get("issuedAtMs"), int), auth
    c.close()

    again = OpenClawClient(gw.port)
    res = again.connect(device=device, device_token=device.device_token, scopes=SCOPES)
    assert res["ok"] is True, res
    assert again.ok("health")["ok"] is True


def test_device_token_survives_a_restart(gateway):
    """Paired devices and their tokens persist in the store."""
    gw = gateway({"auth": {"token": GATEWAY_TOKEN}})
    device = DeviceIdentity()
    c = OpenClawClient(gw.port)
    assert c.connect(token=GATEWAY_TOKEN, device=device, scopes=SCOPES)["ok"]
    c.close()
    assert gw.stop() == 0
    gw.start()
    again = OpenClawClient(gw.port)
    res = again.connect(device=device, device_token=device.device_token, scopes=SCOPES)
    assert res["ok"] is True, res


def test_remote_device_needs_approval_via_cli(gateway):
    gw = proxied_gateway(gateway)
    device = DeviceIdentity()
    request_id = expect_pairing_required(remote_client(gw), device)

    listed = devices_cli(gw, "list")
    assert listed.returncode == 0, listed.stderr
    assert request_id in listed.stdout, listed.stdout

    approved = devices_cli(gw, "approve", request_id)
    assert approved.returncode == 0, (approved.stdout, approved.stderr)

    c = remote_client(gw)
    res = c.connect(token=GATEWAY_TOKEN, device=device, scopes=SCOPES)
    assert res["ok"] is True, res
    assert res["payload"]["auth"]["scopes"] == SCOPES, res["payload"]["auth"]
    assert res["payload"]["auth"].get("deviceToken"), res["payload"]["auth"]
    assert c.ok("health")["ok"] is True


def test_rejected_request_keeps_the_device_out(gateway):
    gw = proxied_gateway(gateway)
    device = DeviceIdentity()
    request_id = expect_pairing_required(remote_client(gw), device)
    rejected = devices_cli(gw, "reject", request_id)
    assert rejected.returncode == 0, (rejected.stdout, rejected.stderr)
    c = remote_client(gw)
    res = c.connect(token=GATEWAY_TOKEN, device=device, scopes=SCOPES)
    assert res["ok"] is False, res
    assert c.wait_close()[0] == 1008


def test_approve_of_an_unknown_request_fails(gateway):
    gw = proxied_gateway(gateway)
    result = devices_cli(gw, "approve", "no-such-request")
    assert result.returncode != 0, result.stdout


def test_remote_device_approved_over_rpc(gateway):
    gw = proxied_gateway(gateway)
    device = DeviceIdentity()
    request_id = expect_pairing_required(remote_client(gw), device)

    admin = OpenClawClient(gw.port)
    assert admin.connect(token=GATEWAY_TOKEN, device=DeviceIdentity())["ok"]  # loopback, all operator scopes
    pending = admin.ok("device.pair.list", {})
    assert request_id in json.dumps(pending), pending
    admin.ok("device.pair.approve", {"requestId": request_id})

    c = remote_client(gw)
    assert c.connect(token=GATEWAY_TOKEN, device=device, scopes=SCOPES)["ok"]


def test_auto_approve_local_off_requires_pairing_on_loopback(gateway):
    gw = gateway({"auth": {"token": GATEWAY_TOKEN}, "ws": {"auto_approve_local": False}})
    expect_pairing_required(OpenClawClient(gw.port), DeviceIdentity())


def test_scope_upgrade_of_a_remote_device_needs_approval(gateway):
    gw = proxied_gateway(gateway)
    device = DeviceIdentity()
    request_id = expect_pairing_required(remote_client(gw), device)
    assert devices_cli(gw, "approve", request_id).returncode == 0
    c = remote_client(gw)
    res = c.connect(token=GATEWAY_TOKEN, device=device, scopes=SCOPES + ["operator.admin"])
    err = assert_error(res, "NOT_PAIRED", "PAIRING_REQUIRED")
    assert err["details"].get("reason") == "scope-upgrade", err


def test_revoked_device_token_no_longer_connects(gateway):
    gw = gateway({"auth": {"token": GATEWAY_TOKEN}})
    device = DeviceIdentity()
    c = OpenClawClient(gw.port)
    assert c.connect(token=GATEWAY_TOKEN, device=device, scopes=SCOPES)["ok"]
    c.close()
    admin = OpenClawClient(gw.port)
    assert admin.connect(token=GATEWAY_TOKEN, device=DeviceIdentity())["ok"]  # all operator scopes
    admin.ok("device.token.revoke", {"deviceId": device.device_id, "role": "operator"})
    again = OpenClawClient(gw.port)
    res = again.connect(device=device, device_token=device.device_token, scopes=SCOPES)
    assert res["ok"] is False, res
    assert again.wait_close()[0] == 1008
