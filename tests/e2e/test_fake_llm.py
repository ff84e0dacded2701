"""Self-tests of fake_llm.FakeLLM (no gateway): the wire formats, scripting and request recording."""

from __future__ import annotations

import http.client
import json
import socket
import time

import pytest

from fake_llm import (Disconnect, Echo, Error, FakeLLM, Hang, Malformed, Reply, StreamError, ToolCall, ToolCalls,
                      parse_sse)

TIMEOUT = 10


@pytest.fixture
def fake():
    with FakeLLM(api_key="sk-test") as f:
        yield f


def post(fake, path, body, headers=None, timeout=TIMEOUT):
    conn = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=timeout)
    try:
        hdrs = {"Content-Type": "application/json", "Authorization": "Bearer sk-test", "x-api-key": "sk-test"}
        hdrs.update(headers or {})
        conn.request("POST", path, body=json.dumps(body), headers=hdrs)
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
    finally:
        conn.close()


def chat(stream=False, text="hello there", **extra):
    return {"model": "m1", "stream": stream, "messages": [{"role": "system", "content": "sys"},
                                                          {"role": "user", "content": text}], **extra}


def chat_chunks(data):
    events = parse_sse(data)
    assert events[-1] == (None, "[DONE]"), events[-3:]
    return [json.loads(d) for _, d in events[:-1]]


# ------------------------------------------------------------------------------------- chat completions


def test_chat_non_stream_default_reply_and_recording(fake):
    status, headers, data = post(fake, "/v1/chat/completions", chat())
    assert status == 200
    assert headers["content-type"].startswith("application/json")
    body = json.loads(data)
    assert body["object"] == "chat.completion"
    assert body["id"].startswith("chatcmpl-")
    assert body["model"] == "m1"
    assert body["choices"][0]["message"] == {"role": "assistant", "content": "PONG from fake", "refusal": None}
    assert body["choices"][0]["finish_reason"] == "stop"
    usage = body["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"] > 0
    (rec,) = fake.wait_requests(1)
    assert rec.path == "/v1/chat/completions" and rec.api == "openai-completions"
    assert rec.headers["authorization"] == "Bearer sk-test"
    assert rec.messages() == [("system", "sys"), ("user", "hello there")]
    assert rec.last_user_text() == "hello there"
    assert rec.finished.wait(TIMEOUT) and not rec.disconnected.is_set()


def test_chat_stream_chunk_order_with_usage(fake):
    fake.script(Reply("abcdefg", chunk_size=3, usage=(11, 4)))
    status, headers, data = post(fake, "/v1/chat/completions", chat(True, stream_options={"include_usage": True}))
    assert status == 200
    assert headers["content-type"] == "text/event-stream; charset=utf-8"
    chunks = chat_chunks(data)
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    contents = [c["choices"][0]["delta"].get("content") for c in chunks[1:-2]]
    assert contents == ["abc", "def", "g"]
    assert chunks[-2]["choices"][0]["delta"] == {} and chunks[-2]["choices"][0]["finish_reason"] == "stop"
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"] == {"prompt_tokens": 11, "completion_tokens": 4,
                                                                   "total_tokens": 15}
    assert all(c["usage"] is None for c in chunks[:-1])
    assert len({c["id"] for c in chunks}) == 1 and all(c["object"] == "chat.completion.chunk" for c in chunks)


def test_chat_stream_without_include_usage_has_no_usage_chunk(fake):
    _, _, data = post(fake, "/v1/chat/completions", chat(True))
    chunks = chat_chunks(data)
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert all("usage" not in c for c in chunks)


def test_chat_stream_tool_call_deltas(fake):
    fake.script(ToolCalls([ToolCall("current_time", {"timezone": "UTC"}, id="call_1")], args_chunk_size=5))
    _, _, data = post(fake, "/v1/chat/completions", chat(True))
    chunks = chat_chunks(data)
    deltas = [c["choices"][0]["delta"] for c in chunks]
    calls = [d["tool_calls"][0] for d in deltas if "tool_calls" in d]
    assert calls[0]["id"] == "call_1" and calls[0]["function"]["name"] == "current_time"
    assert json.loads("".join(c["function"]["arguments"] for c in calls)) == {"timezone": "UTC"}
    assert len(calls) > 2  # arguments really are split
    assert chunks[-1]["choices"][0]["finish_reason"] == "tool_calls"


