"""10,000 idle keep-alive connections are held while fresh clients are still served."""

import asyncio
import os
import resource

import pytest

from gw_e2e import parse_metrics, sample_sum

CONNECTIONS = 10_000
NEEDED_FDS = CONNECTIONS + 500  # per process: the test's client sockets, or the gateway's server sockets
REQUEST = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


@pytest.fixture
def raised_nofile():
    """Raises RLIMIT_NOFILE for this process (and so for the gateway it spawns); restores it afterwards.

    The client sockets live here and the server sockets in the gateway, so each process needs about
    10,500 descriptors. Root may also raise the hard limit.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = max(NEEDED_FDS, 20_500)
    target_hard = hard
    if hard != resource.RLIM_INFINITY and hard < want:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, want))
            target_hard = want
        except (ValueError, OSError):
            pass
    new_soft = target_hard if target_hard == resource.RLIM_INFINITY else min(target_hard, 65_536)
    if new_soft != resource.RLIM_INFINITY and new_soft < NEEDED_FDS:
        pytest.skip(f"RLIMIT_NOFILE hard limit {target_hard} < {NEEDED_FDS}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (new_soft, target_hard))
    yield new_soft
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, target_hard))


async def read_response(reader) -> tuple[int, bytes, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    body = await reader.readexactly(length)
    return status, head, body


async def hold_connections(port: int):
    conns = []
    sem = asyncio.Semaphore(256)

    async def open_one():
        async with sem:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            conns.append((reader, writer))
            writer.write(REQUEST)
            status, head, _ = await read_response(reader)
            assert status == 200, head
            assert b"connection: close" not in head.lower(), head

    async def one_request(path: str) -> tuple[int, bytes]:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            status, _, body = await read_response(reader)
            return status, body
        finally:
            writer.close()

    try:
        results = await asyncio.gather(*(open_one() for _ in range(CONNECTIONS)), return_exceptions=True)
        failures = [r for r in results if isinstance(r, BaseException)]
        assert not failures, f"{len(failures)} of {CONNECTIONS} connections failed, e.g. {failures[:3]!r}"

        status, body = await one_request("/health")
        assert status == 200, body

        status, body = await one_request("/metrics")
        assert status == 200, body[:500]
        _, samples = parse_metrics(body.decode())
        assert sample_sum(samples, "openclaw_connections_open") >= CONNECTIONS, [
            s for s in samples if s[0] == "openclaw_connections_open"
        ]

        # The held connections are still alive and usable (not silently dropped).
        async def reuse(reader, writer):
            writer.write(REQUEST)
            status, head, _ = await read_response(reader)
            assert status == 200, head

        step = CONNECTIONS // 100
        await asyncio.gather(*(reuse(*conns[i]) for i in range(0, CONNECTIONS, step)))
    finally:
        for _, writer in conns:
            writer.close()


@pytest.mark.slow
def test_ten_thousand_idle_keep_alive_connections_are_held(gateway, raised_nofile):
    # Every client is 127.0.0.1: lift the per-IP connection cap (edge.connections.max_per_ip, default 256).
    gw = gateway({"server": {"max_connections": 10_100, "keepalive_idle_timeout": "120s"},
                  "edge": {"connections": {"max_per_ip": 0}}})
    asyncio.run(asyncio.wait_for(hold_connections(gw.port), timeout=float(os.environ.get("GW_E2E_10K_TIMEOUT", "300"))))
    assert gw.get("/health").status == 200
