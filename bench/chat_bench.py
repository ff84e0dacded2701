#!/usr/bin/python3
"""Chat-completion benchmarks (issue #3) against a zero-latency fake upstream (driven by bench/run.sh).

In one run, loopback only, every step bounded in time:
  1. added latency at concurrency 1: gw_chat_probe against the fake directly and through the gateway
     (non-streaming), rounds alternated; p50/p99 of each, the difference is the gateway's share;
  2. added time-to-first-token: the same with `stream: true`, first SSE content token;
  3. throughput at concurrency 64 (wrk, Lua POST script) through the gateway and against the fake
     directly, and the gateway's CPU time per completed request over that run (utime+stime from
     /proc/PID/stat of the gateway process tree, divided by the 2xx responses);
  4. the same probes, small, against the real OpenClaw gateway (bench/openclaw_peer.sh) on the same
     fake, reported side by side as ratios; "peer unavailable: <reason>" when it cannot run.
The gateway runs as configured in production: SQLite store on (persistence), auth token, one
provider `fake` (openai-completions) and `agents.defaults.model: fake/fake-model`; requests carry no
`user`, i.e. the stateless path (a new session per request, still persisted).
Merges its results under "chat" into BENCH_OUT (default build/bench-results.json). Stdlib only.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gateway_bench as gb  # noqa: E402  (shared process/wrk helpers)

REPO_ROOT = gb.REPO_ROOT
env_int = gb.env_int
log = gb.log

FAKE_BINARY = os.path.abspath(os.environ.get("FAKE_BINARY", str(REPO_ROOT / "build/release/bench/gw_fake_upstream")))
PROBE_BINARY = os.path.abspath(os.environ.get("PROBE_BINARY", str(REPO_ROOT / "build/release/bench/gw_chat_probe")))
PEER_SCRIPT = REPO_ROOT / "bench/openclaw_peer.sh"
FAKE_THREADS = env_int("FAKE_THREADS", 1)
LAT_REQUESTS = env_int("CHAT_LAT_REQUESTS", 4000)  # per target, split over LAT_ROUNDS alternating rounds
LAT_ROUNDS = env_int("CHAT_LAT_ROUNDS", 4)
CHAT_WRK_CONNECTIONS = env_int("CHAT_WRK_CONNECTIONS", 64)
CHAT_WRK_SECONDS = env_int("CHAT_WRK_SECONDS", 10)
CHAT_WRK_ROUNDS = env_int("CHAT_WRK_ROUNDS", 2)
PEER = os.environ.get("BENCH_PEER", "1") != "0"
PEER_SEQ = env_int("PEER_SEQ_REQUESTS", 20)
PEER_CONC_REQUESTS = env_int("PEER_CONC_REQUESTS", 40)
PEER_CONCURRENCY = env_int("PEER_CONCURRENCY", 16)
PEER_INSTALL_TIMEOUT = env_int("PEER_INSTALL_TIMEOUT", 900)
PEER_START_TIMEOUT = env_int("PEER_START_TIMEOUT", 120)
PEER_STEP_SECONDS = env_int("PEER_STEP_SECONDS", 90)  # bound of each peer probe
TOKEN = "bench-token"
PEER_TOKEN = "peer-token"
OUT = gb.OUT

TARGETS = {
    "cpu_us_per_request": ("<=", 60.0),
    "added_p99_us": ("<=", 250.0),
    "rps_c64": (">=", 5000.0),
    "added_ttft_p50_us": ("<=", 1000.0),
}


# ------------------------------------------------------------------------------------------ helpers


def pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return float(ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))])


def clk_tck() -> int:
    return os.sysconf("SC_CLK_TCK")


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def cpu_seconds(pid: int) -> float:
    """utime+stime of a process tree (all threads; exited children are not counted)."""
    total = 0
    for p in descendants(pid):
        try:
            stat = Path(f"/proc/{p}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15 of stat)
    return total / clk_tck()


def tree_rss_mib(pid: int) -> float:
    total = 0.0
    for p in descendants(pid):
        try:
            total += gb.vm_rss_mib(p)
        except (OSError, RuntimeError):
            pass
    return total


def http_json(url: str, timeout: float = 5.0) -> dict:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=timeout) as resp:
        return json.loads(resp.read())


def chat_body(model: str, stream: bool) -> str:
    body = {"model": model, "messages": [{"role": "user", "content": "ping"}]}
    if stream:
        body["stream"] = True
        body["stream_options"] = {"include_usage": True}
    return json.dumps(body)


def probe(port: int, body_file: Path, requests: int, concurrency: int = 1, token: str | None = None,
          max_seconds: float = 120) -> dict:
    argv = [PROBE_BINARY, "--port", str(port), "--body", str(body_file), "--requests", str(requests),
            "--concurrency", str(concurrency), "--max-seconds", str(max_seconds)]
    if token:
        argv += ["--token", token]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=max_seconds + 60, check=True).stdout
    return json.loads(out)


def summary(samples: dict, key: str) -> dict:
    values = samples[key]
    return {"p50_us": pct(values, 50), "p99_us": pct(values, 99), "n": len(values)}


# ---------------------------------------------------------------------------------------- processes


def start_fake(workdir: Path) -> tuple[gb.Proc, int]:
    workdir.mkdir(parents=True, exist_ok=True)
    proc = gb.Proc([FAKE_BINARY, "0", str(FAKE_THREADS)], workdir)

    def parse(line: str) -> int | None:
        match = re.match(r"fake-upstream listening port=(\d+)", line)
        return int(match.group(1)) if match else None

    return proc, proc.wait_port(parse)


def chat_gateway_config(data_dir: Path, fake_port: int, protection: bool) -> str:
    """protection=True: encryption at rest on (the default `confidential` class) and the rate limiter
    evaluated on every request with limits too high to throttle one benchmark client; False: content
    stored in plaintext (`public`) and the limiter off. Issue #6 wants the chat numbers within 10 %."""
    extra = (
        "auth:\n"
        f"  token: {TOKEN}\n"
        "models:\n"
        "  providers:\n"
        "    fake:\n"
        f"      base_url: http://127.0.0.1:{fake_port}/v1\n"
        "      api: openai-completions\n"
        "      api_key: fake-local\n"
        "agents:\n"
        "  max_concurrent: 1024\n"
        "  defaults:\n"
        "    model: fake/fake-model\n"
    )
    if protection:  # the default per-IP limit (100/s) would throttle a single-client benchmark
        extra += ("edge:\n  rate_limit:\n    per_ip: {rate_per_second: 10000000, burst: 10000000}\n"
                  "    routes: [{path_prefix: /v1/, rate_per_second: 10000000, burst: 10000000}]\n")
    else:
        extra += "edge:\n  rate_limit:\n    enabled: false\n"
    text = gb.gateway_config(data_dir, 0, extra)
    if not protection:  # gateway_config writes the `store:` section itself
        text = text.replace("store:\n", "store:\n  encryption:\n    default_classification: public\n", 1)
    return text


