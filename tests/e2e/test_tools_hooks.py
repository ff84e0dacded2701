"""/tools/invoke and /hooks/{wake,agent} (protocol §3)."""

from __future__ import annotations

import time

from gw_e2e import GATEWAY_TOKEN, IO_TIMEOUT, post_json

HOOK_TOKEN = "e2e-hook-token-abcdef0123456789"
QUERY_TOKEN_TEXT = ("Hook token must be provided via Authorization: Bearer <token> or X-OpenClaw-Token header "
                    "(query parameters are not allowed).")
UNAUTHORIZED = {"error": {"message": "Unauthorized", "type": "unauthorized"}}


def error_text(body: dict) -> str:
    err = body.get("error")
    return err.get("message", "") if isinstance(err, dict) else str(err)


# -------------------------------------------------------------------------------------------- /tools/invoke


def test_tools_invoke_current_time(llm_gateway, fake_llm):
    gw = llm_gateway()
    resp = post_json(gw, "/tools/invoke", {"tool": "current_time", "args": {}})
    assert resp.status == 200, resp
    body = resp.json()
    assert body["ok"] is True, body
    (part,) = body["result"]["content"]
    assert part["type"] == "text"
    assert str(time.gmtime().tm_year) in part["text"], part
    assert fake_llm.requests == []  # a direct tool call involves no model


def test_tools_invoke_accepts_name_alias(llm_gateway):
    gw = llm_gateway()
    resp = post_json(gw, "/tools/invoke", {"name": "current_time"})
    assert resp.status == 200 and resp.json()["ok"] is True, resp


def test_tools_invoke_denied_tool_is_404(llm_gateway):
    gw = llm_gateway()
    resp = post_json(gw, "/tools/invoke", {"tool": "exec", "args": {"command": "id"}})
    assert resp.status == 404, resp
    assert resp.json() == {"ok": False, "error": {"type": "not_found", "message": "Tool not available: exec"}}


def test_tools_invoke_unknown_tool_is_404(llm_gateway):
    gw = llm_gateway()
    resp = post_json(gw, "/tools/invoke", {"tool": "no_such_tool"})
    assert resp.status == 404, resp
    assert resp.json()["ok"] is False


def test_tools_invoke_config_deny_applies(llm_gateway):
    gw = llm_gateway(extra={"tools": {"deny": ["current_time"]}})
    resp = post_json(gw, "/tools/invoke", {"tool": "current_time"})
    assert resp.status == 404, resp
    assert resp.json() == {"ok": False, "error": {"type": "not_found", "message": "Tool not available: current_time"}}


def test_tools_invoke_needs_auth(llm_gateway):
    gw = llm_gateway()
    resp = post_json(gw, "/tools/invoke", {"tool": "current_time"}, token=None)
    assert resp.status == 401, resp
    assert resp.json() == UNAUTHORIZED
    resp = post_json(gw, "/tools/invoke", {"tool": "current_time"}, token="not-the-token")
    assert resp.status == 401 and resp.json() == UNAUTHORIZED, resp


# --------------------------------------------------------------------------------------------------- hooks


def hooks_gateway(llm_gateway):
    return llm_gateway(extra={"hooks": {"enabled": True, "token": HOOK_TOKEN}})


def test_hooks_disabled_by_default_are_404(llm_gateway):
    gw = llm_gateway()
    for path in ("/hooks/wake", "/hooks/agent"):
        resp = post_json(gw, path, {"text": "x", "message": "x"}, token=None, headers={"x-openclaw-token": HOOK_TOKEN})
        assert resp.status == 404, (path, resp)


def test_hook_query_token_is_400_with_the_exact_text(llm_gateway, fake_llm):
    gw = hooks_gateway(llm_gateway)
    for path in ("/hooks/wake", "/hooks/agent"):
        resp = post_json(gw, f"{path}?token={HOOK_TOKEN}", {"text": "x", "message": "x"}, token=None)
        assert resp.status == 400, (path, resp)
        assert error_text(resp.json()) == QUERY_TOKEN_TEXT, resp
    assert fake_llm.requests == []


def test_hook_wrong_or_missing_token_is_401(llm_gateway, fake_llm):
    gw = hooks_gateway(llm_gateway)
    cases = [{"Authorization": "Bearer wrong"}, {"x-openclaw-token": "wrong"}, {}]
    for headers in cases:
        resp = post_json(gw, "/hooks/agent", {"message": "x"}, token=None, headers=headers)
        assert resp.status == 401, (headers, resp)
    # The gateway token is not the hook token.
    resp = post_json(gw, "/hooks/agent", {"message": "x"}, token=GATEWAY_TOKEN)
    assert resp.status == 401, resp
    assert fake_llm.requests == []


def test_hook_agent_admits_a_run_that_reaches_the_model(llm_gateway, fake_llm):
    gw = hooks_gateway(llm_gateway)
    resp = post_json(gw, "/hooks/agent", {"message": "hello from the hook", "name": "e2e"}, token=HOOK_TOKEN)
    assert resp.status == 200, resp
    body = resp.json()
    assert body["ok"] is True and isinstance(body["runId"], str) and body["runId"], body
    (rec,) = fake_llm.wait_requests(1, timeout=IO_TIMEOUT)
    assert any("hello from the hook" in text for _, text in rec.messages()), rec.messages()


def test_hook_agent_accepts_the_x_openclaw_token_header(llm_gateway, fake_llm):
    gw = hooks_gateway(llm_gateway)
    resp = post_json(gw, "/hooks/agent", {"message": "via header"}, token=None,
                     headers={"X-OpenClaw-Token": HOOK_TOKEN})
    assert resp.status == 200 and resp.json()["ok"] is True, resp
    fake_llm.wait_requests(1)


def test_hook_agent_without_message_is_400(llm_gateway, fake_llm):
    gw = hooks_gateway(llm_gateway)
    resp = post_json(gw, "/hooks/agent", {"name": "nothing"}, token=HOOK_TOKEN)
    assert resp.status == 400, resp
    assert resp.json()["ok"] is False
    assert fake_llm.requests == []


def test_hook_wake_is_queued(llm_gateway):
    gw = hooks_gateway(llm_gateway)
    resp = post_json(gw, "/hooks/wake", {"text": "wake up", "mode": "now"}, token=HOOK_TOKEN)
    assert resp.status == 200, resp
    assert resp.json() == {"ok": True, "mode": "now", "eventOutcome": "queued"}
    resp = post_json(gw, "/hooks/wake", {"text": "default mode"}, token=HOOK_TOKEN)
    assert resp.status == 200 and resp.json() == {"ok": True, "mode": "now", "eventOutcome": "queued"}, resp
