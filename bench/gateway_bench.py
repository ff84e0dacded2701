#!/usr/bin/python3
"""Gateway benchmarks against the physical-limit reference server (driven by bench/run.sh).

Measures, in one run, on loopback only, every step bounded in time:
  1. throughput: wrk against the reference server and the gateway's /health, rounds alternated;
  2. cold start: spawn -> first 200 from /readyz (polled every 1 ms), median of N runs, fresh data dir each;
  3. idle RSS after ready (VmRSS from /proc/PID/status);
  4. RSS with 10,000 idle keep-alive connections (asyncio client in this process);
  5. edge defence cost: wrk against a rate-limited route with the per-IP + route limiter on vs off
     (the ratio; /health itself is exempt from rate limiting, so it would not show the limiter).
Prints a summary table with the targets and writes JSON (default build/bench-results.json).
Stdlib only. Configuration by environment, see bench/README.md.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


# Absolute, because the servers run with their own work dir as cwd.
GW_BINARY = os.path.abspath(os.environ.get("GW_BINARY", str(REPO_ROOT / "build/release/src/app/openclaw-gateway")))
REF_BINARY = os.path.abspath(os.environ.get("REF_BINARY", str(REPO_ROOT / "build/release/bench/gw_reference_server")))
IO_THREADS = env_int("IO_THREADS", os.cpu_count() or 1)
WRK_THREADS = env_int("WRK_THREADS", 2)
WRK_CONNECTIONS = env_int("WRK_CONNECTIONS", 64)
WRK_SECONDS = env_int("WRK_SECONDS", 10)
WRK_ROUNDS = env_int("WRK_ROUNDS", 2)
COLD_RUNS = env_int("COLD_RUNS", 5)
IDLE_CONNS = env_int("IDLE_CONNS", 10_000)
OUT = Path(os.environ.get("BENCH_OUT", str(REPO_ROOT / "build/bench-results.json")))
ONLY = set(filter(None, os.environ.get("BENCH_ONLY", "").split(",")))  # e.g. "wrk,cold,idle,conns"
START_TIMEOUT = 20.0

TARGETS = {
    "throughput_ratio": (">=", 0.80),
    "cold_start_ms": ("<=", 100.0),
    "idle_rss_mib": ("<=", 20.0),
    "rss_10k_mib": ("<=", 120.0),
    "edge_ratio": (">=", 0.90),
}

# All benchmark clients share 127.0.0.1, so the per-IP connection cap (edge.connections.max_per_ip,
# default 256) is lifted; the 10k idle-connection step would otherwise be refused after 256.
EDGE_LOOPBACK = "edge:\n  connections:\n    max_per_ip: 0\n"
# Edge step: limits high enough that wrk is never refused, so every request pays for a full decision
# (per-IP key + route key, checked together) and gets RateLimit-* headers.
EDGE_ON = (
    "edge:\n"
    "  connections:\n    max_per_ip: 0\n"
    "  rate_limit:\n"
    "    per_ip: {rate_per_second: 100000000, burst: 100000000}\n"
    "    routes:\n"
    "      - {path_prefix: /edge-bench, rate_per_second: 100000000, burst: 100000000}\n"
)
EDGE_OFF = "edge:\n  connections:\n    max_per_ip: 0\n  rate_limit:\n    enabled: false\n"
EDGE_PATH = "/edge-bench"  # no such route: a cheap 404 from the server, after the edge checks


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def wanted(step: str) -> bool:
    return not ONLY or step in ONLY


# ------------------------------------------------------------------------------------------ processes


def vm_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    raise RuntimeError(f"no VmRSS for pid {pid}")


def open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gateway_config(data_dir: Path, port: int, extra: str = "") -> str:
    return (
        "server:\n"
        "  host: 127.0.0.1\n"
        f"  port: {port}\n"
        f"  io_threads: {IO_THREADS}\n"
        "  max_connections: 10100\n"
        "  keepalive_idle_timeout: 120s\n"
        f"{extra}"
        "store:\n"
        f"  data_dir: {json.dumps(str(data_dir))}\n"
        "log:\n"
        "  level: info\n"
    )


def gateway_env() -> dict:
    return {k: v for k, v in os.environ.items() if not k.startswith("OPENCLAW_")}


class Proc:
    """A server process whose stdout goes to a file; stopped with SIGTERM (SIGKILL after a bound)."""

    def __init__(self, argv: list[str], workdir: Path, env: dict | None = None):
        self.workdir = workdir
        self.stdout_path = workdir / "stdout.log"
        self.stderr_path = workdir / "stderr.log"
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.popen = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL, cwd=workdir, env=env)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def wait_port(self, parse, timeout: float = START_TIMEOUT) -> int:
        """Polls stdout until `parse(line)` returns a port for one of its lines."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                raise RuntimeError(f"{self.popen.args[0]} exited with {self.popen.returncode}: "
                                   f"{self.stderr_path.read_text()[-2000:]}")
            for line in self.stdout_path.read_text(errors="replace").splitlines():
                port = parse(line)
                if port:
                    return port
            time.sleep(0.005)
        raise TimeoutError(f"{self.popen.args[0]} printed no listening line within {timeout}s")

    def stop(self, timeout: float = 30) -> int:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=10)
        return self.popen.returncode