def start_chat_gateway(workdir: Path, fake_port: int, protection: bool = True) -> tuple[gb.Proc, int]:
    workdir.mkdir(parents=True, exist_ok=True)
    cfg = workdir / "gateway.yaml"
    cfg.write_text(chat_gateway_config(workdir / "data", fake_port, protection))
    check = subprocess.run([gb.GW_BINARY, "config", "check", "--config", str(cfg)], capture_output=True,
                           text=True, timeout=30, env=gb.gateway_env())
    if check.returncode != 0:
        raise RuntimeError("gateway rejects the chat config: " + (check.stderr or check.stdout).strip()[-600:])
    proc = gb.Proc([gb.GW_BINARY, "serve", "--config", str(cfg)], workdir, gb.gateway_env())
    port = proc.wait_port(gb.parse_gateway_line)
    gb.wait_ready(port, gb.START_TIMEOUT)
    return proc, port


class Peer:
    """The real OpenClaw gateway, started through bench/openclaw_peer.sh."""

    def __init__(self, workdir: Path, fake_port: int):
        self.port = gb.free_port()
        workdir.mkdir(parents=True, exist_ok=True)
        self.proc = gb.Proc(["bash", str(PEER_SCRIPT), "run", str(self.port), f"http://127.0.0.1:{fake_port}/v1",
                             str(workdir)], workdir)
        self.pids: set[int] = set()

    def wait_ready(self) -> float:
        t0 = time.monotonic()
        while time.monotonic() - t0 < PEER_START_TIMEOUT:
            if self.proc.popen.poll() is not None:
                raise RuntimeError(f"exited with {self.proc.popen.returncode}: "
                                   f"{self.proc.stderr_path.read_text(errors='replace')[-500:].strip()}")
            self.pids.update(descendants(self.proc.pid))
            if gb.http_status(self.port, "/readyz", timeout=2.0) == 200:
                return time.monotonic() - t0
            time.sleep(0.25)
        raise RuntimeError(f"/readyz not 200 within {PEER_START_TIMEOUT}s")

    def stop(self) -> None:
        self.pids.update(descendants(self.proc.pid))
        self.proc.stop(timeout=20)
        for pid in self.pids:  # workers it spawned (only the ids recorded from our own process tree)
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass


# ------------------------------------------------------------------------------------------ probes


def latency_pair(fake_port: int, gw_port: int, tmp: Path, stream: bool) -> dict:
    """Alternating concurrency-1 rounds, direct vs through the gateway; returns percentiles."""
    direct_body = tmp / f"direct-{stream}.json"
    direct_body.write_text(chat_body("fake-model", stream))
    gw_body = tmp / f"gw-{stream}.json"
    gw_body.write_text(chat_body("openclaw/default", stream))
    probe(fake_port, direct_body, 200)
    probe(gw_port, gw_body, 200, token=TOKEN)
    merged = {"direct": {"total_us": [], "ttft_us": []}, "gateway": {"total_us": [], "ttft_us": []}}
    per_round = max(1, LAT_REQUESTS // LAT_ROUNDS)
    for r in range(LAT_ROUNDS):
        order = [("direct", fake_port, direct_body, None), ("gateway", gw_port, gw_body, TOKEN)]
        for name, port, body, token in order if r % 2 == 0 else reversed(order):
            res = probe(port, body, per_round, token=token)
            if res["failed"]:
                raise RuntimeError(f"{name} latency probe: {res['failed']} failed: {res['errors']}")
            merged[name]["total_us"] += res["total_us"]
            merged[name]["ttft_us"] += res["ttft_us"]
    key = "ttft_us" if stream else "total_us"
    d, g = summary(merged["direct"], key), summary(merged["gateway"], key)
    if stream and (not d["n"] or not g["n"]):
        raise RuntimeError("no SSE content token seen (direct %d, gateway %d)" % (d["n"], g["n"]))
    return {"direct": d, "gateway": g,
            "added_p50_us": g["p50_us"] - d["p50_us"], "added_p99_us": g["p99_us"] - d["p99_us"]}


def wrk_script(tmp: Path, body: str, token: str | None) -> Path:
    body_file = tmp / f"wrk-body-{abs(hash(body))}.json"
    body_file.write_text(body)
    lua = tmp / f"wrk-{abs(hash(body))}-{token or 'none'}.lua"
    auth = f'wrk.headers["Authorization"] = "Bearer {token}"\n' if token else ""
    lua.write_text(
        f'local f = assert(io.open("{body_file}", "rb"))\n'
        "wrk.method = \"POST\"\nwrk.body = f:read(\"*a\")\nf:close()\n"
        'wrk.headers["Content-Type"] = "application/json"\n' + auth
    )
    return lua


def run_wrk(port: int, script: Path, seconds: int, connections: int) -> dict:
    argv = ["wrk", f"-t{gb.WRK_THREADS}", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "-s", str(script),
            f"http://127.0.0.1:{port}/v1/chat/completions"]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60).stdout
    total = re.search(r"(\d+) requests in ([\d.]+)(\w+)", out)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not total or not rps:
        raise RuntimeError(f"could not parse wrk output:\n{out}")
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    requests = int(total.group(1))
    bad = int(non2xx.group(1)) if non2xx else 0
    return {"requests": requests, "ok": requests - bad, "non_2xx": bad, "rps": float(rps.group(1)),
            "socket_errors": sum(int(x) for x in errors.groups()) if errors else 0}


