"""The official `openai` npm SDK (pinned in node/package-lock.json) against the gateway: non-streaming,
streaming, tools, `user` continuity, models, 401. Needs `tests/e2e/node/install.sh` to have run; skips
otherwise (fails with GW_E2E_REQUIRE=1)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from fake_llm import Reply, ToolCall, ToolCalls
from gw_e2e import GATEWAY_TOKEN, IO_TIMEOUT, missing

NODE_DIR = Path(__file__).resolve().parent / "node"
SCRIPT = NODE_DIR / "openai_client.mjs"


@pytest.fixture(scope="module")
def node():
    path = shutil.which("node")
    if not path:
        missing("node not installed")
    if not (NODE_DIR / "node_modules" / "openai").is_dir():
        missing("tests/e2e/node/node_modules missing: run tests/e2e/node/install.sh")
    return path


def run_sdk(node, gw, scenario: str, timeout: float = IO_TIMEOUT + 30) -> dict:
    env = {"PATH": "/usr/bin:/bin", "GW_BASE_URL": f"http://127.0.0.1:{gw.port}/v1", "GW_TOKEN": GATEWAY_TOKEN,
           "GW_TIMEOUT_MS": str(int(IO_TIMEOUT * 1000))}
    result = subprocess.run([node, str(SCRIPT), scenario], cwd=NODE_DIR, env=env, capture_output=True, text=True,
                            timeout=timeout)
    assert result.returncode == 0, f"node {scenario} exited {result.returncode}\n{result.stderr}\n{result.stdout}"
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_sdk_non_streaming(node, llm_gateway, fake_llm):
    fake_llm.script(Reply("hello SDK", usage=(6, 2)))
    gw = llm_gateway()
    out = run_sdk(node, gw, "chat")["completion"]
    assert out["id"].startswith("chatcmpl_")
    assert out["choices"][0]["message"]["content"] == "hello SDK"
    assert out["choices"][0]["finish_reason"] == "stop"
    assert out["usage"]["total_tokens"] == 8
    (rec,) = fake_llm.wait_requests(1)
    assert "ping from the sdk" in rec.last_user_text()


def test_sdk_streaming_collects_deltas(node, llm_gateway, fake_llm):
    fake_llm.script(Reply("streamed via the SDK", chunk_size=3, usage=(4, 5)))
    gw = llm_gateway()
    out = run_sdk(node, gw, "stream")
    assert out["text"] == "streamed via the SDK"
    assert out["finish"] == ["stop"]
    assert out["usage"] == [{"prompt_tokens": 4, "completion_tokens": 5, "total_tokens": 9}]
    assert len(out["ids"]) == 1 and out["ids"][0].startswith("chatcmpl_")


def test_sdk_tools_round_trip(node, llm_gateway, fake_llm):
    fake_llm.script(ToolCalls([ToolCall("get_weather", {"city": "Paris"})]), Reply("Sunny in Paris."))
    gw = llm_gateway()
    out = run_sdk(node, gw, "tools")
    first = out["first"]["choices"][0]
    assert first["finish_reason"] == "tool_calls", out
    assert json.loads(first["message"]["tool_calls"][0]["function"]["arguments"]) == {"city": "Paris"}
    assert out["second"]["choices"][0]["message"]["content"] == "Sunny in Paris."
    second = fake_llm.wait_requests(2)[1]
    assert ("tool", "sunny, 24C") in second.messages(), second.messages()


def test_sdk_user_continuity(node, llm_gateway, fake_llm):
    fake_llm.script(Reply("Nice to meet you, Ada."), Reply("Your name is Ada."))
    gw = llm_gateway()
    out = run_sdk(node, gw, "user")
    assert out["second"]["choices"][0]["message"]["content"] == "Your name is Ada."
    second = fake_llm.wait_requests(2)[1]
    texts = [text for _, text in second.messages()]
    assert any("my name is Ada" in t for t in texts) and any("Nice to meet you, Ada." in t for t in texts), texts


def test_sdk_lists_models_and_sees_401(node, llm_gateway):
    gw = llm_gateway()
    ids = run_sdk(node, gw, "models")["ids"]
    assert "openclaw" in ids and "openclaw/default" in ids
    out = run_sdk(node, gw, "unauthorized")
    assert out["status"] == 401 and out["name"] == "AuthenticationError", out
    assert out["error"] == {"message": "Unauthorized", "type": "unauthorized"}, out
