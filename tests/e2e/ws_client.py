"""A small OpenClaw gateway protocol v4 client for the e2e suite (synchronous, bounded waits).

Reference: /work/shared/reference/openclaw-gateway-protocol.md §2 (framing, handshake, device proof).
Built on gw_e2e.WebSocket (blocking RFC 6455 client), so close codes and raw frames stay visible.

    c = OpenClawClient(gw.port)                       # reads connect.challenge
    hello = c.connect(token=GATEWAY_TOKEN, device=DeviceIdentity())
    assert hello["ok"], hello
    res = c.call("health")                            # the res frame (events seen meanwhile are kept)
    ev = c.wait_event("chat", lambda p: p["state"] == "final")
    code, reason = c.wait_close()

Device identity (§2.2.3): Ed25519; publicKey = base64url(raw 32 bytes, no padding);
id = hex(sha256(raw)); signature = base64url(Ed25519(signed string)), where the signed string is
  v3|id|client.id|client.mode|role|scopes,joined|signedAtMs|token|nonce|platform lc|deviceFamily lc
  v2|id|client.id|client.mode|role|scopes,joined|signedAtMs|token|nonce
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import socket
import time
import uuid
from typing import Any, Callable

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from gw_e2e import IO_TIMEOUT, OP_CLOSE, OP_TEXT, RawConnection, WebSocket, close_code

PROTOCOL = 4
OPERATOR_SCOPES = ["operator.read", "operator.write", "operator.admin"]
ERROR_CODES = {"NOT_LINKED", "NOT_PAIRED", "AGENT_TIMEOUT", "AGENT_RESULT_NOT_FOUND", "INVALID_REQUEST",
               "FORBIDDEN", "APPROVAL_NOT_FOUND", "UNAVAILABLE"}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def now_ms() -> int:
    return int(time.time() * 1000)


def signed_string(version: int, *, device_id: str, client_id: str, client_mode: str, role: str,
                  scopes: list[str], signed_at: int, token: str, nonce: str, platform: str = "",
                  device_family: str = "") -> str:
    """The device-proof payload of §2.2.3 (v3 or v2)."""
    parts = [f"v{version}", device_id, client_id, client_mode, role, ",".join(scopes), str(signed_at), token, nonce]
    if version == 3:
        parts += [platform.strip().lower(), device_family.strip().lower()]
    elif version != 2:
        raise ValueError(f"unknown proof version {version}")
    return "|".join(parts)


class DeviceIdentity:
    """An Ed25519 device key pair with the OpenClaw encodings."""

    def __init__(self, private_key: Ed25519PrivateKey | None = None):
        self.private_key = private_key or Ed25519PrivateKey.generate()
        self.public_raw = self.private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.public_key = b64url(self.public_raw)
        self.device_id = hashlib.sha256(self.public_raw).hexdigest()
        self.device_token: str | None = None  # set from hello-ok auth.deviceToken by OpenClawClient.connect

    def sign(self, text: str) -> str:
        return b64url(self.private_key.sign(text.encode("utf-8")))

    def proof(self, *, nonce: str, signed_at: int, client_id: str, client_mode: str, role: str,
              scopes: list[str], token: str, platform: str, device_family: str, version: int = 3) -> dict:
        text = signed_string(version, device_id=self.device_id, client_id=client_id, client_mode=client_mode,
                             role=role, scopes=scopes, signed_at=signed_at, token=token, nonce=nonce,
                             platform=platform, device_family=device_family)
        return {"id": self.device_id, "publicKey": self.public_key, "signature": self.sign(text),
                "signedAt": signed_at, "nonce": nonce}


class _SourceRaw(RawConnection):
    """RawConnection from a chosen local source address (e.g. 127.0.0.2 as a 'proxy')."""

    def __init__(self, port: int, host: str, timeout: float, source: str):
        self.sock = socket.create_connection((host, port), timeout=timeout, source_address=(source, 0))
        self.buffer = b""
        self.eof = False


class _Socket(WebSocket):
    """gw_e2e.WebSocket, optionally from a chosen local source address."""

    def __init__(self, port: int, host: str, timeout: float, headers: dict | None, source: str | None):
        if source is None:
            super().__init__(port, "/", host, timeout, headers)
            return
        self.raw = _SourceRaw(port, host, timeout, source)
        key = base64.b64encode(os.urandom(16)).decode()
        lines = ["GET / HTTP/1.1", f"Host: {host}:{port}", "Upgrade: websocket", "Connection: Upgrade",
                 f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        self.raw.send(("\r\n".join(lines) + "\r\n\r\n").encode())
        self.handshake = self.raw.read_response(timeout, head_request=True)
        if self.handshake.status != 101:
            raise ConnectionError(f"WebSocket upgrade refused: {self.handshake!r}")


class Closed(Exception):
    """The server closed the WebSocket (code, reason)."""

    def __init__(self, code: int | None, reason: str):
        super().__init__(f"closed {code} {reason!r}")
        self.code, self.reason = code, reason


class OpenClawClient:
    """One protocol connection. Frames are read lazily; events are kept in `events` in arrival order,
    and the outer event `seq` is checked to be strictly increasing (violations are in `seq_errors`)."""

    def __init__(self, port: int, host: str = "127.0.0.1", *, headers: dict | None = None,
                 source: str | None = None, timeout: float = IO_TIMEOUT, read_challenge: bool = True):
        self.ws = _Socket(port, host, timeout, headers, source)
        self.timeout = timeout
        self.events: list[dict] = []
        self.responses: dict[str, list[dict]] = {}
        self.frames: list[dict] = []  # every JSON frame received, in order
        self.seq_errors: list[str] = []
        self.last_seq: int | None = None
        self.closed: Closed | None = None
        self.hello: dict | None = None
        self.challenge: dict | None = None
        self._ids = 0
        if read_challenge:
            first = self.recv(timeout)
            assert first.get("type") == "event" and first.get("event") == "connect.challenge", first
            assert "seq" not in first, f"connect.challenge carries no seq: {first}"
            self.challenge = first["payload"]

    # ------------------------------------------------------------------------------------ raw frames

    def send(self, obj: Any) -> None:
        self.ws.send_json(obj)

    def send_text(self, text: str | bytes) -> None:
        self.ws.send_frame(OP_TEXT, text if isinstance(text, bytes) else text.encode())

    def recv(self, timeout: float | None = None) -> dict:
        """The next JSON frame; raises Closed on a close frame or EOF, TimeoutError on timeout."""
        if self.closed:
            raise self.closed
        try:
            op, payload = self.ws.recv_message(self.timeout if timeout is None else timeout)
        except ConnectionError:
            self.closed = Closed(None, "eof")
            raise self.closed
        if op == OP_CLOSE:
            self.closed = Closed(close_code(payload), payload[2:].decode("utf-8", "replace"))
            try:
                self.ws.send_frame(OP_CLOSE, payload[:2])
            except OSError:
                pass
            raise self.closed
        assert op == OP_TEXT, f"expected a text frame, got opcode {op}"
        frame = json.loads(payload.decode("utf-8"))
        self.frames.append(frame)
        if frame.get("type") == "event":
            self.events.append(frame)
            seq = frame.get("seq")
            if frame.get("event") != "connect.challenge":
                if not isinstance(seq, int):
                    self.seq_errors.append(f"event without int seq: {frame.get('event')}")
                elif self.last_seq is not None and seq <= self.last_seq:
                    self.seq_errors.append(f"seq {seq} after {self.last_seq} ({frame.get('event')})")
                if isinstance(seq, int):
                    self.last_seq = seq
        elif frame.get("type") == "res":
            self.responses.setdefault(frame.get("id"), []).append(frame)
        return frame

    def wait_close(self, timeout: float | None = None) -> tuple[int | None, str]:
        """Reads (and keeps) frames until the server closes; returns (close code, reason)."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            try:
                self.recv(max(0.01, deadline - time.monotonic()))
            except Closed as c:
                return c.code, c.reason
            if time.monotonic() > deadline:
                raise TimeoutError("server did not close the connection")

    def close(self, code: int = 1000) -> None:
        self.ws.close(code)

    # ---------------------------------------------------------------------------------- requests

    def next_id(self) -> str:
        self._ids += 1
        return f"r{self._ids}"

    def request(self, method: str, params: Any = None, *, id: str | None = None) -> str:
        """Sends a req frame and returns its id (without waiting)."""
        rid = id or self.next_id()
        frame = {"type": "req", "id": rid, "method": method}
        if params is not None:
            frame["params"] = params
        self.send(frame)
        return rid

    def wait_res(self, rid: str, timeout: float | None = None, index: int = 0) -> dict:
        """The `index`-th res frame with this id (agent sends two)."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while len(self.responses.get(rid, [])) <= index:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no response #{index} for {rid}")
            self.recv(remaining)
        return self.responses[rid][index]

    def call(self, method: str, params: Any = None, timeout: float | None = None) -> dict:
        return self.wait_res(self.request(method, params), timeout)

    def ok(self, method: str, params: Any = None, timeout: float | None = None) -> Any:
        """call() that asserts ok and returns the payload."""
        res = self.call(method, params, timeout)
        assert res.get("ok") is True, f"{method} failed: {res}"
        return res.get("payload")

    def wait_event(self, name: str, predicate: Callable[[Any], bool] | None = None,
                   timeout: float | None = None, start: int = 0) -> dict:
        """The first event `name` (at index >= start of self.events) whose payload matches."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        i = start
        while True:
            while i < len(self.events):
                ev = self.events[i]
                i += 1
                if ev.get("event") == name and (predicate is None or predicate(ev.get("payload"))):
                    return ev
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no {name} event")
            self.recv(remaining)

    def events_named(self, name: str) -> list[dict]:
        return [e for e in self.events if e.get("event") == name]

    # --------------------------------------------------------------------------------- handshake

    def connect_params(self, *, token: str | None = None, password: str | None = None,
                       device: DeviceIdentity | None = None, device_token: str | None = None,
                       client_id: str = "cli", mode: str = "cli", role: str = "operator",
                       scopes: list[str] | None = None, caps: list[str] | None = None,
                       min_protocol: int = PROTOCOL, max_protocol: int = PROTOCOL, platform: str = "linux",
                       device_family: str = "Linux", proof_version: int = 3, signed_at: int | None = None,
                       nonce: str | None = None, version: str = "e2e") -> dict:
        scopes = list(OPERATOR_SCOPES if scopes is None else scopes)
        client = {"id": client_id, "version": version, "platform": platform, "mode": mode,
                  "instanceId": str(uuid.uuid4())}
        if device_family is not None:
            client["deviceFamily"] = device_family
        params: dict = {"minProtocol": min_protocol, "maxProtocol": max_protocol, "client": client,
                        "caps": list(caps or []), "role": role, "scopes": scopes}
        auth = {}
        if token is not None:
            auth["token"] = token
        if password is not None:
            auth["password"] = password
        if device_token is not None:
            auth["deviceToken"] = device_token
        if auth:
            params["auth"] = auth
        if device is not None:
            assert self.challenge is not None
            params["device"] = device.proof(
                nonce=self.challenge["nonce"] if nonce is None else nonce,
                signed_at=self.challenge["ts"] if signed_at is None else signed_at,
                client_id=client_id, client_mode=mode, role=role, scopes=scopes,
                token=token if token is not None else (device_token or ""),
                platform=platform, device_family=device_family or "", version=proof_version)
        return params

    def connect(self, params: dict | None = None, *, id: str = "c1", timeout: float | None = None, **kw) -> dict:
        """Sends `connect` (params, or connect_params(**kw)) and returns its res frame. On success the
        hello-ok payload is in self.hello and a device token (if issued) is stored on the device."""
        params = params if params is not None else self.connect_params(**kw)
        res = self.wait_res(self.request("connect", params, id=id), timeout)
        if res.get("ok"):
            self.hello = res["payload"]
            device = kw.get("device")
            token = ((self.hello.get("auth") or {}).get("deviceToken"))
            if device is not None and token:
                device.device_token = token
        return res