def parse_reference_line(line: str) -> int | None:
    match = re.match(r"reference-server listening port=(\d+)", line)
    return int(match.group(1)) if match else None


def parse_gateway_line(line: str) -> int | None:
    try:
        obj = json.loads(line)
    except ValueError:
        return None
    if isinstance(obj, dict) and str(obj.get("msg", "")).startswith("openclaw-gateway listening"):
        return int(obj["port"])
    return None


def start_reference(workdir: Path) -> tuple[Proc, int]:
    workdir.mkdir(parents=True, exist_ok=True)
    proc = Proc([REF_BINARY, "0", str(IO_THREADS)], workdir)
    return proc, proc.wait_port(parse_reference_line)


def start_gateway(workdir: Path, port: int = 0, extra: str = EDGE_LOOPBACK) -> tuple[Proc, int]:
    workdir.mkdir(parents=True, exist_ok=True)
    cfg = workdir / "gateway.yaml"
    cfg.write_text(gateway_config(workdir / "data", port, extra))
    proc = Proc([GW_BINARY, "serve", "--config", str(cfg)], workdir, gateway_env())
    port = proc.wait_port(parse_gateway_line)
    wait_ready(port, START_TIMEOUT)
    return proc, port


def http_status(port: int, path: str, timeout: float = 1.0) -> int | None:
    """One GET on a fresh connection; None when the port does not accept or answer yet."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
            head = b""
            while b"\r\n" not in head:
                chunk = s.recv(4096)
                if not chunk:
                    return None
                head += chunk
            return int(head.split(b" ", 2)[1])
    except (OSError, ValueError, IndexError):
        return None


def wait_ready(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if http_status(port, "/readyz") == 200:
            return
        time.sleep(0.002)
    raise TimeoutError(f"/readyz on port {port} not 200 within {timeout}s")


# ------------------------------------------------------------------------------------------------ wrk


def run_wrk(port: int, seconds: int, path: str = "/health") -> dict:
    argv = ["wrk", f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", f"-d{seconds}s", "--timeout", "5s",
            f"http://127.0.0.1:{port}{path}"]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not rps:
        raise RuntimeError(f"could not parse wrk output:\n{out}")
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    latency = re.search(r"Latency\s+([\d.]+\w+)", out)
    return {
        "rps": float(rps.group(1)),
        "socket_errors": sum(int(x) for x in errors.groups()) if errors else 0,
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
        "latency_avg": latency.group(1) if latency else None,
    }


def bench_throughput(tmp: Path) -> dict:
    ref, ref_port = start_reference(tmp / "wrk-ref")
    gw, gw_port = start_gateway(tmp / "wrk-gw")
    try:
        for name, port in (("reference", ref_port), ("gateway", gw_port)):
            log(f"wrk warm-up {name}")
            run_wrk(port, 2)
        rounds = {"reference": [], "gateway": []}
        for r in range(WRK_ROUNDS):
            order = (("reference", ref_port), ("gateway", gw_port))
            for name, port in order if r % 2 == 0 else reversed(order):
                result = run_wrk(port, WRK_SECONDS)
                log(f"wrk round {r + 1} {name}: {result['rps']:.0f} req/s "
                    f"(errors {result['socket_errors']}, non-2xx {result['non_2xx']})")
                rounds[name].append(result)
    finally:
        ref.stop()
        gw_rc = gw.stop()
    # Noise from other processes on a shared machine only ever lowers throughput, so the best round of
    # each server is the estimate of what it can do; rounds alternate so drift hits both alike.
    ref_rps = max(x["rps"] for x in rounds["reference"])
    gw_rps = max(x["rps"] for x in rounds["gateway"])
    return {
        "reference_rps": ref_rps,
        "gateway_rps": gw_rps,
        "reference_rps_mean": statistics.mean(x["rps"] for x in rounds["reference"]),
        "gateway_rps_mean": statistics.mean(x["rps"] for x in rounds["gateway"]),
        "throughput_ratio": gw_rps / ref_rps,
        "gateway_errors": sum(x["socket_errors"] + x["non_2xx"] for x in rounds["gateway"]),
        "gateway_exit_code": gw_rc,
        "rounds": rounds,
        "wrk": f"-t{WRK_THREADS} -c{WRK_CONNECTIONS} -d{WRK_SECONDS}s x{WRK_ROUNDS}",
    }


def bench_edge(tmp: Path) -> dict:
    on, on_port = start_gateway(tmp / "edge-on", extra=EDGE_ON)
    off, off_port = start_gateway(tmp / "edge-off", extra=EDGE_OFF)
    try:
        for name, port in (("edge on", on_port), ("edge off", off_port)):
            log(f"wrk warm-up {name} {EDGE_PATH}")
            run_wrk(port, 2, EDGE_PATH)
        rounds = {"on": [], "off": []}
        for r in range(WRK_ROUNDS):
            order = (("on", on_port), ("off", off_port))
            for name, port in order if r % 2 == 0 else reversed(order):
                result = run_wrk(port, WRK_SECONDS, EDGE_PATH)
                log(f"wrk round {r + 1} edge {name}: {result['rps']:.0f} req/s (errors {result['socket_errors']})")
                rounds[name].append(result)
    finally:
        on.stop()
        off.stop()
    on_rps = max(x["rps"] for x in rounds["on"])
    off_rps = max(x["rps"] for x in rounds["off"])
    return {"edge_on_rps": on_rps, "edge_off_rps": off_rps, "edge_ratio": on_rps / off_rps, "edge_rounds": rounds}


# ------------------------------------------------------------------------------------ cold start, RSS


def bench_cold_start(tmp: Path) -> dict:
    times_ms, ready_rss, idle_rss = [], [], []
    for i in range(COLD_RUNS):
        workdir = tmp / f"cold{i}"
        workdir.mkdir()
        port = free_port()
        cfg = workdir / "gateway.yaml"
        cfg.write_text(gateway_config(workdir / "data", port))
        t0 = time.perf_counter()
        proc = Proc([GW_BINARY, "serve", "--config", str(cfg)], workdir, gateway_env())
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while http_status(port, "/readyz", timeout=0.5) != 200:
                if proc.popen.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"cold start run {i}: not ready (rc={proc.popen.poll()}): "
                                       f"{proc.stderr_path.read_text()[-2000:]}")
                time.sleep(0.001)
            elapsed = (time.perf_counter() - t0) * 1000
            times_ms.append(elapsed)
            ready_rss.append(vm_rss_mib(proc.pid))
            time.sleep(1.0)  # let start-up work settle before reading the idle footprint
            idle_rss.append(vm_rss_mib(proc.pid))
            log(f"cold start {i + 1}/{COLD_RUNS}: {elapsed:.1f} ms, RSS {idle_rss[-1]:.1f} MiB")
        finally:
            proc.stop()
    return {
        "cold_start_ms": statistics.median(times_ms),
        "cold_start_runs_ms": times_ms,
        "rss_at_ready_mib": statistics.median(ready_rss),
        "idle_rss_mib": statistics.median(idle_rss),
    }


async def _hold_idle(port: int, count: int, pid: int) -> dict:
    conns = []
    sem = asyncio.Semaphore(256)
    request = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"

    async def open_one():
        async with sem:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            conns.append(writer)
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            if b" 200 " not in head.split(b"\r\n", 1)[0] + b" ":
                raise RuntimeError(f"unexpected response {head[:100]!r}")
            length = re.search(rb"(?i)content-length:\s*(\d+)", head)
            await reader.readexactly(int(length.group(1)) if length else 0)

    try:
        t0 = time.perf_counter()
        results = await asyncio.gather(*(open_one() for _ in range(count)), return_exceptions=True)
        failed = [r for r in results if isinstance(r, BaseException)]
        opened_s = time.perf_counter() - t0
        await asyncio.sleep(1.0)  # let the server settle before reading its footprint
        return {"held": count - len(failed), "failed": len(failed), "open_seconds": opened_s,
                "rss_mib": vm_rss_mib(pid), "server_fds": open_fds(pid),
                "first_error": repr(failed[0]) if failed else None}
    finally:
        for writer in conns:
            writer.close()


def hold_idle(port: int, pid: int) -> dict:
    return asyncio.run(asyncio.wait_for(_hold_idle(port, IDLE_CONNS, pid), timeout=300))


def bench_idle_connections(tmp: Path) -> dict:
    gw, gw_port = start_gateway(tmp / "conns-gw")
    try:
        gw_result = hold_idle(gw_port, gw.pid)
        log(f"gateway with {gw_result['held']} idle connections: {gw_result['rss_mib']:.1f} MiB")
    finally:
        gw.stop()
    ref, ref_port = start_reference(tmp / "conns-ref")
    try:
        ref_result = hold_idle(ref_port, ref.pid)
        log(f"reference with {ref_result['held']} idle connections: {ref_result['rss_mib']:.1f} MiB")
    finally:
        ref.stop()
    return {"rss_10k_mib": gw_result["rss_mib"], "gateway_10k": gw_result, "reference_10k": ref_result}


# -------------------------------------------------------------------------------------------- report


def raise_nofile() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = IDLE_CONNS + 1000
    if hard != resource.RLIM_INFINITY and hard < need:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, need))
            hard = need
        except (ValueError, OSError):
            log(f"RLIMIT_NOFILE hard limit {hard} < {need}; the 10k step may fail")
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard if hard != resource.RLIM_INFINITY else 65536, hard))


def verdict(key: str, value: float | None) -> str:
    if value is None:
        return "n/a"
    op, target = TARGETS[key]
    ok = value >= target if op == ">=" else value <= target
    return "MET" if ok else "MISSED"


def print_summary(results: dict) -> None:
    rows = [
        ("throughput ratio gw/ref", "throughput_ratio", "{:.3f}"),
        ("cold start to ready (median)", "cold_start_ms", "{:.1f} ms"),
        ("idle RSS after ready (median)", "idle_rss_mib", "{:.1f} MiB"),
        (f"RSS with {IDLE_CONNS} idle conns", "rss_10k_mib", "{:.1f} MiB"),
        ("edge on/off req/s (rate-limited)", "edge_ratio", "{:.3f}"),
    ]
    print()
    print(f"{'metric':34} {'value':>14}  {'target':>10}  verdict")
    print("-" * 70)
    if "reference_rps" in results:
        print(f"{'reference /health req/s (best)':34} {results['reference_rps']:>14.0f}")
        print(f"{'gateway /health req/s (best)':34} {results['gateway_rps']:>14.0f}")
    if "edge_on_rps" in results:
        print(f"{'edge on  ' + EDGE_PATH + ' req/s (best)':34} {results['edge_on_rps']:>14.0f}")
        print(f"{'edge off ' + EDGE_PATH + ' req/s (best)':34} {results['edge_off_rps']:>14.0f}")
    for label, key, fmt in rows:
        value = results.get(key)
        op, target = TARGETS[key]
        shown = fmt.format(value) if value is not None else "not run"
        print(f"{label:34} {shown:>14}  {op + ' ' + str(target):>10}  {verdict(key, value)}")
    print()


def main() -> int:
    for path, what in ((GW_BINARY, "GW_BINARY"), (REF_BINARY, "REF_BINARY")):
        if not os.access(path, os.X_OK):
            print(f"bench: {what} {path} is not an executable (make bench builds it)", file=sys.stderr)
            return 2
    if wanted("wrk") and not shutil.which("wrk"):
        print("bench: wrk not installed (Debian package wrk)", file=sys.stderr)
        return 2
    raise_nofile()
    results: dict = {
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "gateway_binary": GW_BINARY,
        "reference_binary": REF_BINARY,
        "io_threads": IO_THREADS,
        "cpus": os.cpu_count(),
        "targets": {k: f"{op} {v}" for k, (op, v) in TARGETS.items()},
    }
    with tempfile.TemporaryDirectory(prefix="gw-bench-") as tmp_name:
        tmp = Path(tmp_name)
        if wanted("cold"):
            results.update(bench_cold_start(tmp))
        if wanted("conns"):
            results.update(bench_idle_connections(tmp))
        if wanted("wrk"):
            results.update(bench_throughput(tmp))
        if wanted("wrk") or wanted("edge"):
            results.update(bench_edge(tmp))
    results["verdicts"] = {k: verdict(k, results.get(k)) for k in TARGETS}
    print_summary(results)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2) + "\n")
    print(f"results written to {OUT}")
    if os.environ.get("BENCH_STRICT") == "1" and "MISSED" in results["verdicts"].values():
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