def test_chat_non_stream_tool_calls(fake):
    fake.script(ToolCalls([ToolCall("lookup", {"q": 1})]))
    _, _, data = post(fake, "/v1/chat/completions", chat())
    choice = json.loads(data)["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    assert choice["message"]["content"] is None
    (call,) = choice["message"]["tool_calls"]
    assert call["type"] == "function" and call["id"].startswith("call_")
    assert call["function"] == {"name": "lookup", "arguments": '{"q": 1}'}


def test_echo_replies_with_last_user_text(fake):
    fake.set_default(Echo(prefix="you said: "))
    _, _, data = post(fake, "/v1/chat/completions", chat(text="marmalade"))
    assert json.loads(data)["choices"][0]["message"]["content"] == "you said: marmalade"


def test_wrong_api_key_is_401_in_the_vendor_shape(fake):
    status, _, data = post(fake, "/v1/chat/completions", chat(), headers={"Authorization": "Bearer nope"})
    assert status == 401 and json.loads(data)["error"]["code"] == "invalid_api_key"
    status, _, data = post(fake, "/v1/messages", {"model": "c", "max_tokens": 5, "messages": []},
                           headers={"x-api-key": "nope"})
    assert status == 401 and json.loads(data)["error"]["type"] == "authentication_error"
    assert fake.pending() == 0 and len(fake.requests) == 2


def test_scripted_errors_then_default(fake):
    fake.script(Error(429, retry_after=2), Error(500), Error(529))
    s1, h1, b1 = post(fake, "/v1/chat/completions", chat())
    s2, h2, _ = post(fake, "/v1/chat/completions", chat())
    s3, _, b3 = post(fake, "/v1/messages", {"model": "c", "max_tokens": 5, "messages": [{"role": "user", "content": "x"}]})
    s4, _, _ = post(fake, "/v1/chat/completions", chat())
    assert (s1, s2, s3, s4) == (429, 500, 529, 200)
    assert h1["retry-after"] == "2" and "retry-after" not in h2
    assert json.loads(b1)["error"]["code"] == "rate_limit_exceeded"
    assert json.loads(b3) == {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    assert [r.status for r in fake.requests] == [429, 500, 529, 200]


def test_disconnect_mid_stream_drops_the_connection(fake):
    fake.script(Disconnect(after_chunks=2, text="aaaabbbbcccc"))
    with pytest.raises((http.client.IncompleteRead, ConnectionError, http.client.HTTPException)):
        post(fake, "/v1/chat/completions", chat(True))


def test_malformed_chunk_is_sent_after_good_ones(fake):
    fake.script(Malformed(after_chunks=1, text="abcdefgh", chunk_size=4))
    _, _, data = post(fake, "/v1/chat/completions", chat(True))
    events = parse_sse(data)
    json.loads(events[0][1])
    json.loads(events[1][1])
    with pytest.raises(ValueError):
        json.loads(events[2][1])
    assert (None, "[DONE]") not in events


def test_first_byte_delay_and_chunk_delay_are_at_least_requested(fake):
    fake.script(Reply("abcd", chunk_size=1, chunk_delay=0.05, first_byte_delay=0.2))
    start = time.monotonic()
    post(fake, "/v1/chat/completions", chat(True))
    assert time.monotonic() - start >= 0.2 + 3 * 0.05  # lower bound only


def test_very_long_output_streams_completely(fake):
    text = "0123456789" * 20000
    fake.script(Reply(text, chunk_size=1000))
    _, _, data = post(fake, "/v1/chat/completions", chat(True), timeout=30)
    chunks = chat_chunks(data)
    assert "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks) == text


def raw_stream_then_close(fake, path, body, read_bytes=1):
    sock = socket.create_connection(("127.0.0.1", fake.port), timeout=TIMEOUT)
    payload = json.dumps(body).encode()
    sock.sendall(
        f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer sk-test\r\n"
        f"Content-Length: {len(payload)}\r\n\r\n".encode() + payload
    )
    if read_bytes:
        assert sock.recv(read_bytes)
    sock.close()


def test_hang_notices_the_client_going_away(fake):
    fake.script(Hang())
    raw_stream_then_close(fake, "/v1/chat/completions", chat(True), read_bytes=0)
    (rec,) = fake.wait_requests(1)
    assert rec.disconnected.wait(TIMEOUT)
    assert not rec.finished.is_set()


def test_hang_mid_stream_notices_the_client_going_away(fake):
    fake.script(Hang(send_head=True, chunks=2))
    raw_stream_then_close(fake, "/v1/chat/completions", chat(True))
    (rec,) = fake.wait_requests(1)
    assert rec.disconnected.wait(TIMEOUT)


def test_slow_stream_notices_the_client_going_away(fake):
    fake.script(Reply("x" * 200, chunk_size=1, chunk_delay=0.05))
    raw_stream_then_close(fake, "/v1/chat/completions", chat(True))
    (rec,) = fake.wait_requests(1)
    assert rec.disconnected.wait(TIMEOUT)
    assert not rec.finished.is_set()


def test_wait_requests_times_out():
    with FakeLLM() as f:
        with pytest.raises(TimeoutError):
            f.wait_requests(1, timeout=0.1)


def test_callable_behaviour_sees_the_request(fake):
    fake.set_default(lambda rec: Reply(f"n={len(rec.messages())}"))
    _, _, data = post(fake, "/v1/chat/completions", chat())
    assert json.loads(data)["choices"][0]["message"]["content"] == "n=2"


# ------------------------------------------------------------------------------------------- responses


def test_responses_stream_event_order(fake):
    fake.script(Reply("hello", chunk_size=2, usage=(5, 2)))
    status, headers, data = post(fake, "/v1/responses", {"model": "m", "input": "hi", "stream": True,
                                                         "instructions": "be brief"})
    assert status == 200 and headers["content-type"].startswith("text/event-stream")
    events = parse_sse(data)
    kinds = [e for e, _ in events]
    assert kinds == ["response.created", "response.in_progress", "response.output_item.added",
                     "response.content_part.added", "response.output_text.delta", "response.output_text.delta",
                     "response.output_text.delta", "response.output_text.done", "response.content_part.done",
                     "response.output_item.done", "response.completed"]
    objs = [json.loads(d) for _, d in events]
    assert [o["sequence_number"] for o in objs] == list(range(len(objs)))
    assert all(o["type"] == k for o, k in zip(objs, kinds))
    done = objs[-1]["response"]
    assert done["status"] == "completed" and done["usage"]["total_tokens"] == 7
    assert done["output"][0]["content"][0]["text"] == "hello"
    (rec,) = fake.wait_requests(1)
    assert rec.messages() == [("system", "be brief"), ("user", "hi")]


def test_responses_function_call_stream(fake):
    fake.script(ToolCalls([ToolCall("current_time", {"a": 1}, id="call_9")]))
    _, _, data = post(fake, "/v1/responses", {"model": "m", "input": [{"role": "user", "content": "t?"}], "stream": True})
    events = [(e, json.loads(d)) for e, d in parse_sse(data)]
    added = [o["item"] for e, o in events if e == "response.output_item.added"]
    assert added[0]["type"] == "function_call" and added[0]["call_id"] == "call_9"
    args = "".join(o["delta"] for e, o in events if e == "response.function_call_arguments.delta")
    assert json.loads(args) == {"a": 1}
    assert events[-1][0] == "response.completed"
    assert events[-1][1]["response"]["output"][0]["name"] == "current_time"


def test_responses_non_stream(fake):
    _, _, data = post(fake, "/v1/responses", {"model": "m", "input": "hi"})
    body = json.loads(data)
    assert body["object"] == "response" and body["status"] == "completed"
    assert body["output"][0]["content"][0] == {"type": "output_text", "text": "PONG from fake", "annotations": []}


# ------------------------------------------------------------------------------------------- anthropic


def anthropic_body(stream=True):
    return {"model": "claude-x", "max_tokens": 100, "stream": stream, "system": "sys",
            "messages": [{"role": "user", "content": [{"type": "text", "text": "hey"}]}]}


def test_anthropic_stream_events(fake):
    fake.script(Reply("hello", chunk_size=2, usage=(9, 3)))
    status, _, data = post(fake, "/v1/messages", anthropic_body(), headers={"Authorization": ""})
    assert status == 200
    events = [(e, json.loads(d)) for e, d in parse_sse(data)]
    kinds = [e for e, _ in events]
    assert kinds == ["message_start", "content_block_start", "ping", "content_block_delta", "content_block_delta",
                     "content_block_delta", "content_block_stop", "message_delta", "message_stop"]
    assert all(o["type"] == e for e, o in events)
    assert events[0][1]["message"]["usage"]["input_tokens"] == 9
    assert "".join(o["delta"]["text"] for e, o in events if e == "content_block_delta") == "hello"
    assert events[-2][1]["delta"]["stop_reason"] == "end_turn" and events[-2][1]["usage"]["output_tokens"] == 3
    (rec,) = fake.wait_requests(1)
    assert rec.headers["x-api-key"] == "sk-test"
    assert rec.messages() == [("system", "sys"), ("user", "hey")]


def test_anthropic_tool_use_stream(fake):
    fake.script(ToolCalls([ToolCall("current_time", {"tz": "UTC"})], text="checking"))
    _, _, data = post(fake, "/v1/messages", anthropic_body())
    events = [(e, json.loads(d)) for e, d in parse_sse(data)]
    starts = [o["content_block"] for e, o in events if e == "content_block_start"]
    assert [s["type"] for s in starts] == ["text", "tool_use"]
    assert starts[1]["id"].startswith("toolu_") and starts[1]["name"] == "current_time"
    partial = "".join(o["delta"]["partial_json"] for e, o in events
                      if e == "content_block_delta" and o["delta"]["type"] == "input_json_delta")
    assert json.loads(partial) == {"tz": "UTC"}
    assert [o for e, o in events if e == "message_delta"][0]["delta"]["stop_reason"] == "tool_use"


def test_anthropic_in_stream_overloaded_error(fake):
    fake.script(StreamError(after_chunks=1))
    _, _, data = post(fake, "/v1/messages", anthropic_body())
    events = parse_sse(data)
    assert events[-1][0] == "error"
    assert json.loads(events[-1][1])["error"]["type"] == "overloaded_error"


def test_anthropic_non_stream(fake):
    _, _, data = post(fake, "/v1/messages", anthropic_body(stream=False))
    body = json.loads(data)
    assert body["type"] == "message" and body["stop_reason"] == "end_turn"
    assert body["content"] == [{"type": "text", "text": "PONG from fake"}]


def test_tool_results_are_normalised_in_the_record(fake):
    body = {"model": "m", "messages": [
        {"role": "user", "content": "time?"},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "current_time", "arguments": "{}"}}]},
        {"role": "tool", "tool_call_id": "c1", "content": "12:00"}],
        "tools": [{"type": "function", "function": {"name": "current_time", "parameters": {}}}]}
    post(fake, "/v1/chat/completions", body)
    (rec,) = fake.wait_requests(1)
    assert rec.messages() == [("user", "time?"), ("assistant", "<call current_time>"), ("tool", "12:00")]
    assert rec.tool_names() == ["current_time"]


def test_hold_delays_the_answer_until_released(fake):
    import threading

    gate = threading.Event()
    fake.script(Reply("released", hold=gate))
    results = []
    worker = threading.Thread(target=lambda: results.append(post(fake, "/v1/chat/completions", chat())))
    worker.start()
    (rec,) = fake.wait_requests(1)
    assert not rec.finished.wait(0.2)  # still held
    gate.set()
    worker.join(TIMEOUT)
    assert not worker.is_alive()
    assert json.loads(results[0][2])["choices"][0]["message"]["content"] == "released"
