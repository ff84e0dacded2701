"""A scriptable fake LLM upstream for the black-box suite (aiohttp, 127.0.0.1, port 0, own thread).

It speaks the vendors' documented wire formats:

- OpenAI Chat Completions: ``POST /v1/chat/completions`` — JSON, or SSE ``data: <chunk>`` lines (role
  delta, content deltas, ``tool_calls`` deltas, ``finish_reason``, a ``choices: []`` usage chunk when
  ``stream_options.include_usage``, ``data: [DONE]``); auth ``Authorization: Bearer``.
- OpenAI Responses: ``POST /v1/responses`` — the response object, or the typed event stream
  (``event: response.created`` … ``response.completed``; no ``[DONE]``, as upstream).
- Anthropic Messages: ``POST /v1/messages`` — the message object, or ``message_start`` /
  ``content_block_*`` / ``message_delta`` / ``message_stop`` events; auth ``x-api-key``.

Each request takes the next scripted behaviour from a FIFO queue (``fake.script(...)``), else the
default (``PONG from fake``). Every request is recorded (path, headers, JSON body) with events that tell
whether the handler finished or the client went away first.

    with FakeLLM(api_key="sk-test") as fake:
        fake.script(Error(429, retry_after=1), Reply("hello", chunk_size=2, chunk_delay=0.01))
        ... point the gateway at fake.base_url ...
        rec = fake.wait_requests(2)[-1]
        assert rec.headers["authorization"] == "Bearer sk-test"
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

from aiohttp import web

# ------------------------------------------------------------------------------------------ behaviours


@dataclass
class Reply:
    """A text answer. ``chunk_size`` characters per content delta (0 = whole text in one delta)."""

    text: str = "PONG from fake"
    chunk_size: int = 0
    chunk_delay: float = 0.0  # seconds between stream chunks
    first_byte_delay: float = 0.0  # seconds before the response head is sent
    usage: tuple[int, int] | None = None  # (input, output) tokens; None = estimated
    finish_reason: str = "stop"  # OpenAI name; mapped to Anthropic/Responses equivalents
    hold: threading.Event | None = None  # if set: answer only once the test sets this event


@dataclass
class Echo(Reply):
    """Replies with ``prefix`` + the last user text of the request."""

    prefix: str = ""


@dataclass
class ToolCall:
    """One tool call the model asks for; ``arguments`` is a dict (sent as JSON text) or raw text."""

    name: str
    arguments: Any = field(default_factory=dict)
    id: str | None = None  # None = generated (call_… / toolu_…)

    def args_text(self) -> str:
        return self.arguments if isinstance(self.arguments, str) else json.dumps(self.arguments)


@dataclass
class ToolCalls:
    """The model asks for tool calls (optionally after some text); finish reason tool_calls/tool_use."""

    calls: list[ToolCall]
    text: str = ""
    args_chunk_size: int = 8  # streamed arguments are split into deltas of this many characters
    chunk_delay: float = 0.0
    first_byte_delay: float = 0.0
    usage: tuple[int, int] | None = None
    hold: threading.Event | None = None


@dataclass
class Error:
    """An HTTP error before any body: 429 (optionally Retry-After), 500, 503, 529 overloaded, 401…"""

    status: int = 500
    retry_after: float | str | None = None  # seconds (number) or an HTTP-date string
    message: str | None = None
    first_byte_delay: float = 0.0


@dataclass
class Disconnect:
    """Streams the head and ``after_chunks`` content deltas of ``text``, then drops the TCP connection."""

    after_chunks: int = 1
    text: str = "partial answer that never finishes"
    chunk_size: int = 4
    chunk_delay: float = 0.0


@dataclass
class Malformed:
    """Streams ``after_chunks`` good deltas, then a chunk that is not JSON; then closes or continues."""

    after_chunks: int = 1
    text: str = "good start then garbage"
    chunk_size: int = 4
    payload: str = '{"choices": [ {"delta": nope'
    then: str = "close"  # "close" | "continue" (finish the stream normally after the bad chunk)


@dataclass
class StreamError:
    """Streams ``after_chunks`` deltas, then the API's in-stream error event (e.g. Anthropic overloaded)."""

    after_chunks: int = 1
    text: str = "partial answer"
    chunk_size: int = 4
    error_type: str = "overloaded_error"
    message: str = "Overloaded"


