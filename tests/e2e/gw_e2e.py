"""Black-box helpers for the openclaw-gateway e2e suite (stdlib only).

Everything here talks to 127.0.0.1 only and every wait is bounded by a deadline.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import os
import re
import select
import signal
import socket
import ssl
import struct
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BINARY = REPO_ROOT / "build/asan/src/app/openclaw-gateway"

# ASan builds start and stop slowly; these are generous upper bounds, never expectations.
START_TIMEOUT = float(os.environ.get("GW_E2E_START_TIMEOUT", "30"))
STOP_TIMEOUT = float(os.environ.get("GW_E2E_STOP_TIMEOUT", "30"))
IO_TIMEOUT = float(os.environ.get("GW_E2E_IO_TIMEOUT", "15"))

EXIT_CONFIG = 78  # EX_CONFIG from sysexits.h
REQUIRE = os.environ.get("GW_E2E_REQUIRE") == "1"

SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:", "WARNING: ThreadSanitizer")

SECURITY_HEADERS = {"x-content-type-options": "nosniff", "referrer-policy": "no-referrer"}


# --------------------------------------------------------------------------------------------- waits


def missing(what: str) -> None:
    """Skips locally; fails in CI (GW_E2E_REQUIRE=1), so a missing prerequisite is never a silent green."""
    import pytest

    if REQUIRE:
        pytest.fail(f"{what} (GW_E2E_REQUIRE=1 turns this skip into a failure)", pytrace=False)
    pytest.skip(what)


def wait_until(predicate: Callable[[], Any], timeout: float, interval: float = 0.02, what: str = "condition") -> Any:
    """Polls `predicate` until it returns a truthy value; raises TimeoutError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise TimeoutError(f"timed out after {timeout:.1f}s waiting for {what}")
        time.sleep(interval)


# ---------------------------------------------------------------------------------------------- YAML


def _yaml_scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_yaml_scalar(v) for v in value) + "]"
    return json.dumps(str(value))  # a JSON string is a valid YAML double-quoted scalar


def to_yaml(mapping: dict, indent: int = 0) -> str:
    """Renders nested dicts of scalars as block YAML (enough for gateway configs; no PyYAML needed)."""
    lines = []
    pad = "  " * indent
    for key, value in mapping.items():
        if isinstance(value, dict) and value:
            lines.append(f"{pad}{key}:")
            lines.append(to_yaml(value, indent + 1))
        elif isinstance(value, dict):
            lines.append(f"{pad}{key}: {{}}")
        else:
            lines.append(f"{pad}{key}: {_yaml_scalar(value)}")
    return "\n".join(lines)


