"""Interoperability: the stock `openclaw` CLI (npm openclaw@2026.9.6 on node 24) against our gateway.

What it sends is in OPENCLAW_WIRE_NOTES.md: a device-less `cli`/`cli` connect with the shared token
and scopes [operator.read] (health) or [operator.write] (agent), then `health` / `agent` (two res).
The CLI is installed on first use with bench/openclaw_peer.sh (npm registry; bounded by
GW_E2E_OPENCLAW_INSTALL_TIMEOUT). WS_E2E_PEER=<port> runs these against a real OpenClaw gateway.
"""

from __future__ import annotations

import json

import pytest

from openclaw_cli import StockCli
from test_ws_methods import scripted


@pytest.fixture(scope="session")
def stock_cli() -> StockCli:
    return StockCli.ensure()


def test_stock_cli_gateway_call_health(stock_cli, ws_gateway, tmp_path):
    t = ws_gateway()
    r = stock_cli.run(["gateway", "call", "health", "--url", f"ws://127.0.0.1:{t.port}", "--token", t.token,
                       "--json"], tmp_path)
    assert r.returncode == 0, f"exit {r.returncode}\nstdout:\n{r.stdout[-3000:]}\nstderr:\n{r.stderr[-3000:]}"
    health = json.loads(r.stdout)
    assert health["ok"] is True, health


def test_stock_cli_gateway_call_status(stock_cli, ws_gateway, tmp_path):
    t = ws_gateway()
    r = stock_cli.run(["gateway", "call", "status", "--url", f"ws://127.0.0.1:{t.port}", "--token", t.token,
                       "--json"], tmp_path)
    assert r.returncode == 0, f"exit {r.returncode}\nstdout:\n{r.stdout[-3000:]}\nstderr:\n{r.stderr[-3000:]}"
    assert isinstance(json.loads(r.stdout), dict)


def test_stock_cli_with_a_wrong_token_fails(stock_cli, ws_gateway, tmp_path):
    t = ws_gateway()
    r = stock_cli.run(["gateway", "call", "health", "--url", f"ws://127.0.0.1:{t.port}", "--token",
                       t.token + "-wrong", "--json", "--timeout", "8000"], tmp_path)
    assert r.returncode != 0, r.stdout
    assert "mismatch" in (r.stdout + r.stderr).lower(), (r.stdout, r.stderr)


def test_stock_cli_agent_turn_json(stock_cli, ws_gateway, tmp_path):
    t = ws_gateway()
    expected = scripted(t, "PONG from fake" if t.fake is None else "interop reply")
    env = {"OPENCLAW_GATEWAY_URL": f"ws://127.0.0.1:{t.port}", "OPENCLAW_GATEWAY_TOKEN": t.token}
    r = stock_cli.run(["agent", "--agent", "main", "--message", "hello from the stock cli", "--json"], tmp_path, env)
    assert r.returncode == 0, f"exit {r.returncode}\nstdout:\n{r.stdout[-3000:]}\nstderr:\n{r.stderr[-3000:]}"
    out = json.loads(r.stdout)
    assert out["status"] == "ok", out
    assert [p["text"] for p in out["result"]["payloads"]] == [expected], out["result"]
    if t.fake is not None:
        body = t.fake.completion_requests()[-1].body
        assert "hello from the stock cli" in json.dumps(body), body


def test_stock_cli_agent_turn_prints_the_reply(stock_cli, ws_gateway, tmp_path):
    t = ws_gateway()
    expected = scripted(t, "plain interop reply")
    env = {"OPENCLAW_GATEWAY_URL": f"ws://127.0.0.1:{t.port}", "OPENCLAW_GATEWAY_TOKEN": t.token}
    r = stock_cli.run(["agent", "--agent", "main", "--message", "hi"], tmp_path, env)
    assert r.returncode == 0, f"exit {r.returncode}\nstdout:\n{r.stdout[-3000:]}\nstderr:\n{r.stderr[-3000:]}"
    assert r.stdout.strip().splitlines()[-1] == expected, r.stdout