@dataclass
class Hang:
    """Never answers: waits until the client goes away (or ``max_seconds``). ``send_head`` first sends
    the 200 head (and, for streams, ``chunks`` deltas of ``text``) so the hang is mid-stream."""

    send_head: bool = False
    chunks: int = 0
    text: str = "slow"
    max_seconds: float = 300.0


Behaviour = Any  # one of the dataclasses above, or a callable(RecordedRequest) -> behaviour


# --------------------------------------------------------------------------------------------- records


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: str
    headers: dict  # lower-case name -> value
    raw: bytes
    body: Any  # parsed JSON, or None
    api: str  # "openai-completions" | "openai-responses" | "anthropic-messages" | "other"
    received_at: float  # time.monotonic()
    behaviour: Any = None
    status: int | None = None
    finished: threading.Event = field(default_factory=threading.Event)  # handler wrote everything
    disconnected: threading.Event = field(default_factory=threading.Event)  # client went away first

    @property
    def stream(self) -> bool:
        return bool(isinstance(self.body, dict) and self.body.get("stream"))

    @property
    def model(self) -> str | None:
        return self.body.get("model") if isinstance(self.body, dict) else None

    def messages(self) -> list[tuple[str, str]]:
        """(role, text) pairs of the conversation sent, normalised across the three APIs; system/
        instructions first. Tool results appear as role "tool", tool calls as ("assistant", "<call name>")."""
        return conversation(self.body, self.api)

    def last_user_text(self) -> str:
        for role, text in reversed(self.messages()):
            if role == "user":
                return text
        return ""

    def tool_names(self) -> list[str]:
        """Names of the tools offered in the request."""
        if not isinstance(self.body, dict):
            return []
        names = []
        for tool in self.body.get("tools") or []:
            if "function" in tool:  # chat completions
                names.append(tool["function"].get("name"))
            else:  # responses, anthropic
                names.append(tool.get("name"))
        return names


def _text_of(content: Any) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for part in content:
            if isinstance(part, str):
                parts.append(part)
            elif isinstance(part, dict):
                if isinstance(part.get("text"), str):
                    parts.append(part["text"])
                elif part.get("type") == "tool_result":
                    parts.append(_text_of(part.get("content")))
        return "".join(parts)
    return str(content)


