"""/v1/models and /v1/chat/completions against a fake upstream (protocol §3, §5, §7).

Upstream wire formats come from fake_llm.FakeLLM; what the gateway sent upstream is read from its
request records.
"""

from __future__ import annotations

import json
import time

import pytest

from fake_llm import Echo, Reply, ToolCall, ToolCalls
from gw_e2e import (GATEWAY_TOKEN, UPSTREAM_KEY, SseStream, assert_security_headers, bearer, chat_body,
                    openai_error, post_json, sse_events)

UNAUTHORIZED = {"error": {"message": "Unauthorized", "type": "unauthorized"}}
UPSTREAM_APIS = ["openai-completions", "openai-responses", "anthropic-messages"]


def index_of(messages, role, needle, start=0):
    """Index of the first (role, text) at or after `start` whose text contains `needle`, else -1."""
    for i in range(start, len(messages)):
        if messages[i][0] == role and needle in messages[i][1]:
            return i
    return -1


def assert_in_order(messages, *expected):
    """`expected` are (role, needle) pairs that must occur in this order in the upstream conversation."""
    pos = 0
    for role, needle in expected:
        found = index_of(messages, role, needle, pos)
        assert found >= 0, f"({role!r}, {needle!r}) not found in order in {messages!r}"
        pos = found + 1


def chat_chunks(events):
    assert events, "empty stream"
    assert events[-1] == (None, "[DONE]"), events[-3:]
    return [json.loads(data) for _, data in events[:-1]]


# ---------------------------------------------------------------------------------------------- models


def test_models_lists_agent_targets(llm_gateway):
    gw = llm_gateway()
    resp = gw.get("/v1/models", headers=bearer())
    assert resp.status == 200, resp
    body = resp.json()
    assert body["object"] == "list"
    ids = {m["id"] for m in body["data"]}
    assert {"openclaw", "openclaw/default", "openclaw/main"} <= ids, ids
    assert all(m["object"] == "model" for m in body["data"])
    one = gw.get("/v1/models/openclaw", headers=bearer())
    assert one.status == 200 and one.json()["id"] == "openclaw", one


def test_unauthenticated_requests_get_the_exact_401_body(llm_gateway, fake_llm):
    gw = llm_gateway()
    bad = {"missing": {}, "wrong": {"Authorization": "Bearer wrong-token"}, "not-bearer": {"Authorization": "Basic eDp5"}}
    for method, path in (("GET", "/v1/models"), ("POST", "/v1/chat/completions"), ("POST", "/v1/responses")):
        for name, headers in bad.items():
            body = json.dumps(chat_body()).encode() if method == "POST" else None
            resp = gw.request(method, path, body=body, headers={"Content-Type": "application/json", **headers})
            assert resp.status == 401, (method, path, name, resp)
            assert resp.json() == UNAUTHORIZED, (method, path, name, resp)
    assert fake_llm.requests == []


# --------------------------------------------------------------------------------------- non-streaming


@pytest.mark.parametrize("api", UPSTREAM_APIS)
def test_non_stream_completion(llm_gateway, fake_llm, api):
    fake_llm.script(Reply("PONG from fake", usage=(10, 3)))
    gw = llm_gateway(api=api)
    resp = post_json(gw, "/v1/chat/completions", chat_body("ping"))
    assert resp.status == 200, resp
    assert resp.header("content-type").startswith("application/json")
    assert_security_headers(resp)
    body = resp.json()
    assert body["id"].startswith("chatcmpl_"), body
    assert body["object"] == "chat.completion"
    assert isinstance(body["created"], int) and abs(body["created"] - time.time()) < 3600
    assert body["model"] == "openclaw"
    (choice,) = body["choices"]
    assert choice["index"] == 0
    assert choice["message"]["role"] == "assistant"
    assert choice["message"]["content"] == "PONG from fake"
    assert choice["finish_reason"] == "stop"
    assert body["usage"] == {"prompt_tokens": 10, "completion_tokens": 3, "total_tokens": 13}

    (rec,) = fake_llm.wait_requests(1)
    assert rec.api == api
    assert rec.model == "fake-model"
    if api == "anthropic-messages":
        assert rec.headers.get("x-api-key") == UPSTREAM_KEY
        assert "anthropic-version" in rec.headers
    else:
        assert rec.headers.get("authorization") == f"Bearer {UPSTREAM_KEY}"
    assert GATEWAY_TOKEN not in json.dumps(rec.headers) + rec.raw.decode()
    assert "ping" in rec.last_user_text()