def deep_merge(base: dict, override: dict) -> dict:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def child_env(extra: dict | None = None) -> dict:
    """The environment for a gateway process: ours without OPENCLAW_* and config overrides, plus `extra`."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("OPENCLAW_") and k not in ("REDIS_HOST", "POSTGRES_HOST", "DB_PASSWORD")
    }
    for key, value in (extra or {}).items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = str(value)
    return env


# ---------------------------------------------------------------------------------------------- HTTP


@dataclass
class Response:
    status: int
    headers: dict  # lower-case name -> value (last one wins)
    body: bytes
    reason: str = ""
    raw_headers: list = field(default_factory=list)

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))

    def __repr__(self) -> str:
        return f"<Response {self.status} {self.headers!r} {self.body[:300]!r}>"


def _from_http_client(resp: http.client.HTTPResponse, body: bytes) -> Response:
    raw = list(resp.getheaders())
    return Response(resp.status, {k.lower(): v for k, v in raw}, body, resp.reason, raw)


class HttpClient:
    """A keep-alive HTTP/1.1 connection (http.client) with convenience helpers."""

    def __init__(self, host: str, port: int, timeout: float = IO_TIMEOUT, ssl_context: ssl.SSLContext | None = None):
        if ssl_context is None:
            self.conn = http.client.HTTPConnection(host, port, timeout=timeout)
        else:
            self.conn = http.client.HTTPSConnection(host, port, timeout=timeout, context=ssl_context)
        self.conn.auto_open = 0  # never silently reconnect: tests reason about one connection
        self.conn.connect()

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> Response:
        self.conn.request(method, path, body=body, headers=headers or {})
        resp = self.conn.getresponse()
        data = resp.read()
        return _from_http_client(resp, data)

    def get(self, path: str, headers: dict | None = None) -> Response:
        return self.request("GET", path, headers=headers)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "HttpClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def http_request(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict | None = None,
    host: str = "127.0.0.1",
    timeout: float = IO_TIMEOUT,
    ssl_context: ssl.SSLContext | None = None,
) -> Response:
    """One request on a fresh connection."""
    with HttpClient(host, port, timeout, ssl_context) as client:
        return client.request(method, path, body=body, headers=headers)


def parse_response_head(head: bytes) -> tuple[int, str, dict, list]:
    lines = head.decode("latin-1").split("\r\n")
    match = re.match(r"HTTP/1\.[01] (\d{3}) ?(.*)", lines[0])
    if not match:
        raise ValueError(f"not an HTTP response: {lines[0]!r}")
    raw = []
    for line in lines[1:]:
        if not line:
            continue
        name, _, value = line.partition(":")
        raw.append((name.strip(), value.strip()))
    return int(match.group(1)), match.group(2), {k.lower(): v for k, v in raw}, raw


def _decode_chunked(data: bytes) -> bytes | None:
    """Returns the body if `data` holds a complete chunked body, else None."""
    out = b""
    pos = 0
    while True:
        end = data.find(b"\r\n", pos)
        if end < 0:
            return None
        size = int(data[pos:end].split(b";")[0], 16)
        pos = end + 2
        if size == 0:
            return out if data.find(b"\r\n\r\n", pos - 2) >= 0 else None
        if len(data) < pos + size + 2:
            return None
        out += data[pos : pos + size]
        pos += size + 2


def try_parse_response(data: bytes, head_request: bool = False) -> tuple[Response, int] | None:
    """Parses one complete response from the front of `data`; returns it and the bytes consumed."""
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return None
    status, reason, headers, raw = parse_response_head(data[:end])
    rest = data[end + 4 :]
    if head_request or status in (204, 304) or 100 <= status < 200:
        return Response(status, headers, b"", reason, raw), end + 4
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body = _decode_chunked(rest)
        return None if body is None else (Response(status, headers, body, reason, raw), len(data))
    length = int(headers.get("content-length", "0"))
    if len(rest) < length:
        return None
    return Response(status, headers, rest[:length], reason, raw), end + 4 + length


class RawConnection:
    """A plain TCP socket for requests http.client cannot send (garbage, partial, slow, oversized)."""

    def __init__(self, port: int, host: str = "127.0.0.1", timeout: float = IO_TIMEOUT):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buffer = b""
        self.eof = False

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def _recv_some(self, deadline: float) -> bool:
        """Reads what is available before `deadline`; returns False on EOF/reset or timeout."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        ready, _, _ = select.select([self.sock], [], [], remaining)
        if not ready:
            return False
        try:
            chunk = self.sock.recv(65536)
        except (ConnectionResetError, BrokenPipeError):
            chunk = b""
        if not chunk:
            self.eof = True
            return False
        self.buffer += chunk
        return True

    def read_response(self, timeout: float = IO_TIMEOUT, head_request: bool = False) -> Response:
        deadline = time.monotonic() + timeout
        while True:
            parsed = try_parse_response(self.buffer, head_request)
            if parsed:
                resp, used = parsed
                self.buffer = self.buffer[used:]
                return resp
            if not self._recv_some(deadline):
                if self.eof:
                    raise ConnectionError(f"connection closed before a full response; got {self.buffer[:300]!r}")
                raise TimeoutError(f"no full response within {timeout}s; got {self.buffer[:300]!r}")

    def wait_closed(self, timeout: float = IO_TIMEOUT) -> bytes:
        """Reads until EOF (returning everything read); raises TimeoutError if the peer keeps it open."""
        deadline = time.monotonic() + timeout
        while not self.eof:
            if not self._recv_some(deadline) and not self.eof:
                raise TimeoutError(f"connection still open after {timeout}s")
        return self.buffer

    def is_closed_now(self) -> bool:
        """Non-blocking check: has the peer closed (or sent anything)? Consumes available bytes."""
        ready, _, _ = select.select([self.sock], [], [], 0)
        if ready:
            self._recv_some(time.monotonic() + 0.01)
        return self.eof

    def send_streaming(self, head: bytes, body: bytes, timeout: float = IO_TIMEOUT, chunk: int = 16384) -> Response:
        """Sends `head` then `body`, but stops sending as soon as the server answers (e.g. an early 413)."""
        self.sock.sendall(head)
        self.sock.setblocking(False)
        sent = 0
        deadline = time.monotonic() + timeout
        try:
            while True:
                parsed = try_parse_response(self.buffer)
                if parsed:
                    self.buffer = self.buffer[parsed[1] :]
                    return parsed[0]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"no response after sending {sent}/{len(body)} body bytes")
                want_write = [self.sock] if sent < len(body) else []
                readable, writable, _ = select.select([self.sock], want_write, [], remaining)
                if readable:
                    try:
                        data = self.sock.recv(65536)
                    except (ConnectionResetError, BlockingIOError):
                        data = b""
                    if not data:
                        self.eof = True
                        parsed = try_parse_response(self.buffer)
                        if parsed:
                            return parsed[0]
                        raise ConnectionError(f"closed without a full response; got {self.buffer[:300]!r}")
                    self.buffer += data
                elif writable:
                    try:
                        sent += self.sock.send(body[sent : sent + chunk])
                    except (BrokenPipeError, ConnectionResetError):
                        sent = len(body)  # server stopped reading; keep reading its answer
                    except BlockingIOError:
                        pass
        finally:
            self.sock.setblocking(True)

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> "RawConnection":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def assert_error_body(resp: Response, status: int, code: str) -> dict:
    """Checks the one public error shape {"error":{"code","message","request_id"}}; returns the inner object."""
    assert resp.status == status, resp
    assert (resp.header("content-type") or "").startswith("application/json"), resp
    body = resp.json()
    assert set(body) == {"error"}, body
    err = body["error"]
    assert err.get("code") == code, body
    assert isinstance(err.get("message"), str) and err["message"], body
    assert isinstance(err.get("request_id"), str) and err["request_id"], body
    if resp.header("x-request-id") is not None:
        assert err["request_id"] == resp.header("x-request-id"), resp
    return err