def conversation(body: Any, api: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if not isinstance(body, dict):
        return out
    if api == "anthropic-messages":
        if body.get("system"):
            out.append(("system", _text_of(body["system"])))
        for msg in body.get("messages") or []:
            content = msg.get("content")
            blocks = content if isinstance(content, list) else [{"type": "text", "text": content or ""}]
            for block in blocks:
                kind = block.get("type")
                if kind == "tool_result":
                    out.append(("tool", _text_of(block.get("content"))))
                elif kind == "tool_use":
                    out.append(("assistant", f"<call {block.get('name')}>"))
                elif kind == "text":
                    out.append((msg.get("role", ""), block.get("text", "")))
        return out
    if api == "openai-responses":
        if body.get("instructions"):
            out.append(("system", _text_of(body["instructions"])))
        items = body.get("input")
        if isinstance(items, str):
            return out + [("user", items)]
        for item in items or []:
            kind = item.get("type", "message")
            if kind == "message":
                out.append((item.get("role", ""), _text_of(item.get("content"))))
            elif kind == "function_call":
                out.append(("assistant", f"<call {item.get('name')}>"))
            elif kind == "function_call_output":
                out.append(("tool", _text_of(item.get("output"))))
        return out
    for msg in body.get("messages") or []:
        role = msg.get("role", "")
        if role == "developer":
            role = "system"
        text = _text_of(msg.get("content"))
        if role == "assistant" and msg.get("tool_calls"):
            if text:
                out.append(("assistant", text))
            for call in msg["tool_calls"]:
                out.append(("assistant", f"<call {call.get('function', {}).get('name')}>"))
            continue
        out.append((role, text))
    return out


def _chunks(text: str, size: int) -> list[str]:
    if size <= 0 or len(text) <= size:
        return [text] if text else []
    return [text[i : i + size] for i in range(0, len(text), size)]


def _estimate_tokens(text: str) -> int:
    return max(1, len(text) // 4)


class _ClientGone(Exception):
    pass


# ---------------------------------------------------------------------------------------------- server


class FakeLLM:
    """The fake upstream. Thread-safe scripting and inspection from the test thread."""

    API_BY_PATH = {
        "/v1/chat/completions": "openai-completions",
        "/chat/completions": "openai-completions",
        "/v1/responses": "openai-responses",
        "/responses": "openai-responses",
        "/v1/messages": "anthropic-messages",
        "/messages": "anthropic-messages",
    }

    def __init__(self, api_key: str | None = None, default: Behaviour | None = None, model: str = "fake-model"):
        self.api_key = api_key
        self.default: Behaviour = default if default is not None else Reply()
        self.model = model
        self._queue: list[Behaviour] = []
        self._records: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._closing: asyncio.Event | None = None
        self.port = 0

    # ---- lifecycle

    def start(self, timeout: float = 10) -> "FakeLLM":
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self._serve())
            except BaseException as e:  # noqa: BLE001 - reported to start()
                failure.append(e)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.close()

        self._thread = threading.Thread(target=run, name="fake-llm", daemon=True)
        self._thread.start()
        if not ready.wait(timeout):
            raise TimeoutError("fake LLM did not start")
        if failure:
            raise failure[0]
        return self

    async def _serve(self) -> None:
        self._closing = asyncio.Event()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, shutdown_timeout=1.0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # noqa: SLF001 - aiohttp has no public getter

    def stop(self, timeout: float = 10) -> None:
        if self._loop is None:
            return
        loop = self._loop

        async def shutdown() -> None:
            self._closing.set()
            await self._runner.cleanup()

        try:
            asyncio.run_coroutine_threadsafe(shutdown(), loop).result(timeout)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            self._thread.join(timeout)
            self._loop = None

    def __enter__(self) -> "FakeLLM":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """What a provider's ``base_url`` should be (OpenAI and Anthropic both live under /v1)."""
        return f"{self.url}/v1"

    # ---- scripting and inspection

    def script(self, *behaviours: Behaviour) -> "FakeLLM":
        """Appends behaviours; each request takes the next one, then the default applies."""
        with self._lock:
            self._queue.extend(behaviours)
        return self

    def set_default(self, behaviour: Behaviour) -> None:
        with self._lock:
            self.default = behaviour

    def pending(self) -> int:
        with self._lock:
            return len(self._queue)

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._records)

    def completion_requests(self) -> list[RecordedRequest]:
        """Requests to one of the three model APIs (not e.g. GET /v1/models)."""
        return [r for r in self.requests if r.api != "other"]

    def wait_requests(self, n: int, timeout: float = 15) -> list[RecordedRequest]:
        """Waits until at least ``n`` model API requests arrived; returns them all."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                recs = [r for r in self._records if r.api != "other"]
                if len(recs) >= n:
                    return recs
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"fake LLM got {len(recs)} model requests, wanted {n} within {timeout}s")
                self._cond.wait(remaining)

    def reset(self) -> None:
        with self._lock:
            self._records.clear()
            self._queue.clear()

    # ---- request handling

    def _next_behaviour(self, rec: RecordedRequest) -> Behaviour:
        with self._lock:
            behaviour = self._queue.pop(0) if self._queue else self.default
        if callable(behaviour) and not isinstance(behaviour, type):
            behaviour = behaviour(rec)
        return behaviour

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        rec = RecordedRequest(
            method=request.method,
            path=request.path,
            query=request.query_string,
            headers={k.lower(): v for k, v in request.headers.items()},
            raw=raw,
            body=body,
            api=self.API_BY_PATH.get(request.path, "other") if request.method == "POST" else "other",
            received_at=time.monotonic(),
        )
        with self._cond:
            self._records.append(rec)
            self._cond.notify_all()
        try:
            resp = await self._dispatch(request, rec)
            rec.finished.set()
            return resp
        except (_ClientGone, ConnectionResetError, asyncio.CancelledError):
            rec.disconnected.set()
            raise
        except Exception:
            if request.transport is None or request.transport.is_closing():
                rec.disconnected.set()
            raise

    async def _dispatch(self, request: web.Request, rec: RecordedRequest) -> web.StreamResponse:
        if request.method == "GET" and request.path in ("/v1/models", "/models"):
            rec.status = 200
            return web.json_response(
                {"object": "list", "data": [{"id": self.model, "object": "model", "created": 0, "owned_by": "fake"}]}
            )
        if rec.api == "other":
            rec.status = 404
            return web.json_response({"error": {"message": f"no route {request.path}", "type": "invalid_request_error"}},
                                     status=404)
        auth_error = self._check_auth(rec)
        if auth_error is not None:
            rec.status = auth_error.status
            return auth_error
        if not isinstance(rec.body, dict):
            rec.status = 400
            return self._error_response(rec.api, 400, "invalid_request_error", "body is not a JSON object")
        behaviour = self._next_behaviour(rec)
        rec.behaviour = behaviour
        hold = getattr(behaviour, "hold", None)
        if hold is not None:
            while not hold.is_set() and not self._closing.is_set():
                await self._sleep(request, 0.02)
        delay = getattr(behaviour, "first_byte_delay", 0.0)
        if delay:
            await self._sleep(request, delay)
        if isinstance(behaviour, Error):
            return self._scripted_error(rec, behaviour)
        if isinstance(behaviour, Hang) and not behaviour.send_head:
            await self._hang(request, behaviour.max_seconds)
            raise _ClientGone()
        writer = _WRITERS[rec.api](self, request, rec)
        return await writer.run(behaviour)

    def _check_auth(self, rec: RecordedRequest) -> web.Response | None:
        if self.api_key is None:
            return None
        if rec.api == "anthropic-messages":
            if rec.headers.get("x-api-key") != self.api_key:
                return web.json_response(
                    {"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}},
                    status=401,
                )
            return None
        if rec.headers.get("authorization") != f"Bearer {self.api_key}":
            return web.json_response(
                {"error": {"message": "Incorrect API key provided.", "type": "invalid_request_error",
                           "param": None, "code": "invalid_api_key"}},
                status=401,
            )
        return None

    def _scripted_error(self, rec: RecordedRequest, err: Error) -> web.Response:
        kinds = {
            400: ("invalid_request_error", "Bad request"),
            401: ("authentication_error", "Unauthorized"),
            403: ("permission_error", "Forbidden"),
            404: ("not_found_error", "Not found"),
            429: ("rate_limit_error", "Rate limit reached"),
            500: ("api_error", "The server had an error while processing your request."),
            502: ("api_error", "Bad gateway"),
            503: ("api_error", "Service unavailable"),
            529: ("overloaded_error", "Overloaded"),
        }
        kind, text = kinds.get(err.status, ("api_error", "error"))
        if rec.api != "anthropic-messages":
            kind = {"rate_limit_error": "requests", "api_error": "server_error", "overloaded_error": "server_error"}.get(
                kind, kind
            )
        resp = self._error_response(rec.api, err.status, kind, err.message or text)
        if err.retry_after is not None:
            value = err.retry_after
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            resp.headers["Retry-After"] = str(value)
        rec.status = err.status
        return resp

    @staticmethod
    def _error_response(api: str, status: int, kind: str, message: str) -> web.Response:
        if api == "anthropic-messages":
            body = {"type": "error", "error": {"type": kind, "message": message}}
        else:
            code = "rate_limit_exceeded" if status == 429 else None
            body = {"error": {"message": message, "type": kind, "param": None, "code": code}}
        return web.json_response(body, status=status)

    async def _sleep(self, request: web.Request, seconds: float) -> None:
        """Sleeps, but notices the client going away (raises _ClientGone) and server shutdown."""
        deadline = time.monotonic() + seconds
        while True:
            if request.transport is None or request.transport.is_closing():
                raise _ClientGone()
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self._closing.is_set():
                return
            await asyncio.sleep(min(remaining, 0.02))

    async def _hang(self, request: web.Request, max_seconds: float) -> None:
        await self._sleep(request, max_seconds)


# --------------------------------------------------------------------------------------------- writers


class _StreamWriter:
    """Common streaming machinery; subclasses render one API's events."""

    def __init__(self, fake: FakeLLM, request: web.Request, rec: RecordedRequest):
        self.fake = fake
        self.request = request
        self.rec = rec
        self.resp: web.StreamResponse | None = None
        self.model = rec.model or fake.model

    async def open_stream(self) -> None:
        self.resp = web.StreamResponse(status=200, headers={"Content-Type": "text/event-stream; charset=utf-8",
                                                             "Cache-Control": "no-cache"})
        self.resp.enable_chunked_encoding()
        await self.resp.prepare(self.request)
        self.rec.status = 200

    async def write(self, data: str) -> None:
        if self.request.transport is None or self.request.transport.is_closing():
            raise _ClientGone()
        await self.resp.write(data.encode("utf-8"))

    async def pause(self, seconds: float) -> None:
        if seconds:
            await self.fake._sleep(self.request, seconds)  # noqa: SLF001

    async def run(self, b: Behaviour) -> web.StreamResponse:
        if isinstance(b, Echo):
            b = Reply(b.prefix + self.rec.last_user_text(), b.chunk_size, b.chunk_delay, 0.0, b.usage, b.finish_reason)
        elif isinstance(b, Hang) and not self.rec.stream:
            await self.fake._hang(self.request, b.max_seconds)  # noqa: SLF001
            raise _ClientGone()
        if not self.rec.stream:
            if isinstance(b, (Reply, ToolCalls)):
                self.rec.status = 200
                return web.json_response(self.final_object(b))
            if isinstance(b, (Disconnect, Malformed, StreamError, Hang)):
                return await self.broken_non_stream(b)
            raise TypeError(f"unknown behaviour {b!r}")
        await self.open_stream()
        if isinstance(b, Reply):
            await self.stream_reply(b, _chunks(b.text, b.chunk_size), b.chunk_delay)
        elif isinstance(b, ToolCalls):
            await self.stream_reply(b, _chunks(b.text, 0), b.chunk_delay)
        elif isinstance(b, Disconnect):
            await self.stream_partial(_chunks(b.text, b.chunk_size)[: b.after_chunks], b.chunk_delay)
            self.request.transport.close()
            raise _ClientGone()
        elif isinstance(b, Malformed):
            await self.stream_partial(_chunks(b.text, b.chunk_size)[: b.after_chunks], 0)
            await self.write(self.malformed_event(b.payload))
            if b.then == "close":
                await self.resp.write_eof()
                return self.resp
            rest = _chunks(b.text, b.chunk_size)[b.after_chunks :]
            await self.stream_rest(rest, Reply(b.text))
        elif isinstance(b, StreamError):
            await self.stream_partial(_chunks(b.text, b.chunk_size)[: b.after_chunks], 0)
            await self.write(self.error_event(b.error_type, b.message))
        elif isinstance(b, Hang):
            await self.stream_partial(_chunks(b.text, 1)[: b.chunks], 0)
            await self.fake._hang(self.request, b.max_seconds)  # noqa: SLF001
            raise _ClientGone()
        else:
            raise TypeError(f"unknown behaviour {b!r}")
        await self.resp.write_eof()
        return self.resp

    async def broken_non_stream(self, b: Behaviour) -> web.StreamResponse:
        """Non-streaming variants of the broken behaviours: hang, or send half a JSON body and drop."""
        if isinstance(b, Hang):
            await self.fake._hang(self.request, b.max_seconds)  # noqa: SLF001
            raise _ClientGone()
        self.resp = web.StreamResponse(status=200, headers={"Content-Type": "application/json"})
        self.resp.content_length = 4096
        await self.resp.prepare(self.request)
        self.rec.status = 200
        await self.write('{"id": "broken", "choices": [')
        self.request.transport.close()
        raise _ClientGone()

    def usage_of(self, b: Reply | ToolCalls, text: str) -> tuple[int, int]:
        if b.usage is not None:
            return b.usage
        prompt = sum(_estimate_tokens(t) for _, t in self.rec.messages())
        return max(1, prompt), _estimate_tokens(text)

    # subclass API: stream_reply, stream_partial, stream_rest, final_object, malformed_event, error_event