def throughput(fake: gb.Proc, fake_port: int, gw: gb.Proc, gw_port: int, tmp: Path) -> dict:
    direct_lua = wrk_script(tmp, chat_body("fake-model", False), None)
    gw_lua = wrk_script(tmp, chat_body("openclaw/default", False), TOKEN)
    run_wrk(fake_port, direct_lua, 2, CHAT_WRK_CONNECTIONS)
    run_wrk(gw_port, gw_lua, 2, CHAT_WRK_CONNECTIONS)
    rounds: dict[str, list] = {"direct": [], "gateway": []}
    for r in range(CHAT_WRK_ROUNDS):
        order = [("direct", fake_port, direct_lua), ("gateway", gw_port, gw_lua)]
        for name, port, lua in order if r % 2 == 0 else reversed(order):
            upstream_before = http_json(f"http://127.0.0.1:{fake_port}/stats")["requests"]
            gw_cpu0, fake_cpu0 = cpu_seconds(gw.pid), cpu_seconds(fake.pid)
            res = run_wrk(port, lua, CHAT_WRK_SECONDS, CHAT_WRK_CONNECTIONS)
            gw_cpu1, fake_cpu1 = cpu_seconds(gw.pid), cpu_seconds(fake.pid)
            res["upstream_calls"] = http_json(f"http://127.0.0.1:{fake_port}/stats")["requests"] - upstream_before
            res["fake_cpu_us_per_request"] = (fake_cpu1 - fake_cpu0) * 1e6 / max(1, res["ok"])
            if name == "gateway":
                res["gateway_cpu_us_per_request"] = (gw_cpu1 - gw_cpu0) * 1e6 / max(1, res["ok"])
                res["gateway_rss_mib"] = gb.vm_rss_mib(gw.pid)
            log(f"wrk c{CHAT_WRK_CONNECTIONS} round {r + 1} {name}: {res['rps']:.0f} req/s, ok {res['ok']}, "
                f"non-2xx {res['non_2xx']}, upstream calls {res['upstream_calls']}"
                + (f", gateway CPU {res['gateway_cpu_us_per_request']:.1f} µs/req" if name == "gateway" else ""))
            rounds[name].append(res)
    best_gw = max(rounds["gateway"], key=lambda x: x["rps"])
    best_direct = max(rounds["direct"], key=lambda x: x["rps"])
    if best_gw["ok"] == 0:
        raise RuntimeError(f"no 2xx through the gateway under wrk: {best_gw}")
    return {
        "rps_c64": best_gw["rps"] if best_gw["non_2xx"] == 0 else best_gw["ok"] / CHAT_WRK_SECONDS,
        "direct_rps_c64": best_direct["rps"],
        "rps_ratio_vs_direct": best_gw["rps"] / best_direct["rps"],
        # CPU per request: the least-disturbed round (others' CPU is not ours, but cache/steal effects are)
        "cpu_us_per_request": min(x["gateway_cpu_us_per_request"] for x in rounds["gateway"]),
        "rounds": rounds,
        "wrk": f"-t{gb.WRK_THREADS} -c{CHAT_WRK_CONNECTIONS} -d{CHAT_WRK_SECONDS}s x{CHAT_WRK_ROUNDS}",
    }


