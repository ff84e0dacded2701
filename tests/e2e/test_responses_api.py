"""/v1/responses (OpenResponses) non-streaming and streaming against a fake upstream (protocol §3)."""

from __future__ import annotations

import json

from fake_llm import Reply
from gw_e2e import SseStream, openai_error, post_json

STREAM_ORDER = [
    "response.created",
    "response.in_progress",
    "response.output_item.added",
    "response.content_part.added",
    # response.output_text.delta × N
    "response.output_text.done",
    "response.content_part.done",
    "response.output_item.done",
    "response.completed",
]


def output_text(response: dict) -> str:
    return "".join(
        part.get("text", "")
        for item in response.get("output", [])
        if item.get("type") == "message"
        for part in item.get("content", [])
        if part.get("type") == "output_text"
    )


def test_responses_non_stream(llm_gateway, fake_llm):
    fake_llm.script(Reply("PONG from fake", usage=(10, 3)))
    gw = llm_gateway()
    resp = post_json(gw, "/v1/responses", {"model": "openclaw", "input": "ping"})
    assert resp.status == 200, resp
    body = resp.json()
    assert body["object"] == "response"
    assert isinstance(body["id"], str) and body["id"].startswith("resp_"), body
    assert body["status"] == "completed"
    assert body["model"] == "openclaw"
    assert output_text(body) == "PONG from fake"
    assert [i["role"] for i in body["output"] if i.get("type") == "message"] == ["assistant"]
    usage = body["usage"]
    assert (usage["input_tokens"], usage["output_tokens"], usage["total_tokens"]) == (10, 3, 13)
    (rec,) = fake_llm.wait_requests(1)
    assert "ping" in rec.last_user_text()


def test_responses_input_items_and_instructions_reach_upstream(llm_gateway, fake_llm):
    gw = llm_gateway()
    body = {"model": "openclaw", "instructions": "Be very brief.", "input": [
        {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "item question"}]}]}
    resp = post_json(gw, "/v1/responses", body)
    assert resp.status == 200, resp
    (rec,) = fake_llm.wait_requests(1)
    msgs = rec.messages()
    assert any(role == "system" and "Be very brief." in text for role, text in msgs), msgs
    assert "item question" in rec.last_user_text()


def test_responses_stream_event_order(llm_gateway, fake_llm):
    fake_llm.script(Reply("Streaming through responses", chunk_size=5, chunk_delay=0.01, usage=(7, 4)))
    gw = llm_gateway()
    with SseStream(gw, "/v1/responses", {"model": "openclaw", "input": "stream it", "stream": True}) as stream:
        assert stream.status == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        events = stream.events()

    assert events[-1] == (None, "[DONE]"), events[-3:]
    typed = events[:-1]
    for name, data in typed:
        assert name is not None, (name, data)
        assert json.loads(data)["type"] == name, (name, data)
    names = [name for name, _ in typed]
    deltas = [json.loads(d)["delta"] for n, d in typed if n == "response.output_text.delta"]
    assert deltas, names
    assert [n for n in names if n != "response.output_text.delta"] == STREAM_ORDER, names
    first_delta = names.index("response.output_text.delta")
    last_delta = len(names) - 1 - names[::-1].index("response.output_text.delta")
    assert names[first_delta - 1] == "response.content_part.added"
    assert names[last_delta + 1] == "response.output_text.done"
    assert "".join(deltas) == "Streaming through responses"

    objs = {n: json.loads(d) for n, d in typed}
    assert objs["response.output_text.done"]["text"] == "Streaming through responses"
    item = objs["response.output_item.done"]["item"]
    assert item["type"] == "message" and item["role"] == "assistant"
    assert item.get("phase") == "final_answer", item
    completed = objs["response.completed"]["response"]
    assert completed["status"] == "completed"
    assert output_text(completed) == "Streaming through responses"
    assert completed["usage"]["total_tokens"] == 11
    assert objs["response.created"]["response"]["id"] == completed["id"]


def test_previous_response_id_continues_the_conversation(llm_gateway, fake_llm):
    fake_llm.script(Reply("first reply"), Reply("second reply"))
    gw = llm_gateway()
    r1 = post_json(gw, "/v1/responses", {"model": "openclaw", "input": "remember kiwi"})
    assert r1.status == 200, r1
    r2 = post_json(gw, "/v1/responses", {"model": "openclaw", "input": "what fruit?",
                                        "previous_response_id": r1.json()["id"]})
    assert r2.status == 200, r2
    assert output_text(r2.json()) == "second reply"
    second = fake_llm.wait_requests(2)[1]
    texts = [text for _, text in second.messages()]
    assert any("remember kiwi" in t for t in texts) and any("first reply" in t for t in texts), texts


def test_responses_upstream_failure_streams_response_failed(llm_gateway, fake_llm):
    from fake_llm import Error

    fake_llm.set_default(Error(500))
    gw = llm_gateway(provider_extra={"max_retries": 0})
    with SseStream(gw, "/v1/responses", {"model": "openclaw", "input": "x", "stream": True}) as stream:
        if stream.status != 200:  # failed before the stream opened: a plain error response is fine too
            body = json.loads(stream.body())
            assert stream.status >= 500 and body["error"]["message"], body
            return
        events = stream.events()
    names = [n for n, _ in events]
    assert "response.failed" in names, events
    assert "response.completed" not in names
    failed = json.loads(dict(events)["response.failed"])
    assert failed["response"]["status"] == "failed", failed


def test_responses_error_shape(llm_gateway, fake_llm):
    gw = llm_gateway()
    resp = post_json(gw, "/v1/responses", {"model": "openclaw"})  # no input
    assert resp.status == 400, resp
    err = openai_error(resp, 400)
    assert fake_llm.requests == [] and err["message"]