class _ChatWriter(_StreamWriter):
    def __init__(self, *a):
        super().__init__(*a)
        self.id = f"chatcmpl-{uuid.uuid4().hex[:24]}"
        self.created = int(time.time())
        self.include_usage = bool(((self.rec.body or {}).get("stream_options") or {}).get("include_usage"))

    def chunk(self, delta: dict | None, finish: str | None = None, usage: dict | None = None) -> str:
        obj = {
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.model,
            "system_fingerprint": "fp_fake",
            "choices": [] if delta is None else [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
        }
        if self.include_usage:
            obj["usage"] = usage
        return f"data: {json.dumps(obj)}\n\n"

    def usage_obj(self, usage: tuple[int, int]) -> dict:
        return {"prompt_tokens": usage[0], "completion_tokens": usage[1], "total_tokens": usage[0] + usage[1]}

    async def stream_partial(self, pieces: list[str], delay: float) -> None:
        await self.write(self.chunk({"role": "assistant", "content": "", "refusal": None}))
        for piece in pieces:
            await self.pause(delay)
            await self.write(self.chunk({"content": piece}))

    async def stream_rest(self, pieces: list[str], b: Reply) -> None:
        for piece in pieces:
            await self.write(self.chunk({"content": piece}))
        await self.finish(b, b.text, b.finish_reason)

    async def finish(self, b, text: str, reason: str) -> None:
        await self.write(self.chunk({}, reason))
        if self.include_usage:
            await self.write(self.chunk(None, usage=self.usage_obj(self.usage_of(b, text))))
        await self.write("data: [DONE]\n\n")

    async def stream_reply(self, b, pieces: list[str], delay: float) -> None:
        await self.stream_partial(pieces, delay)
        if isinstance(b, ToolCalls):
            for index, call in enumerate(b.calls):
                call_id = call.id or f"call_{uuid.uuid4().hex[:24]}"
                await self.pause(delay)
                await self.write(self.chunk({"tool_calls": [{"index": index, "id": call_id, "type": "function",
                                                             "function": {"name": call.name, "arguments": ""}}]}))
                for piece in _chunks(call.args_text(), b.args_chunk_size):
                    await self.pause(delay)
                    await self.write(self.chunk({"tool_calls": [{"index": index, "function": {"arguments": piece}}]}))
            await self.finish(b, b.text + "".join(c.args_text() for c in b.calls), "tool_calls")
        else:
            await self.pause(delay)
            await self.finish(b, b.text, b.finish_reason)

    def final_object(self, b) -> dict:
        message: dict = {"role": "assistant", "content": b.text or None, "refusal": None}
        reason = getattr(b, "finish_reason", "stop")
        text = b.text
        if isinstance(b, ToolCalls):
            message["tool_calls"] = [
                {"id": c.id or f"call_{uuid.uuid4().hex[:24]}", "type": "function",
                 "function": {"name": c.name, "arguments": c.args_text()}}
                for c in b.calls
            ]
            reason = "tool_calls"
            text += "".join(c.args_text() for c in b.calls)
        return {
            "id": self.id,
            "object": "chat.completion",
            "created": self.created,
            "model": self.model,
            "system_fingerprint": "fp_fake",
            "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": reason}],
            "usage": self.usage_obj(self.usage_of(b, text)),
        }

    def malformed_event(self, payload: str) -> str:
        return f"data: {payload}\n\n"

    def error_event(self, kind: str, message: str) -> str:
        return f"data: {json.dumps({'error': {'message': message, 'type': kind, 'param': None, 'code': None}})}\n\n"