def test_request_model_is_echoed(llm_gateway, fake_llm):
    gw = llm_gateway()
    resp = post_json(gw, "/v1/chat/completions", chat_body(model="openclaw/main"))
    assert resp.status == 200, resp
    assert resp.json()["model"] == "openclaw/main"


def test_unknown_agent_target_is_rejected(llm_gateway, fake_llm):
    gw = llm_gateway()
    resp = post_json(gw, "/v1/chat/completions", chat_body(model="openclaw/no-such-agent"))
    assert 400 <= resp.status < 500, resp
    openai_error(resp, resp.status)
    assert fake_llm.requests == []


# ------------------------------------------------------------------------------------------- streaming


@pytest.mark.parametrize("api", UPSTREAM_APIS)
def test_stream_chunk_order_with_usage(llm_gateway, fake_llm, api):
    fake_llm.script(Reply("Hello streaming world", chunk_size=4, chunk_delay=0.01, usage=(12, 5)))
    gw = llm_gateway(api=api)
    with SseStream(gw, "/v1/chat/completions",
                   chat_body("say hi", stream=True, stream_options={"include_usage": True})) as stream:
        assert stream.status == 200
        assert stream.headers["content-type"].replace(" ", "") == "text/event-stream;charset=utf-8"
        assert stream.headers.get("cache-control") == "no-cache"
        assert stream.headers.get("x-content-type-options") == "nosniff"
        chunks = chat_chunks(stream.events())

    ids = {c["id"] for c in chunks}
    assert len(ids) == 1 and ids.pop().startswith("chatcmpl_"), chunks
    assert all(c["object"] == "chat.completion.chunk" and c["model"] == "openclaw" for c in chunks)

    role, *content, finish, usage = chunks
    assert role["choices"][0]["delta"].get("role") == "assistant", role
    assert not role["choices"][0]["delta"].get("content"), role
    assert content, "no content deltas"
    for c in content:
        (choice,) = c["choices"]
        assert set(choice["delta"]) == {"content"}, c
        assert choice.get("finish_reason") is None, c
    assert "".join(c["choices"][0]["delta"]["content"] for c in content) == "Hello streaming world"
    assert finish["choices"][0]["delta"] == {} and finish["choices"][0]["finish_reason"] == "stop", finish
    assert usage["choices"] == [], usage
    assert usage["usage"] == {"prompt_tokens": 12, "completion_tokens": 5, "total_tokens": 17}

    (rec,) = fake_llm.wait_requests(1)
    assert rec.stream, "a streaming client request should stream upstream"


def test_stream_without_include_usage_ends_with_finish_then_done(llm_gateway, fake_llm):
    gw = llm_gateway()
    with SseStream(gw, "/v1/chat/completions", chat_body(stream=True)) as stream:
        chunks = chat_chunks(stream.events())
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert all(c["choices"] for c in chunks), "usage chunk sent without stream_options.include_usage"
    assert "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks) == "PONG from fake"


def test_stream_raw_framing_is_data_lines(llm_gateway, fake_llm):
    gw = llm_gateway()
    resp = post_json(gw, "/v1/chat/completions", chat_body(stream=True))
    assert resp.status == 200
    text = resp.body.decode()
    assert text.endswith("data: [DONE]\n\n"), text[-200:]
    for block in text.split("\n\n")[:-1]:
        assert block.startswith("data: "), block
    assert [e for e, _ in sse_events(text) if e is not None] == []


# --------------------------------------------------------------------------------------------- sessions


def test_user_field_continues_the_session(llm_gateway, fake_llm):
    fake_llm.script(Reply("first answer"), Reply("second answer"))
    gw = llm_gateway()
    r1 = post_json(gw, "/v1/chat/completions", chat_body("first question", user="alice"))
    assert r1.status == 200 and r1.json()["choices"][0]["message"]["content"] == "first answer", r1
    r2 = post_json(gw, "/v1/chat/completions", chat_body("second question", user="alice"))
    assert r2.status == 200 and r2.json()["choices"][0]["message"]["content"] == "second answer", r2

    first, second = fake_llm.wait_requests(2)
    assert index_of(first.messages(), "assistant", "first answer") < 0
    assert_in_order(second.messages(), ("user", "first question"), ("assistant", "first answer"),
                    ("user", "second question"))

    r3 = post_json(gw, "/v1/chat/completions", chat_body("bob here", user="bob"))
    assert r3.status == 200, r3
    third = fake_llm.wait_requests(3)[2]
    assert all("first question" not in text for _, text in third.messages()), third.messages()


