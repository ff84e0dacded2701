#!/usr/bin/python3
"""WebSocket protocol benchmarks (issue #4), driven by bench/run.sh (BENCH_ONLY=ws). Loopback only, every
step bounded, one run:
  1. WS_CONNS (default 10,000) authenticated connections (connect + hello-ok, operator.read) held open:
     gateway RSS growth per connection, then the spread of the next `tick` over all of them (tick_interval
     1 s; the spread includes this Python client's own processing, so it is an upper bound);
  2. `chat.send` acknowledgement latency at WS_RATE (1,000) messages/s for WS_SECONDS on one connection
     (each message a new session, fake upstream at zero latency): p50/p99 of send → `res`;
  3. fan-out: WS_SUBSCRIBERS (1,000) read connections, one `chat.send` from another: time from the first
     to the last subscriber receiving that run's first `chat` event (upper bound, as above);
  4. `chat.send` → `final` latency (sequential) and messages/s (WS_CONC concurrent senders) for this
     gateway and, side by side, the real OpenClaw gateway (bench/openclaw_peer.sh) on the same fake.
Uses Debian's python3-websockets. Merges results under "ws" into BENCH_OUT.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import sys
import tempfile
import time
import uuid
from pathlib import Path

import websockets

sys.path.insert(0, str(Path(__file__).resolve().parent))
import chat_bench as cb  # noqa: E402
import gateway_bench as gb  # noqa: E402

CONNS = gb.env_int("WS_CONNS", 10_000)
RATE = gb.env_int("WS_RATE", 1000)
SECONDS = gb.env_int("WS_SECONDS", 5)
SUBSCRIBERS = gb.env_int("WS_SUBSCRIBERS", 1000)
SEQ = gb.env_int("WS_SEQ", 50)
CONC = gb.env_int("WS_CONC", 8)
CONC_SECONDS = gb.env_int("WS_CONC_SECONDS", 10)
PEER_SEQ = gb.env_int("WS_PEER_SEQ", 10)
STEP_TIMEOUT = gb.env_int("WS_STEP_TIMEOUT", 180)
TARGETS = {"rss_per_conn_kb": ("<=", 30.0), "tick_spread_ms": ("<=", 1000.0), "ack_p99_us": ("<=", 1000.0),
           "fanout_ms": ("<=", 10.0)}
log = gb.log


async def connect(port: int, token: str, scopes: list[str]) -> websockets.WebSocketClientProtocol:
    ws = await websockets.connect(f"ws://127.0.0.1:{port}/", max_size=None, compression=None, open_timeout=60,
                                  ping_interval=None, close_timeout=2, max_queue=None)
    await ws.recv()  # connect.challenge
    params = {"minProtocol": 4, "maxProtocol": 4, "role": "operator", "scopes": scopes, "auth": {"token": token},
              "client": {"id": "cli", "version": "bench", "platform": "linux", "mode": "cli"}}
    await ws.send(json.dumps({"type": "req", "id": "c", "method": "connect", "params": params}))
    while True:
        msg = json.loads(await ws.recv())
        if msg.get("type") == "res" and msg.get("id") == "c":
            if not msg.get("ok"):
                raise RuntimeError(f"connect refused: {msg.get('error')}")
            return ws


def chat_send(key: str, ik: str) -> str:
    params = {"sessionKey": key, "message": "ping", "idempotencyKey": ik}
    return json.dumps({"type": "req", "id": ik, "method": "chat.send", "params": params})


async def close_all(conns: list) -> None:
    await asyncio.gather(*(c.close() for c in conns), return_exceptions=True)


async def hold_connections(port: int, pid: int) -> dict:
    rss0 = gb.vm_rss_mib(pid)
    sem = asyncio.Semaphore(256)
    conns: list = []

    async def one() -> None:
        async with sem:
            conns.append(await connect(port, cb.TOKEN, ["operator.read"]))

    t0 = time.monotonic()
    await asyncio.gather(*(one() for _ in range(CONNS)))
    open_s = time.monotonic() - t0
    await asyncio.sleep(1.5)
    rss1 = gb.vm_rss_mib(pid)

    async def next_tick(ws) -> float:
        while True:
            if '"event":"tick"' in await ws.recv():
                return time.monotonic()

    try:
        times = await asyncio.wait_for(asyncio.gather(*(next_tick(c) for c in conns)), timeout=30)
        spread_ms = (max(times) - min(times)) * 1000
    finally:
        await close_all(conns)
    return {"connections": CONNS, "open_s": open_s, "rss_before_mib": rss0, "rss_after_mib": rss1,
            "rss_per_conn_kb": (rss1 - rss0) * 1024 / CONNS, "tick_spread_ms": spread_ms}


async def ack_latency(port: int) -> dict:
    ws = await connect(port, cb.TOKEN, ["operator.write"])
    sent: dict[str, float] = {}
    lat: list[float] = []
    total = RATE * SECONDS

    async def reader() -> None:
        while len(lat) < total:
            text = await ws.recv()
            if text.startswith('{"type":"res"'):
                msg = json.loads(text)
                if msg["id"] in sent:
                    lat.append((time.monotonic() - sent[msg["id"]]) * 1e6)
                    if not msg.get("ok"):
                        raise RuntimeError(f"chat.send failed: {msg.get('error')}")

    task = asyncio.create_task(reader())
    start = time.monotonic()
    for i in range(total):
        due = start + i / RATE
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        ik = uuid.uuid4().hex
        sent[ik] = time.monotonic()
        await ws.send(chat_send(f"agent:main:ws-bench-{ik}", ik))
    send_s = time.monotonic() - start
    await asyncio.wait_for(task, timeout=60)
    await ws.close()
    return {"messages": total, "offered_rate": RATE, "achieved_send_rate": total / send_s,
            "p50_us": cb.pct(lat, 50), "p99_us": cb.pct(lat, 99), "max_us": max(lat)}


async def fanout(port: int) -> dict:
    subs = await asyncio.gather(*(connect(port, cb.TOKEN, ["operator.read"]) for _ in range(SUBSCRIBERS)))
    writer = await connect(port, cb.TOKEN, ["operator.write"])
    await asyncio.sleep(1)
    ik = uuid.uuid4().hex
    marker = f'"runId":"{ik}"'

    async def first_chat(ws) -> float:
        while True:
            text = await ws.recv()
            if '"event":"chat"' in text and marker in text:
                return time.monotonic()

    waits = [asyncio.create_task(first_chat(s)) for s in subs]
    t0 = time.monotonic()
    await writer.send(chat_send(f"agent:main:fanout-{ik}", ik))
    try:
        times = await asyncio.wait_for(asyncio.gather(*waits), timeout=30)
    finally:
        await close_all(list(subs) + [writer])
    return {"subscribers": SUBSCRIBERS, "fanout_ms": (max(times) - min(times)) * 1000,
            "send_to_last_ms": (max(times) - t0) * 1000}


async def turns(port: int, token: str) -> dict:
    """Sequential chat.send → chat final latency, then messages/s with CONC senders."""

    async def one_turn(ws, ik: str) -> float:
        t0 = time.monotonic()
        await ws.send(chat_send(f"agent:main:turn-{ik}", ik))
        marker = f'"runId":"{ik}"'
        while True:
            text = await ws.recv()
            if '"event":"chat"' in text and marker in text:
                state = json.loads(text)["payload"]["state"]
                if state in ("final", "error", "aborted"):
                    if state != "final":
                        raise RuntimeError(f"run ended {state}: {text[:300]}")
                    return (time.monotonic() - t0) * 1e6

    ws = await connect(port, token, ["operator.write"])
    await one_turn(ws, uuid.uuid4().hex)  # warm-up
    seq = [await one_turn(ws, uuid.uuid4().hex) for _ in range(SEQ)]
    await ws.close()
    senders = [await connect(port, token, ["operator.write"]) for _ in range(CONC)]
    done = 0
    deadline = time.monotonic() + CONC_SECONDS

    async def loop(w) -> None:
        nonlocal done
        while time.monotonic() < deadline:
            await one_turn(w, uuid.uuid4().hex)
            done += 1

    t0 = time.monotonic()
    await asyncio.gather(*(loop(w) for w in senders))
    wall = time.monotonic() - t0
    await close_all(senders)
    return {"seq_p50_us": cb.pct(seq, 50), "seq_p99_us": cb.pct(seq, 99), "conc": CONC,
            "messages_per_s": done / wall}


def peer_turns(fake_port: int, tmp: Path) -> dict:
    global SEQ, CONC_SECONDS
    if not cb.PEER:
        return {"unavailable": "disabled (BENCH_PEER=0)"}
    peer = cb.Peer(tmp / "peer", fake_port)
    try:
        peer.wait_ready()
        SEQ, CONC_SECONDS = PEER_SEQ, max(10, CONC_SECONDS)  # ~0.5 s per turn: keep the peer step short
        return asyncio.run(asyncio.wait_for(turns(peer.port, cb.PEER_TOKEN), timeout=STEP_TIMEOUT))
    except (RuntimeError, OSError, asyncio.TimeoutError, websockets.WebSocketException) as e:
        return {"unavailable": f"{type(e).__name__}: {e}"}
    finally:
        peer.stop()


def main() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65536)), hard))
    results: dict = {"targets": {k: f"{op} {v}" for k, (op, v) in TARGETS.items()}}
    with tempfile.TemporaryDirectory(prefix="gw-ws-bench-") as tmp_name:
        tmp = Path(tmp_name)
        fake, fake_port = cb.start_fake(tmp / "fake")
        original = cb.chat_gateway_config

        def ws_config(*args) -> str:  # every client is 127.0.0.1: lift the per-IP connection cap
            text = original(*args).replace("  max_connections: 10100\n", f"  max_connections: {CONNS + 2000}\n")
            text = text.replace("edge:\n", "edge:\n  connections:\n    max_per_ip: 0\n", 1)
            return text + "ws:\n  tick_interval: 1s\n  max_inflight_requests: 4096\n"

        cb.chat_gateway_config = ws_config
        gw, port = cb.start_chat_gateway(tmp / "gw", fake_port)
        try:
            for name, step in (("conns", hold_connections(port, gw.pid)), ("ack", ack_latency(port)),
                               ("fanout", fanout(port)), ("turns", turns(port, cb.TOKEN))):
                log(f"ws bench: {name}")
                try:
                    results[name] = asyncio.run(asyncio.wait_for(step, timeout=STEP_TIMEOUT))
                except (RuntimeError, OSError, asyncio.TimeoutError, websockets.WebSocketException) as e:
                    results[name] = {"failed": f"{type(e).__name__}: {e}"}
                log(f"  {json.dumps(results[name])}")
        finally:
            gw.stop()
        results["peer_turns"] = peer_turns(fake_port, tmp)
        log(f"  peer: {json.dumps(results['peer_turns'])}")
        fake.stop()
    ours, peer = results.get("turns", {}), results["peer_turns"]
    if "seq_p50_us" in ours and "seq_p50_us" in peer:
        results["peer_ratio"] = {"final_latency_p50": peer["seq_p50_us"] / ours["seq_p50_us"],
                                 "messages_per_s": ours["messages_per_s"] / peer["messages_per_s"]}
    out = Path(cb.OUT)
    data = json.loads(out.read_text()) if out.exists() else {}
    data["ws"] = results
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, indent=2))
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