class _ResponsesWriter(_StreamWriter):
    def __init__(self, *a):
        super().__init__(*a)
        self.id = f"resp_{uuid.uuid4().hex}"
        self.created = int(time.time())
        self.seq = 0

    async def event(self, kind: str, obj: dict) -> None:
        obj = {"type": kind, "sequence_number": self.seq, **obj}
        self.seq += 1
        await self.write(f"event: {kind}\ndata: {json.dumps(obj)}\n\n")

    def response_obj(self, status: str, output: list, usage: dict | None) -> dict:
        return {
            "id": self.id, "object": "response", "created_at": self.created, "status": status, "error": None,
            "incomplete_details": None, "instructions": (self.rec.body or {}).get("instructions"),
            "model": self.model, "output": output, "parallel_tool_calls": True, "tool_choice": "auto",
            "tools": (self.rec.body or {}).get("tools") or [], "usage": usage,
        }

    def usage_obj(self, usage: tuple[int, int]) -> dict:
        return {"input_tokens": usage[0], "input_tokens_details": {"cached_tokens": 0}, "output_tokens": usage[1],
                "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": usage[0] + usage[1]}

    def message_item(self, item_id: str, text: str, status: str) -> dict:
        content = [] if status == "in_progress" else [{"type": "output_text", "text": text, "annotations": []}]
        return {"id": item_id, "type": "message", "status": status, "role": "assistant", "content": content}

    async def start(self) -> None:
        await self.event("response.created", {"response": self.response_obj("in_progress", [], None)})
        await self.event("response.in_progress", {"response": self.response_obj("in_progress", [], None)})

    async def text_item(self, item_id: str, pieces: list[str], delay: float, close: bool = True) -> str:
        await self.event("response.output_item.added",
                         {"output_index": 0, "item": self.message_item(item_id, "", "in_progress")})
        await self.event("response.content_part.added", {"item_id": item_id, "output_index": 0, "content_index": 0,
                                                         "part": {"type": "output_text", "text": "", "annotations": []}})
        for piece in pieces:
            await self.pause(delay)
            await self.event("response.output_text.delta",
                             {"item_id": item_id, "output_index": 0, "content_index": 0, "delta": piece, "logprobs": []})
        text = "".join(pieces)
        if close:
            await self.event("response.output_text.done",
                             {"item_id": item_id, "output_index": 0, "content_index": 0, "text": text, "logprobs": []})
            await self.event("response.content_part.done", {"item_id": item_id, "output_index": 0, "content_index": 0,
                                                            "part": {"type": "output_text", "text": text,
                                                                     "annotations": []}})
            await self.event("response.output_item.done",
                             {"output_index": 0, "item": self.message_item(item_id, text, "completed")})
        return text

    async def stream_partial(self, pieces: list[str], delay: float) -> None:
        await self.start()
        self.item_id = f"msg_{uuid.uuid4().hex}"
        await self.text_item(self.item_id, pieces, delay, close=False)

    async def stream_rest(self, pieces: list[str], b: Reply) -> None:
        for piece in pieces:
            await self.event("response.output_text.delta", {"item_id": self.item_id, "output_index": 0,
                                                            "content_index": 0, "delta": piece, "logprobs": []})
        await self.event("response.completed", {"response": self.response_obj(
            "completed", [self.message_item(self.item_id, b.text, "completed")],
            self.usage_obj(self.usage_of(b, b.text)))})

    def output_of(self, b) -> list:
        output = []
        if b.text:
            output.append(self.message_item(f"msg_{uuid.uuid4().hex}", b.text, "completed"))
        if isinstance(b, ToolCalls):
            for c in b.calls:
                output.append({"id": f"fc_{uuid.uuid4().hex}", "type": "function_call", "status": "completed",
                               "call_id": c.id or f"call_{uuid.uuid4().hex[:24]}", "name": c.name,
                               "arguments": c.args_text()})
        return output

    async def stream_reply(self, b, pieces: list[str], delay: float) -> None:
        await self.start()
        output = []
        text = ""
        if pieces:
            item_id = f"msg_{uuid.uuid4().hex}"
            text = await self.text_item(item_id, pieces, delay)
            output.append(self.message_item(item_id, text, "completed"))
        if isinstance(b, ToolCalls):
            for c in b.calls:
                index = len(output)
                item = {"id": f"fc_{uuid.uuid4().hex}", "type": "function_call", "status": "in_progress",
                        "call_id": c.id or f"call_{uuid.uuid4().hex[:24]}", "name": c.name, "arguments": ""}
                await self.event("response.output_item.added", {"output_index": index, "item": item})
                for piece in _chunks(c.args_text(), b.args_chunk_size):
                    await self.pause(delay)
                    await self.event("response.function_call_arguments.delta",
                                     {"item_id": item["id"], "output_index": index, "delta": piece})
                await self.event("response.function_call_arguments.done",
                                 {"item_id": item["id"], "output_index": index, "arguments": c.args_text()})
                done = {**item, "status": "completed", "arguments": c.args_text()}
                await self.event("response.output_item.done", {"output_index": index, "item": done})
                output.append(done)
                text += c.args_text()
        await self.pause(delay)
        await self.event("response.completed", {"response": self.response_obj(
            "completed", output, self.usage_obj(self.usage_of(b, text)))})

    def final_object(self, b) -> dict:
        text = b.text + ("".join(c.args_text() for c in b.calls) if isinstance(b, ToolCalls) else "")
        return self.response_obj("completed", self.output_of(b), self.usage_obj(self.usage_of(b, text)))

    def malformed_event(self, payload: str) -> str:
        return f"event: response.output_text.delta\ndata: {payload}\n\n"

    def error_event(self, kind: str, message: str) -> str:
        obj = {"type": "error", "sequence_number": self.seq, "code": kind, "message": message, "param": None}
        return f"event: error\ndata: {json.dumps(obj)}\n\n"