def assert_error(res: dict, code: str, detail_code: str | None = None) -> dict:
    """Asserts an error res with this ErrorShape code (and details.code); returns the error."""
    assert res.get("type") == "res" and res.get("ok") is False, res
    err = res.get("error") or {}
    assert err.get("code") in ERROR_CODES, f"code outside the closed set: {res}"
    assert err.get("code") == code, res
    assert isinstance(err.get("message"), str) and err["message"], res
    if detail_code is not None:
        assert (err.get("details") or {}).get("code") == detail_code, res
    return err


class WsTarget:
    """Where a protocol test connects: our gateway (gw, fake set) or a real OpenClaw peer (both None)."""

    def __init__(self, port: int, token: str, gw: Any = None, fake: Any = None):
        self.port, self.token, self.gw, self.fake = port, token, gw, fake

    @property
    def is_peer(self) -> bool:
        return self.gw is None

    def client(self, **kw) -> OpenClawClient:
        return OpenClawClient(self.port, **kw)

    def operator(self, scopes: list[str] | None = None, device: DeviceIdentity | None = None, **kw) -> OpenClawClient:
        """A connected operator client (fresh device identity unless given; loopback auto-approval)."""
        c = OpenClawClient(self.port)
        res = c.connect(token=self.token, device=device or DeviceIdentity(), scopes=scopes, **kw)
        assert res.get("ok") is True, res
        return c