def protection_overhead(fake_port: int, gw: gb.Proc, gw_port: int, tmp: Path) -> dict:
    """c64 throughput and CPU per request with encryption + rate limiting on (`gw`) against a second
    gateway with both off, alternating rounds in one run."""
    off, off_port = start_chat_gateway(tmp / "gw-off", fake_port, protection=False)
    try:
        lua = wrk_script(tmp, chat_body("openclaw/default", False), TOKEN)
        run_wrk(off_port, lua, 2, CHAT_WRK_CONNECTIONS)
        rounds: dict[str, list] = {"on": [], "off": []}
        for r in range(CHAT_WRK_ROUNDS):
            order = [("on", gw, gw_port), ("off", off, off_port)]
            for name, proc, port in order if r % 2 == 0 else reversed(order):
                cpu0 = cpu_seconds(proc.pid)
                res = run_wrk(port, lua, CHAT_WRK_SECONDS, CHAT_WRK_CONNECTIONS)
                res["cpu_us_per_request"] = (cpu_seconds(proc.pid) - cpu0) * 1e6 / max(1, res["ok"])
                log(f"protection {name} round {r + 1}: {res['rps']:.0f} req/s, "
                    f"{res['cpu_us_per_request']:.1f} µs/req, non-2xx {res['non_2xx']}")
                rounds[name].append(res)
    finally:
        off.stop()
    best = {k: max(v, key=lambda x: x["rps"]) for k, v in rounds.items()}
    cpu = {k: min(x["cpu_us_per_request"] for x in v) for k, v in rounds.items()}
    return {"rps_on": best["on"]["rps"], "rps_off": best["off"]["rps"],
            "rps_ratio_on_vs_off": best["on"]["rps"] / best["off"]["rps"],
            "cpu_us_on": cpu["on"], "cpu_us_off": cpu["off"], "cpu_ratio_on_vs_off": cpu["on"] / cpu["off"],
            "rounds": rounds}


def ours_c16(gw: gb.Proc, gw_port: int, tmp: Path) -> dict:
    """Concurrency-16 probe, the shape used against the peer (for a like-for-like ratio)."""
    body = tmp / "gw-c16.json"
    body.write_text(chat_body("openclaw/default", False))
    cpu0 = cpu_seconds(gw.pid)
    res = probe(gw_port, body, 4000, concurrency=PEER_CONCURRENCY, token=TOKEN, max_seconds=30)
    cpu = cpu_seconds(gw.pid) - cpu0
    return {"rps": res["ok"] / res["wall_s"], "ok": res["ok"], "failed": res["failed"],
            "p50_us": pct(res["total_us"], 50), "cpu_us_per_request": cpu * 1e6 / max(1, res["ok"])}


# ------------------------------------------------------------------------------------------------ peer


