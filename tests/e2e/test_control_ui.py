"""The stock OpenClaw Control UI (dist/control-ui of npm openclaw@2026.9.6, installed outside the
repository by bench/openclaw_peer.sh), served by OUR gateway (ws.control_ui), driven in Debian's
headless Chromium by node/control_ui_chat.mjs (playwright-core pinned in node/package-lock.json): it
opens the UI with #token=<gateway token>, sends a chat message and waits for the assistant's reply.
See CONTROL_UI_NOTES.md for the methods and events the UI needs.

Prerequisites (skip locally, fail with GW_E2E_REQUIRE=1): `apt-get install chromium`,
tests/e2e/node/install.sh, the openclaw npm package (bench/openclaw_peer.sh install) or
OPENCLAW_CONTROL_UI_ROOT=<dir with index.html>.
WS_E2E_PEER=<port> runs the same script against a running real OpenClaw gateway (token peer-token,
serving its own UI) whose upstream answers with WS_E2E_PEER_REPLY (default "PONG from fake"; "{nonce}" in it
is replaced by this run's nonce, which the message carries as "nonce-<hex>").
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from fake_llm import Reply
from gw_e2e import GATEWAY_TOKEN, llm_config, missing
from ws_client import DeviceIdentity, OpenClawClient

NODE_DIR = Path(__file__).resolve().parent / "node"
SCRIPT = NODE_DIR / "control_ui_chat.mjs"
UI_TIMEOUT_MS = int(os.environ.get("GW_E2E_UI_TIMEOUT_MS", "90000"))
# What the stock UI (2026.9.6) sends in `connect`, captured in headless Chromium (CONTROL_UI_NOTES.md).
UI_SCOPES = ["operator.admin", "operator.read", "operator.write", "operator.approvals", "operator.questions",
             "operator.pairing"]
UI_CAPS = ["agent-kind", "approvals", "task-suggestions", "terminal-offset-seq", "terminal-session-metadata",
           "terminal-upload-path-style", "tool-events", "inline-widgets", "model-selection-policy", "ui-commands",
           "usage-refreshing", "model-catalog-snapshot"]
UI_PLATFORM = "Linux x86_64"


def _default_ui_root() -> Path:
    cache = Path(os.environ.get("OPENCLAW_PEER_CACHE", str(Path.home() / ".cache" / "openclaw-peer")))
    version = os.environ.get("OPENCLAW_PEER_VERSION", "2026.9.6")
    return cache / f"openclaw-{version}" / "node_modules" / "openclaw" / "dist" / "control-ui"


@pytest.fixture(scope="module")
def ui_root() -> Path:
    root = Path(os.environ.get("OPENCLAW_CONTROL_UI_ROOT", str(_default_ui_root())))
    if not (root / "index.html").is_file():
        missing(f"no stock Control UI at {root} (bench/openclaw_peer.sh install, or set OPENCLAW_CONTROL_UI_ROOT)")
    return root


@pytest.fixture(scope="module")
def ui_driver() -> dict:
    node = shutil.which("node")
    if not node:
        missing("node not installed")
    if not (NODE_DIR / "node_modules" / "playwright-core").is_dir():
        missing("tests/e2e/node/node_modules/playwright-core missing: run tests/e2e/node/install.sh")
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not os.access(chromium, os.X_OK):
        missing("chromium not installed (Debian package chromium)")
    return {"node": node, "chromium": chromium}


def drive_ui(driver: dict, url: str, token: str, message: str, expect: str, out_dir: Path) -> tuple[int, dict]:
    """Runs control_ui_chat.mjs; returns (exit code, its JSON result). Screenshot and frames land in out_dir."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(out_dir), "NO_PROXY": "*", "no_proxy": "*",
           "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD": "1"}
    cmd = [driver["node"], str(SCRIPT), "--url", url, "--token", token, "--message", message, "--expect", expect,
           "--timeout-ms", str(UI_TIMEOUT_MS), "--chromium", driver["chromium"],
           "--screenshot", str(out_dir / "control-ui.png"), "--frames", str(out_dir / "control-ui-frames.json")]
    proc = subprocess.run(cmd, cwd=NODE_DIR, env=env, capture_output=True, text=True,
                          timeout=UI_TIMEOUT_MS / 1000 + 60, stdin=subprocess.DEVNULL)
    lines = proc.stdout.strip().splitlines()
    try:
        result = json.loads(lines[-1]) if lines else {}
    except json.JSONDecodeError:
        result = {}
    result.setdefault("stderr", proc.stderr[-2000:])
    return proc.returncode, result


def explain(result: dict, out_dir: Path) -> str:
    """A failure message led by what our server must still implement."""
    failed = sorted({f.get("method") or "?" for f in result.get("failedMethods", [])})
    keep = {k: result.get(k) for k in ("error", "helloOk", "connectError", "chatSend", "eventsReceived",
                                        "assistantTexts", "consoleErrors", "stderr", "bannerText")}
    return (f"Control UI round trip failed: {result.get('error')}\n"
            f"methods answered with an error: {failed}\n"
            f"methods called: {result.get('methodsCalled')}\n"
            f"details: {json.dumps(keep, indent=1)[:5000]}\n"
            f"screenshot / frames: {out_dir / 'control-ui.png'} {out_dir / 'control-ui-frames.json'}")