def test_stateless_request_sends_all_request_messages(llm_gateway, fake_llm):
    gw = llm_gateway()
    body = {"model": "openclaw", "messages": [
        {"role": "system", "content": "Answer like a pirate."},
        {"role": "user", "content": "q-one"},
        {"role": "assistant", "content": "a-one"},
        {"role": "user", "content": [{"type": "text", "text": "q-two"}]},
    ]}
    resp = post_json(gw, "/v1/chat/completions", body)
    assert resp.status == 200, resp
    (rec,) = fake_llm.wait_requests(1)
    msgs = rec.messages()
    assert_in_order(msgs, ("user", "q-one"), ("assistant", "a-one"), ("user", "q-two"))
    assert any(role == "system" and "Answer like a pirate." in text for role, text in msgs), msgs

    # A second stateless request is a new session: nothing of the first one leaks into it.
    resp = post_json(gw, "/v1/chat/completions", chat_body("fresh"))
    assert resp.status == 200, resp
    second = fake_llm.wait_requests(2)[1]
    assert all("q-one" not in text and "a-one" not in text for _, text in second.messages()), second.messages()


# ------------------------------------------------------------------------------------------------ tools

WEATHER_TOOL = {"type": "function", "function": {
    "name": "get_weather", "description": "Weather for a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}


def test_client_tool_call_is_returned_then_tool_result_completes(llm_gateway, fake_llm):
    fake_llm.script(ToolCalls([ToolCall("get_weather", {"city": "Paris"}, id="call_weather_1")]),
                    Reply("It is sunny in Paris."))
    gw = llm_gateway()
    first = {"model": "openclaw", "messages": [{"role": "user", "content": "Weather in Paris?"}],
             "tools": [WEATHER_TOOL], "tool_choice": "auto"}
    resp = post_json(gw, "/v1/chat/completions", first)
    assert resp.status == 200, resp
    choice = resp.json()["choices"][0]
    assert choice["finish_reason"] == "tool_calls", choice
    (call,) = choice["message"]["tool_calls"]
    assert call["type"] == "function" and call["function"]["name"] == "get_weather"
    assert json.loads(call["function"]["arguments"]) == {"city": "Paris"}
    assert isinstance(call["id"], str) and call["id"]
    (rec,) = fake_llm.wait_requests(1)
    assert "get_weather" in rec.tool_names(), rec.body.get("tools")

    follow = {"model": "openclaw", "tools": [WEATHER_TOOL], "messages": [
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": call["id"], "content": "sunny, 24C"},
    ]}
    resp = post_json(gw, "/v1/chat/completions", follow)
    assert resp.status == 200, resp
    choice = resp.json()["choices"][0]
    assert choice["finish_reason"] == "stop"
    assert choice["message"]["content"] == "It is sunny in Paris."
    second = fake_llm.wait_requests(2)[1]
    assert_in_order(second.messages(), ("user", "Weather in Paris?"), ("assistant", "<call get_weather>"),
                    ("tool", "sunny, 24C"))


def test_client_tool_call_streams_as_tool_call_deltas(llm_gateway, fake_llm):
    fake_llm.script(ToolCalls([ToolCall("get_weather", {"city": "Oslo"})], args_chunk_size=4))
    gw = llm_gateway()
    body = {"model": "openclaw", "stream": True, "tools": [WEATHER_TOOL],
            "messages": [{"role": "user", "content": "Weather in Oslo?"}]}
    with SseStream(gw, "/v1/chat/completions", body) as stream:
        chunks = chat_chunks(stream.events())
    deltas = [c["choices"][0]["delta"] for c in chunks if c["choices"]]
    calls = [tc for d in deltas for tc in d.get("tool_calls") or []]
    assert calls, chunks
    assert calls[0]["function"]["name"] == "get_weather" and calls[0].get("id")
    assert all(tc["index"] == 0 for tc in calls)
    args = "".join(tc["function"].get("arguments") or "" for tc in calls)
    assert json.loads(args) == {"city": "Oslo"}
    assert [c["choices"][0]["finish_reason"] for c in chunks if c["choices"]][-1] == "tool_calls"


def test_builtin_tool_loop_calls_the_model_again_with_the_result(llm_gateway, fake_llm):
    fake_llm.script(ToolCalls([ToolCall("current_time", {})]), Reply("Time checked."))
    gw = llm_gateway()
    resp = post_json(gw, "/v1/chat/completions", chat_body("What time is it?"))
    assert resp.status == 200, resp
    choice = resp.json()["choices"][0]
    assert choice["message"]["content"] == "Time checked."
    assert choice["finish_reason"] == "stop"
    assert not choice["message"].get("tool_calls")

    first, second = fake_llm.wait_requests(2)
    assert "current_time" in first.tool_names(), first.body.get("tools")
    msgs = second.messages()
    assert_in_order(msgs, ("user", "What time is it?"), ("assistant", "<call current_time>"))
    results = [text for role, text in msgs if role == "tool"]
    assert results and str(time.gmtime().tm_year) in results[-1], msgs
    assert len(fake_llm.completion_requests()) == 2


def test_tool_loop_stops_at_max_tool_iterations(llm_gateway, fake_llm):
    fake_llm.set_default(ToolCalls([ToolCall("current_time", {})]))
    gw = llm_gateway(defaults={"max_tool_iterations": 3})
    resp = post_json(gw, "/v1/chat/completions", chat_body("loop forever"))
    assert len(fake_llm.completion_requests()) == 3, [r.status for r in fake_llm.requests]
    # The run ends (with the last answer or an error) instead of looping; it must not call a 4th time.
    assert resp.status == 200 or resp.status >= 500, resp
    if resp.status != 200:
        openai_error(resp, resp.status)


# ---------------------------------------------------------------------------------------- idempotency


def test_same_idempotency_key_with_user_runs_once(llm_gateway, fake_llm):
    fake_llm.set_default(Echo(prefix="echo: "))
    gw = llm_gateway()
    headers = {"Idempotency-Key": "e2e-idem-user-0001"}
    r1 = post_json(gw, "/v1/chat/completions", chat_body("once for carol", user="carol"), headers=headers)
    r2 = post_json(gw, "/v1/chat/completions", chat_body("once for carol", user="carol"), headers=headers)
    assert r1.status == 200 and r2.status == 200, (r1, r2)
    assert r2.json()["choices"][0]["message"]["content"] == r1.json()["choices"][0]["message"]["content"]
    assert len(fake_llm.completion_requests()) == 1


def test_same_idempotency_key_runs_once(llm_gateway, fake_llm):
    """A stateless client retrying with the same key (each stateless request is otherwise a new session)."""
    fake_llm.set_default(Echo(prefix="echo: "))
    gw = llm_gateway()
    headers = {"Idempotency-Key": "e2e-idem-0001"}
    r1 = post_json(gw, "/v1/chat/completions", chat_body("only once"), headers=headers)
    r2 = post_json(gw, "/v1/chat/completions", chat_body("only once"), headers=headers)
    assert r1.status == 200 and r2.status == 200, (r1, r2)
    assert r1.json()["choices"][0]["message"]["content"] == "echo: only once"
    assert r2.json()["choices"][0]["message"]["content"] == r1.json()["choices"][0]["message"]["content"]
    assert len(fake_llm.completion_requests()) == 1
    r3 = post_json(gw, "/v1/chat/completions", chat_body("only once"), headers={"Idempotency-Key": "e2e-idem-0002"})
    assert r3.status == 200, r3
    assert len(fake_llm.completion_requests()) == 2


# ---------------------------------------------------------------------------------------- configuration


def test_no_provider_configured_names_what_to_configure(gateway):
    gw = gateway({"auth": {"token": GATEWAY_TOKEN}})
    resp = post_json(gw, "/v1/chat/completions", chat_body())
    assert 400 <= resp.status < 600, resp
    err = openai_error(resp, resp.status)
    assert "agents.defaults.model" in err["message"] or "models.providers" in err["message"], err


def test_upstream_auth_failure_is_an_error_not_a_hang(llm_gateway, fake_llm):
    gw = llm_gateway(api_key="sk-wrong")
    resp = post_json(gw, "/v1/chat/completions", chat_body())
    assert 500 <= resp.status < 600, resp
    openai_error(resp, resp.status)
    assert fake_llm.completion_requests()[0].status == 401