def bench_peer(fake_port: int, tmp: Path) -> dict:
    if not PEER:
        return {"unavailable": "disabled (BENCH_PEER=0)"}
    try:
        install = subprocess.run(["bash", str(PEER_SCRIPT), "install"], capture_output=True, text=True,
                                 timeout=PEER_INSTALL_TIMEOUT)
    except subprocess.TimeoutExpired:
        return {"unavailable": f"install did not finish within {PEER_INSTALL_TIMEOUT}s"}
    if install.returncode != 0:
        return {"unavailable": "install failed: " + (install.stderr or install.stdout).strip()[-300:]}
    peer = Peer(tmp / "peer", fake_port)
    try:
        try:
            ready_s = peer.wait_ready()
        except RuntimeError as e:
            return {"unavailable": f"did not start: {e}"}
        log(f"peer ready after {ready_s:.1f} s on port {peer.port}")
        idle_rss = tree_rss_mib(peer.proc.pid)
        nonstream, stream = tmp / "peer-n.json", tmp / "peer-s.json"
        nonstream.write_text(chat_body("openclaw/default", False))
        stream.write_text(chat_body("openclaw/default", True))
        warm = probe(peer.port, nonstream, 2, token=PEER_TOKEN, max_seconds=PEER_STEP_SECONDS)  # first turn is slow
        if warm["ok"] == 0:
            return {"unavailable": f"chat completion failed: {warm['statuses']} {warm['errors']}"}
        up0 = http_json(f"http://127.0.0.1:{fake_port}/stats")["requests"]
        cpu0 = cpu_seconds(peer.proc.pid)
        seq = probe(peer.port, nonstream, PEER_SEQ, token=PEER_TOKEN, max_seconds=PEER_STEP_SECONDS)
        cpu_seq = cpu_seconds(peer.proc.pid) - cpu0
        upstream_calls = http_json(f"http://127.0.0.1:{fake_port}/stats")["requests"] - up0
        log(f"peer sequential: {seq['ok']} ok in {seq['wall_s']:.1f} s")
        ttft = probe(peer.port, stream, max(5, PEER_SEQ // 2), token=PEER_TOKEN, max_seconds=PEER_STEP_SECONDS)
        log(f"peer streaming: {ttft['ok']} ok, {len(ttft['ttft_us'])} with a content token")
        conc = probe(peer.port, nonstream, PEER_CONC_REQUESTS, concurrency=PEER_CONCURRENCY, token=PEER_TOKEN,
                     max_seconds=PEER_STEP_SECONDS)
        log(f"peer c{PEER_CONCURRENCY}: {conc['ok']} ok in {conc['wall_s']:.1f} s")
        return {
            "ready_s": ready_s,
            "idle_rss_tree_mib": idle_rss,
            "rss_tree_after_mib": tree_rss_mib(peer.proc.pid),
            "seq": {"ok": seq["ok"], "failed": seq["failed"], "p50_us": pct(seq["total_us"], 50),
                    "p99_us": pct(seq["total_us"], 99)},
            "cpu_us_per_request": cpu_seq * 1e6 / max(1, seq["ok"]),
            "upstream_calls_per_request": upstream_calls / max(1, seq["ok"]),
            "ttft": {"ok": ttft["ok"], "p50_us": pct(ttft["ttft_us"], 50), "p99_us": pct(ttft["ttft_us"], 99)},
            "c16": {"ok": conc["ok"], "failed": conc["failed"], "wall_s": conc["wall_s"],
                    "rps": conc["ok"] / conc["wall_s"] if conc["wall_s"] else None,
                    "p50_us": pct(conc["total_us"], 50)},
        }
    except (subprocess.SubprocessError, RuntimeError, OSError, ValueError) as e:
        return {"unavailable": f"probe failed: {e}"}
    finally:
        peer.stop()


# ---------------------------------------------------------------------------------------------- report


def verdict(key: str, value: float | None) -> str:
    if value is None:
        return "n/a"
    op, target = TARGETS[key]
    return "MET" if (value >= target if op == ">=" else value <= target) else "MISSED"


def fmt_us(v: float | None) -> str:
    if v is None:
        return "-"
    return f"{v / 1000:.1f} ms" if abs(v) >= 10_000 else f"{v:.0f} µs"


def ratio(peer: float | None, ours: float | None) -> str:
    if not peer or not ours or ours <= 0:
        return "-"
    return f"{peer / ours:.0f}x" if peer / ours >= 10 else f"{peer / ours:.1f}x"


def print_table(r: dict) -> None:
    lat, ttft, thr, peer, c16 = r["latency"], r["ttft"], r["throughput"], r["peer"], r["c16"]
    p = peer if "unavailable" not in peer else {}
    rows = [
        ("gateway CPU per request (c64)", fmt_us(r["cpu_us_per_request"]), "<= 60 µs",
         verdict("cpu_us_per_request", r["cpu_us_per_request"]), fmt_us(p.get("cpu_us_per_request")),
         ratio(p.get("cpu_us_per_request"), r["cpu_us_per_request"])),
        ("latency c1 p50 (direct " + fmt_us(lat["direct"]["p50_us"]) + ")", fmt_us(lat["gateway"]["p50_us"]), "",
         "", fmt_us(p.get("seq", {}).get("p50_us")), ratio(p.get("seq", {}).get("p50_us"), lat["gateway"]["p50_us"])),
        ("latency c1 p99 (direct " + fmt_us(lat["direct"]["p99_us"]) + ")", fmt_us(lat["gateway"]["p99_us"]), "",
         "", fmt_us(p.get("seq", {}).get("p99_us")), ratio(p.get("seq", {}).get("p99_us"), lat["gateway"]["p99_us"])),
        ("added latency c1 p50", fmt_us(lat["added_p50_us"]), "", "",
         fmt_us(p["seq"]["p50_us"] - lat["direct"]["p50_us"]) if p.get("seq", {}).get("p50_us") else "-", ""),
        ("added latency c1 p99", fmt_us(lat["added_p99_us"]), "<= 250 µs", verdict("added_p99_us", lat["added_p99_us"]),
         "", ""),
        ("TTFT p50 (direct " + fmt_us(ttft["direct"]["p50_us"]) + ")", fmt_us(ttft["gateway"]["p50_us"]), "", "",
         fmt_us(p.get("ttft", {}).get("p50_us")), ratio(p.get("ttft", {}).get("p50_us"), ttft["gateway"]["p50_us"])),
        ("added TTFT p50", fmt_us(ttft["added_p50_us"]), "<= 1 ms", verdict("added_ttft_p50_us", ttft["added_p50_us"]),
         fmt_us(p["ttft"]["p50_us"] - ttft["direct"]["p50_us"]) if p.get("ttft", {}).get("p50_us") else "-", ""),
        ("added TTFT p99", fmt_us(ttft["added_p99_us"]), "", "", "", ""),
        (f"req/s c{CHAT_WRK_CONNECTIONS} (wrk)", f"{thr['rps_c64']:.0f}", ">= 5000", verdict("rps_c64", thr["rps_c64"]),
         "", ""),
        (f"req/s c{CHAT_WRK_CONNECTIONS} fake direct", f"{thr['direct_rps_c64']:.0f}", "", "", "", ""),
        ("gateway/direct req/s", f"{thr['rps_ratio_vs_direct']:.2f}", "", "", "", ""),
        (f"req/s c{PEER_CONCURRENCY} (probe)", f"{c16['rps']:.0f}", "", "",
         f"{p['c16']['rps']:.2f}" if p.get("c16", {}).get("rps") else "-",
         ratio(c16["rps"], p.get("c16", {}).get("rps"))),
    ]
    print()
    print(f"{'metric':40} {'ours':>10}  {'target':>10}  {'verdict':7}  {'openclaw':>10}  {'peer/ours':>9}")
    print("-" * 96)
    for label, ours, target, v, peer_v, rat in rows:
        print(f"{label:40} {ours:>10}  {target:>10}  {v:7}  {peer_v:>10}  {rat:>9}")
    if "unavailable" in peer:
        print(f"peer unavailable: {peer['unavailable']}")
    else:
        print(f"(peer: ready in {p['ready_s']:.1f} s, {p['seq']['ok']} sequential / {p['c16']['ok']} at "
              f"c{PEER_CONCURRENCY} requests, {p['upstream_calls_per_request']:.1f} upstream calls per request; "
              f"the last column of req/s is ours/peer)")
    prot = r.get("protection")
    if prot:
        within = "within" if prot["rps_ratio_on_vs_off"] >= 0.9 else "NOT within"
        print(f"encryption + rate limiting on vs off (c{CHAT_WRK_CONNECTIONS}): {prot['rps_on']:.0f} vs "
              f"{prot['rps_off']:.0f} req/s = {prot['rps_ratio_on_vs_off']:.2f} ({within} 10 %), CPU "
              f"{prot['cpu_us_on']:.0f} vs {prot['cpu_us_off']:.0f} µs/req = {prot['cpu_ratio_on_vs_off']:.2f}")
    print()


def merge_out(chat: dict) -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    try:
        data = json.loads(OUT.read_text())
    except (OSError, ValueError):
        data = {}
    data["chat"] = chat
    OUT.write_text(json.dumps(data, indent=2) + "\n")
    print(f"results merged into {OUT} (key \"chat\")")


def main() -> int:
    for path, what in ((gb.GW_BINARY, "GW_BINARY"), (FAKE_BINARY, "FAKE_BINARY"), (PROBE_BINARY, "PROBE_BINARY")):
        if not os.access(path, os.X_OK):
            print(f"chat bench: {what} {path} is not an executable (make bench builds it)", file=sys.stderr)
            return 2
    if not shutil.which("wrk"):
        print("chat bench: wrk not installed (Debian package wrk)", file=sys.stderr)
        return 2
    chat: dict = {"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "cpus": os.cpu_count(),
                  "io_threads": gb.IO_THREADS, "fake_threads": FAKE_THREADS,
                  "targets": {k: f"{op} {v}" for k, (op, v) in TARGETS.items()}}
    with tempfile.TemporaryDirectory(prefix="gw-chat-bench-") as tmp_name:
        tmp = Path(tmp_name)
        fake, fake_port = start_fake(tmp / "fake")
        try:
            gw, gw_port = start_chat_gateway(tmp / "gw", fake_port)
            try:
                body = tmp / "sanity.json"
                body.write_text(chat_body("openclaw/default", False))
                sanity = probe(gw_port, body, 1, token=TOKEN, max_seconds=30)
                if sanity["ok"] != 1:
                    raise RuntimeError(f"gateway chat completion failed: {sanity['statuses']} {sanity['errors']}")
                log("latency c1 (non-streaming)")
                chat["latency"] = latency_pair(fake_port, gw_port, tmp, stream=False)
                log("time to first token (streaming)")
                chat["ttft"] = latency_pair(fake_port, gw_port, tmp, stream=True)
                log(f"throughput c{CHAT_WRK_CONNECTIONS}")
                chat["throughput"] = throughput(fake, fake_port, gw, gw_port, tmp)
                chat["c16"] = ours_c16(gw, gw_port, tmp)
                log("encryption + rate limiting on vs off")
                chat["protection"] = protection_overhead(fake_port, gw, gw_port, tmp)
                chat["gateway_rss_mib_after"] = gb.vm_rss_mib(gw.pid)
            finally:
                chat["gateway_exit_code"] = gw.stop()
            log("OpenClaw peer")
            chat["peer"] = bench_peer(fake_port, tmp)
            if "unavailable" in chat["peer"]:
                log(f"peer unavailable: {chat['peer']['unavailable']}")
        finally:
            fake.stop()
    chat["cpu_us_per_request"] = chat["throughput"]["cpu_us_per_request"]
    chat["added_p99_us"] = chat["latency"]["added_p99_us"]
    chat["rps_c64"] = chat["throughput"]["rps_c64"]
    chat["added_ttft_p50_us"] = chat["ttft"]["added_p50_us"]
    chat["verdicts"] = {k: verdict(k, chat.get(k)) for k in TARGETS}
    print_table(chat)
    merge_out(chat)
    if os.environ.get("BENCH_STRICT") == "1" and "MISSED" in chat["verdicts"].values():
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (RuntimeError, TimeoutError, subprocess.SubprocessError) as e:
        print(f"chat bench failed: {e}", file=sys.stderr)
        sys.exit(1)