def test_control_ui_sends_chat_and_shows_reply(ui_root, ui_driver, gateway, fake_llm, tmp_path):
    nonce = uuid.uuid4().hex[:10]
    message = f"Hello from the Control UI test nonce-{nonce}"
    peer = os.environ.get("WS_E2E_PEER")
    if peer:
        url, token = f"http://127.0.0.1:{peer}/", "peer-token"
        expect = os.environ.get("WS_E2E_PEER_REPLY", "PONG from fake").replace("{nonce}", nonce)
    else:
        expect = f"control-ui reply {nonce}"
        fake_llm.set_default(Reply(expect, chunk_size=4))
        gw = gateway(llm_config(fake_llm.base_url,
                                extra={"ws": {"control_ui": {"enabled": True, "root": str(ui_root)}}}))
        url, token = f"http://127.0.0.1:{gw.port}/", GATEWAY_TOKEN
        index = gw.get("/")
        assert index.status == 200, index
        assert b"data-openclaw-control-ui-base-path" in index.body, index.body[:400]

    rc, result = drive_ui(ui_driver, url, token, message, expect, tmp_path)

    connect = result.get("connect") or {}
    assert connect.get("client", {}).get("id") == "openclaw-control-ui", explain(result, tmp_path)
    assert result.get("helloOk") is True, explain(result, tmp_path)
    assert rc == 0 and result.get("ok") is True, explain(result, tmp_path)
    assert result["chatSend"]["message"] == message, result["chatSend"]
    assert expect in result["replyText"], result["replyText"]
    if not peer:
        texts = [rec.last_user_text() for rec in fake_llm.wait_requests(1)]
        assert any(nonce in t for t in texts), texts


def ui_connect_params(client: OpenClawClient, token: str, device: DeviceIdentity) -> dict:
    """`connect` params shaped exactly like the stock Control UI's (v2 device proof, token twice)."""
    challenge = client.challenge
    proof = device.proof(nonce=challenge["nonce"], signed_at=challenge["ts"], client_id="openclaw-control-ui",
                         client_mode="webchat", role="operator", scopes=UI_SCOPES, token=token,
                         platform=UI_PLATFORM, device_family="", version=2)
    return {
        "minProtocol": 4, "maxProtocol": 4,
        "client": {"id": "openclaw-control-ui", "version": "2026.9.6",
                   "buildId": "2026.9.6-release-eb377ac59e6c-2026-09-23T16-33-12.144Z", "platform": UI_PLATFORM,
                   "mode": "webchat", "instanceId": str(uuid.uuid4()), "timeZone": "UTC"},
        "role": "operator", "scopes": UI_SCOPES, "device": proof, "modelCatalog": {"sessionKey": "main"},
        "caps": UI_CAPS, "auth": {"token": token, "password": token},
        "userAgent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                     "HeadlessChrome/156.0.0.0 Safari/537.36",
        "locale": "en-US",
    }


def test_control_ui_protocol_subset_without_browser(ui_root, ws_gateway, fake_llm):
    """The calls the UI cannot do without (CONTROL_UI_NOTES.md), replayed with its exact connect params
    and browser Origin: connect, chat.startup, chat.send, then the reply as `chat` delta/final events."""
    nonce = uuid.uuid4().hex[:10]
    if os.environ.get("WS_E2E_PEER"):
        target = ws_gateway()
    else:
        fake_llm.set_default(Reply(f"protocol reply {nonce}", chunk_size=5))
        target = ws_gateway(extra={"ws": {"control_ui": {"enabled": True, "root": str(ui_root)}}})
    origin = f"http://127.0.0.1:{target.port}"
    client = OpenClawClient(target.port, headers={"Origin": origin})
    try:
        res = client.connect(ui_connect_params(client, target.token, DeviceIdentity()))
        assert res.get("ok") is True, f"connect as the Control UI rejected: {res}"
        hello = res["payload"]
        assert hello["type"] == "hello-ok", hello
        if target.gw is not None:
            # Else the UI sees a build mismatch with its own 2026.9.6 build and shows "Refresh required".
            assert hello["server"].get("controlUiBuildSource") == "configured", hello["server"]
        defaults = (hello.get("snapshot") or {}).get("sessionDefaults") or {}
        key = defaults.get("mainSessionKey") or "agent:main:main"

        startup = client.ok("chat.startup", {"sessionKey": key, "limit": 80, "maxBytes": 262144})
        assert startup["sessionKey"] == key, startup
        assert isinstance(startup["messages"], list), startup

        ik = str(uuid.uuid4())
        send = {"sessionKey": key, "message": f"protocol subset nonce-{nonce}", "deliver": False,
                "queueMode": "steer", "expectedLeafEntryId": None, "idempotencyKey": ik}
        if startup.get("sessionId"):
            send["sessionId"] = startup["sessionId"]
        ack = client.ok("chat.send", send)
        assert ack["runId"] == ik and ack["status"] == "started", ack

        final = client.wait_event("chat", lambda p: p.get("runId") == ik and p.get("state") in ("final", "error"),
                                  timeout=120)["payload"]
        assert final["state"] == "final", final
        parts = (final.get("message") or {}).get("content") or []
        text = "".join(p.get("text", "") for p in parts if isinstance(p, dict))
        if target.gw is not None:
            assert text == f"protocol reply {nonce}", final
        else:
            assert text, final
    finally:
        client.close()