class _AnthropicWriter(_StreamWriter):
    STOP = {"stop": "end_turn", "length": "max_tokens", "tool_calls": "tool_use"}

    def __init__(self, *a):
        super().__init__(*a)
        self.id = f"msg_{uuid.uuid4().hex[:24]}"

    async def event(self, kind: str, obj: dict) -> None:
        await self.write(f"event: {kind}\ndata: {json.dumps({'type': kind, **obj})}\n\n")

    def message_obj(self, content: list, stop: str | None, usage: tuple[int, int]) -> dict:
        return {"id": self.id, "type": "message", "role": "assistant", "model": self.model, "content": content,
                "stop_reason": stop, "stop_sequence": None,
                "usage": {"input_tokens": usage[0], "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0,
                          "output_tokens": usage[1]}}

    async def stream_partial(self, pieces: list[str], delay: float) -> None:
        prompt = self.usage_of(Reply(usage=None), "")[0]
        await self.event("message_start", {"message": self.message_obj([], None, (prompt, 1))})
        await self.event("content_block_start", {"index": 0, "content_block": {"type": "text", "text": ""}})
        await self.event("ping", {})
        for piece in pieces:
            await self.pause(delay)
            await self.event("content_block_delta", {"index": 0, "delta": {"type": "text_delta", "text": piece}})

    async def stream_rest(self, pieces: list[str], b: Reply) -> None:
        for piece in pieces:
            await self.event("content_block_delta", {"index": 0, "delta": {"type": "text_delta", "text": piece}})
        await self.event("content_block_stop", {"index": 0})
        await self.finish(b, b.text, "end_turn")

    async def finish(self, b, text: str, stop: str) -> None:
        usage = self.usage_of(b, text)
        await self.event("message_delta", {"delta": {"stop_reason": stop, "stop_sequence": None},
                                           "usage": {"output_tokens": usage[1]}})
        await self.event("message_stop", {})

    async def stream_reply(self, b, pieces: list[str], delay: float) -> None:
        usage = self.usage_of(b, "")
        await self.event("message_start", {"message": self.message_obj([], None, (usage[0], 1))})
        index = 0
        if pieces:
            await self.event("content_block_start", {"index": 0, "content_block": {"type": "text", "text": ""}})
            await self.event("ping", {})
            for piece in pieces:
                await self.pause(delay)
                await self.event("content_block_delta", {"index": 0, "delta": {"type": "text_delta", "text": piece}})
            await self.event("content_block_stop", {"index": 0})
            index = 1
        text = "".join(pieces)
        if isinstance(b, ToolCalls):
            for c in b.calls:
                await self.event("content_block_start", {"index": index, "content_block": {
                    "type": "tool_use", "id": c.id or f"toolu_{uuid.uuid4().hex[:24]}", "name": c.name, "input": {}}})
                for piece in _chunks(c.args_text(), b.args_chunk_size):
                    await self.pause(delay)
                    await self.event("content_block_delta",
                                     {"index": index, "delta": {"type": "input_json_delta", "partial_json": piece}})
                await self.event("content_block_stop", {"index": index})
                index += 1
                text += c.args_text()
            await self.finish(b, text, "tool_use")
        else:
            await self.pause(delay)
            await self.finish(b, text, self.STOP.get(b.finish_reason, b.finish_reason))

    def final_object(self, b) -> dict:
        content = [{"type": "text", "text": b.text}] if b.text else []
        text = b.text
        stop = self.STOP.get(getattr(b, "finish_reason", "stop"), "end_turn")
        if isinstance(b, ToolCalls):
            for c in b.calls:
                args = json.loads(c.args_text()) if c.args_text().strip() else {}
                content.append({"type": "tool_use", "id": c.id or f"toolu_{uuid.uuid4().hex[:24]}", "name": c.name,
                                "input": args})
                text += c.args_text()
            stop = "tool_use"
        return self.message_obj(content, stop, self.usage_of(b, text))

    def malformed_event(self, payload: str) -> str:
        return f"event: content_block_delta\ndata: {payload}\n\n"

    def error_event(self, kind: str, message: str) -> str:
        return f"event: error\ndata: {json.dumps({'type': 'error', 'error': {'type': kind, 'message': message}})}\n\n"


_WRITERS: dict[str, Callable[..., _StreamWriter]] = {
    "openai-completions": _ChatWriter,
    "openai-responses": _ResponsesWriter,
    "anthropic-messages": _AnthropicWriter,
}


# ------------------------------------------------------------------------------------------- SSE parse


def parse_sse(data: bytes | str) -> list[tuple[str | None, str]]:
    """Splits an SSE body into (event, data) pairs (multi-line data joined by newlines)."""
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        if not block.strip():
            continue
        event, lines = None, []
        for line in block.split("\n"):
            if line.startswith(":"):
                continue
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "event":
                event = value
            elif name == "data":
                lines.append(value)
        if lines or event:
            events.append((event, "\n".join(lines)))
    return events