def assert_security_headers(resp: Response) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert (resp.header(name) or "").lower() == value, f"{name} missing or wrong in {resp!r}"
    assert resp.header("x-request-id"), f"x-request-id missing in {resp!r}"


# ----------------------------------------------------------------------------------------- WebSocket

_WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA


class WebSocket:
    """A minimal RFC 6455 client (text, close, ping/pong, fragmentation) over a blocking socket."""

    def __init__(self, port: int, path: str = "/", host: str = "127.0.0.1", timeout: float = IO_TIMEOUT,
                 headers: dict | None = None):
        self.raw = RawConnection(port, host, timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [
            f"GET {path} HTTP/1.1",
            f"Host: {host}:{port}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Key: {key}",
            "Sec-WebSocket-Version: 13",
        ] + [f"{k}: {v}" for k, v in (headers or {}).items()]
        self.raw.send(("\r\n".join(lines) + "\r\n\r\n").encode())
        self.handshake = self.raw.read_response(timeout, head_request=True)
        if self.handshake.status != 101:
            raise ConnectionError(f"WebSocket upgrade refused: {self.handshake!r}")
        expected = base64.b64encode(hashlib.sha1((key + _WS_GUID).encode()).digest()).decode()
        if self.handshake.header("sec-websocket-accept") != expected:
            raise ConnectionError(f"bad Sec-WebSocket-Accept in {self.handshake!r}")

    def _need(self, n: int, deadline: float) -> bytes:
        while len(self.raw.buffer) < n:
            if not self.raw._recv_some(deadline):
                raise (ConnectionError("WebSocket closed mid-frame") if self.raw.eof else TimeoutError("frame timeout"))
        data, self.raw.buffer = self.raw.buffer[:n], self.raw.buffer[n:]
        return data

    def recv_frame(self, timeout: float = IO_TIMEOUT) -> tuple[bool, int, bytes]:
        deadline = time.monotonic() + timeout
        b0, b1 = self._need(2, deadline)
        fin, opcode, masked, length = bool(b0 & 0x80), b0 & 0x0F, bool(b1 & 0x80), b1 & 0x7F
        if length == 126:
            (length,) = struct.unpack("!H", self._need(2, deadline))
        elif length == 127:
            (length,) = struct.unpack("!Q", self._need(8, deadline))
        mask = self._need(4, deadline) if masked else None
        payload = self._need(length, deadline)
        if mask:
            payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        return fin, opcode, payload

    def recv_message(self, timeout: float = IO_TIMEOUT) -> tuple[int, bytes]:
        """Returns (opcode, payload) of the next data message or close frame; answers pings."""
        deadline = time.monotonic() + timeout
        opcode, parts = None, []
        while True:
            fin, op, payload = self.recv_frame(max(0.0, deadline - time.monotonic()))
            if op == OP_PING:
                self.send_frame(OP_PONG, payload)
                continue
            if op == OP_PONG:
                continue
            if op == OP_CLOSE:
                return op, payload
            if op != OP_CONT:
                opcode = op
            parts.append(payload)
            if fin:
                return opcode, b"".join(parts)

    def recv_json(self, timeout: float = IO_TIMEOUT) -> Any:
        op, payload = self.recv_message(timeout)
        assert op == OP_TEXT, f"expected a text frame, got opcode {op} {payload!r}"
        return json.loads(payload.decode("utf-8"))

    def send_frame(self, opcode: int, payload: bytes) -> None:
        mask = os.urandom(4)
        head = bytes([0x80 | opcode])
        n = len(payload)
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 65536:
            head += bytes([0x80 | 126]) + struct.pack("!H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack("!Q", n)
        self.raw.send(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def send_json(self, obj: Any) -> None:
        self.send_frame(OP_TEXT, json.dumps(obj).encode())

    def close(self, code: int = 1000) -> None:
        try:
            self.send_frame(OP_CLOSE, struct.pack("!H", code))
        except OSError:
            pass
        self.raw.close()


def close_code(payload: bytes) -> int | None:
    return struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None


# -------------------------------------------------------------------------------------------- metrics

_SAMPLE_RE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})?\s+(\S+)(?:\s+-?\d+)?$")
_LABEL_RE = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_metrics(text: str) -> tuple[dict, list]:
    """Returns ({family: type}, [(name, {label: value}, float)]) from Prometheus text format 0.0.4."""
    types, samples = {}, []
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            parts = line.split()
            types[parts[2]] = parts[3]
        elif line and not line.startswith("#"):
            match = _SAMPLE_RE.match(line)
            assert match, f"unparsable metrics line: {line!r}"
            labels = dict(_LABEL_RE.findall(match.group(2) or ""))
            samples.append((match.group(1), labels, float(match.group(3))))
    return types, samples


def sample_sum(samples: Iterable, name: str, **labels: str) -> float:
    return sum(v for n, l, v in samples if n == name and all(l.get(k) == x for k, x in labels.items()))


# -------------------------------------------------------------------------------------------- process


@dataclass
class Gateway:
    """One `openclaw-gateway serve` process with its own config file, data dir and log files."""

    binary: Path
    workdir: Path
    config: dict | None = None
    config_text: str | None = None
    env: dict | None = None
    args: tuple = ()
    check_exit: bool = True
    proc: subprocess.Popen | None = None
    url: str = ""
    port: int = 0
    host: str = "127.0.0.1"
    listening: dict | None = None
    ssl_context: ssl.SSLContext | None = None  # set by the test when server.tls is enabled

    def __post_init__(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.data_dir = self.workdir / "data"
        self.config_path = self.workdir / "gateway.yaml"
        self.stdout_path = self.workdir / "stdout.log"
        self.stderr_path = self.workdir / "stderr.log"
        if self.config_text is None:
            base = {"server": {"host": "127.0.0.1", "port": 0}, "store": {"data_dir": str(self.data_dir)}}
            self.config_text = to_yaml(deep_merge(base, self.config or {})) + "\n"
        self.config_path.write_text(self.config_text)

    # ---- lifecycle

    def start(self, wait_ready: bool = True, timeout: float = START_TIMEOUT) -> "Gateway":
        cmd = [str(self.binary), "serve", "--config", str(self.config_path), *self.args]
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(
                cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, cwd=self.workdir, env=child_env(self.env)
            )
        self.listening = wait_until(self._listening_line, timeout, what=f"the listening line of {cmd}")
        self.url = self.listening["url"]
        match = re.match(r"https?://(\[[^\]]+\]|[^:/]+):(\d+)", self.url)
        assert match, f"unexpected url {self.url!r}"
        self.host, self.port = match.group(1).strip("[]"), int(match.group(2))
        if wait_ready:
            wait_until(self._ready, timeout, what="GET /readyz == 200")
        return self

    def _listening_line(self) -> dict | None:
        if self.proc.poll() is not None:
            raise AssertionError(
                f"gateway exited early with {self.proc.returncode}\nstdout:\n{self.stdout()}\nstderr:\n{self.stderr()}"
            )
        for line in self.stdout().splitlines():
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if isinstance(obj, dict) and str(obj.get("msg", "")).startswith("openclaw-gateway listening"):
                return obj
        return None

    def _ready(self) -> bool:
        if self.proc.poll() is not None:
            raise AssertionError(f"gateway exited with {self.proc.returncode}\nstderr:\n{self.stderr()}")
        try:
            return self.get("/readyz", timeout=2).status == 200
        except OSError:
            return False

    def send_signal(self, sig: int = signal.SIGTERM) -> None:
        self.proc.send_signal(sig)

    def wait(self, timeout: float = STOP_TIMEOUT) -> int:
        """Waits for exit; kills and raises if it does not exit within `timeout`."""
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
            raise AssertionError(f"gateway did not exit within {timeout}s; killed\nstderr:\n{self.stderr()}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = STOP_TIMEOUT) -> int:
        if self.proc is None:
            return 0
        if self.proc.poll() is None:
            self.send_signal(sig)
        return self.wait(timeout)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    # ---- output

    def stdout(self) -> str:
        return self.stdout_path.read_text(errors="replace") if self.stdout_path.exists() else ""

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace") if self.stderr_path.exists() else ""

    def log_lines(self) -> list[dict]:
        return [json.loads(line) for line in self.stdout().splitlines() if line.strip()]

    def sanitizer_reports(self) -> list[str]:
        text = self.stderr() + self.stdout()
        return [m for m in SANITIZER_MARKERS if m in text]

    # ---- clients

    def get(self, path: str, headers: dict | None = None, timeout: float = IO_TIMEOUT) -> Response:
        return http_request(self.port, "GET", path, headers=headers, host=self.host, timeout=timeout,
                            ssl_context=self.ssl_context)

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> Response:
        return http_request(self.port, method, path, body=body, headers=headers, host=self.host,
                            ssl_context=self.ssl_context)

    def client(self, timeout: float = IO_TIMEOUT) -> HttpClient:
        return HttpClient(self.host, self.port, timeout, self.ssl_context)

    def raw(self, timeout: float = IO_TIMEOUT) -> RawConnection:
        return RawConnection(self.port, self.host, timeout)

    def websocket(self, path: str = "/", headers: dict | None = None) -> WebSocket:
        return WebSocket(self.port, path, self.host, headers=headers)

    def metrics(self) -> tuple[dict, list]:
        resp = self.get("/metrics")
        assert resp.status == 200, resp
        return parse_metrics(resp.body.decode("utf-8"))


def run_cli(binary: Path, args: Iterable[str], cwd: Path, env: dict | None = None,
            timeout: float = START_TIMEOUT) -> subprocess.CompletedProcess:
    """Runs a one-shot subcommand (config check, migrate, version) with a bounded wait."""
    return subprocess.run(
        [str(binary), *args],
        cwd=cwd,
        env=child_env(env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


# ------------------------------------------------------------------------- conversation engine (LLM)

GATEWAY_TOKEN = "e2e-gateway-token-0123456789"
UPSTREAM_KEY = "sk-fake-upstream-key"


def provider_entry(base_url: str, api: str = "openai-completions", api_key: str | None = UPSTREAM_KEY,
                   **extra: Any) -> dict:
    """One `models.providers.<id>` entry; fast retries by default so tests do not wait on backoff."""
    entry = {"base_url": base_url, "api": api, "max_retries": 2, "retry_base_delay": "10ms",
             "retry_max_delay": "2s", "connect_timeout": "5s"}
    if api_key is not None:
        entry["api_key"] = api_key
    entry.update(extra)
    return entry


def llm_config(base_url: str, *, api: str = "openai-completions", provider: str = "fake", model: str = "fake-model",
               api_key: str | None = UPSTREAM_KEY, token: str | None = GATEWAY_TOKEN, provider_extra: dict | None = None,
               defaults: dict | None = None, extra: dict | None = None) -> dict:
    """A gateway config whose default agent talks to `base_url` (a FakeLLM) as provider `provider`.

    `defaults` is merged into `agents.defaults`, `extra` into the whole config (deep merge)."""
    config = {
        "models": {"providers": {provider: provider_entry(base_url, api, api_key, **(provider_extra or {}))}},
        "agents": {"defaults": {"model": f"{provider}/{model}", **(defaults or {})}},
    }
    if token is not None:
        config["auth"] = {"token": token}
    return deep_merge(config, extra or {})


def bearer(token: str = GATEWAY_TOKEN, **more: str) -> dict:
    return {"Authorization": f"Bearer {token}", **more}


def post_json(gw: "Gateway", path: str, body: Any, headers: dict | None = None, token: str | None = GATEWAY_TOKEN,
              timeout: float = IO_TIMEOUT) -> Response:
    """POSTs a JSON body (with the gateway bearer unless token is None) on a fresh connection."""
    hdrs = {"Content-Type": "application/json"}
    if token is not None:
        hdrs.update(bearer(token))
    hdrs.update(headers or {})
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return http_request(gw.port, "POST", path, body=data, headers=hdrs, host=gw.host, timeout=timeout,
                        ssl_context=gw.ssl_context)


def sse_events(data: bytes | str) -> list[tuple[str | None, str]]:
    """Splits an SSE body into (event, data) pairs; comment lines are skipped."""
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


class SseStream:
    """A streaming POST read event by event (http.client decodes chunked transfer); every read is bounded
    by the socket timeout. close() drops the connection (a client going away mid-stream)."""

    def __init__(self, gw: "Gateway", path: str, body: Any, headers: dict | None = None,
                 token: str | None = GATEWAY_TOKEN, timeout: float = IO_TIMEOUT):
        self.conn = http.client.HTTPConnection(gw.host, gw.port, timeout=timeout)
        hdrs = {"Content-Type": "application/json", "Accept": "text/event-stream"}
        if token is not None:
            hdrs.update(bearer(token))
        hdrs.update(headers or {})
        self.conn.request("POST", path, body=json.dumps(body).encode(), headers=hdrs)
        self.resp = self.conn.getresponse()
        self.status = self.resp.status
        self.headers = {k.lower(): v for k, v in self.resp.getheaders()}
        self.done = False

    def next_event(self) -> tuple[str | None, str] | None:
        """The next (event, data) pair, or None at the end of the body."""
        event, lines = None, []
        while True:
            raw = self.resp.readline()
            if not raw:
                self.done = True
                return (event, "\n".join(lines)) if (lines or event) else None
            line = raw.decode("utf-8").rstrip("\r\n")
            if not line:
                if lines or event:
                    return event, "\n".join(lines)
                continue
            if line.startswith(":"):
                continue
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "event":
                event = value
            elif name == "data":
                lines.append(value)

    def events(self) -> list[tuple[str | None, str]]:
        out = []
        while (ev := self.next_event()) is not None:
            out.append(ev)
        return out

    def body(self) -> bytes:
        return self.resp.read()

    def close(self) -> None:
        try:
            self.conn.sock and self.conn.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.conn.close()

    def __enter__(self) -> "SseStream":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def chat_body(text: str = "ping", *, stream: bool = False, model: str = "openclaw", **extra: Any) -> dict:
    return {"model": model, "stream": stream, "messages": [{"role": "user", "content": text}], **extra}


def openai_error(resp: Response, status: int) -> dict:
    """Checks the OpenAI error shape {"error":{"message","type",...}} and returns the inner object."""
    assert resp.status == status, resp
    assert (resp.header("content-type") or "").startswith("application/json"), resp
    body = resp.json()
    assert isinstance(body.get("error"), dict), body
    err = body["error"]
    assert isinstance(err.get("message"), str) and err["message"], body
    assert isinstance(err.get("type"), str) and err["type"], body
    return err
