"""Edge defence (issue #6): rate limits with 429 + Retry-After + RateLimit-*, client address from trusted
proxies only, CIDR deny, geo and reputation blocks, per-IP connection caps, and TLS certificate reload on
SIGHUP.

Every address in 127.0.0.0/8 is loopback on Linux, so a test picks a distinct source address per "client"
(127.0.0.2, 127.0.0.3, ...) while the harness itself keeps talking from 127.0.0.1.
"""

from __future__ import annotations

import http.client
import shutil
import signal
import socket
import ssl
import subprocess
from pathlib import Path

import pytest

from gw_e2e import IO_TIMEOUT, REPO_ROOT, Response, _from_http_client, assert_error_body, missing, sample_sum, \
    wait_until

REJECTIONS = "openclaw_edge_rejections_total"
GEO_SCRIPT = REPO_ROOT / "tests/data/make_geo_db.pl"


# ---------------------------------------------------------------------------------------------- helpers


class SourceClient:
    """A keep-alive HTTP/1.1 connection from a chosen loopback source address."""

    def __init__(self, port: int, source: str, timeout: float = IO_TIMEOUT):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(source, 0))
        self.conn.auto_open = 0
        self.conn.connect()

    def get(self, path: str, headers: dict | None = None) -> Response:
        self.conn.request("GET", path, headers=headers or {})
        resp = self.conn.getresponse()
        return _from_http_client(resp, resp.read())

    def close(self) -> None:
        self.conn.close()


def get_from(port: int, source: str, path: str = "/health", headers: dict | None = None) -> Response:
    client = SourceClient(port, source)
    try:
        return client.get(path, headers)
    finally:
        client.close()


def refused(port: int, source: str) -> bool:
    """True if the gateway closes a connection from `source` without answering."""
    try:
        resp = get_from(port, source)
    except (ConnectionError, http.client.RemoteDisconnected):
        return True
    assert resp.status == 200, resp
    return False


def rejections(gw, reason: str) -> float:
    _, samples = gw.metrics()
    return sample_sum(samples, REJECTIONS, reason=reason)


def upgrade_status(port: int, source: str = "127.0.0.1") -> int:
    """Sends a WebSocket upgrade for / and returns the status of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=IO_TIMEOUT, source_address=(source, 0)) as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        head = b""
        while b"\r\n" not in head:
            chunk = s.recv(4096)
            if not chunk:
                break
            head += chunk
    return int(head.split(b" ", 2)[1])


# ---------------------------------------------------------------------------------------------- rate limits


def test_requests_over_the_burst_get_429_with_retry_after_and_ratelimit_headers(gateway):
    # 3 requests at once, then one per 100 s: the 4th is refused however slow the build is.
    gw = gateway({"edge": {"rate_limit": {"per_ip": {"rate_per_second": 0.01, "burst": 3}}}})
    client = SourceClient(gw.port, "127.0.0.2")
    try:
        for i in range(3):
            resp = client.get("/no-such-route")
            assert resp.status == 404, resp  # limited before routing; the answer still carries the headers
            assert resp.header("ratelimit-limit") == "3", resp
            assert resp.header("ratelimit-remaining") == str(2 - i), resp
            assert resp.header("retry-after") is None, resp
        limited = client.get("/no-such-route")
        assert_error_body(limited, 429, "rate_limited")
        assert int(limited.header("retry-after")) >= 90, limited
        assert limited.header("ratelimit-limit") == "3"
        assert limited.header("ratelimit-remaining") == "0"
        assert int(limited.header("ratelimit-reset")) >= 1
        # Health and metrics probes are exempt; the connection stays usable after a 429.
        assert client.get("/health").status == 200
        assert client.get("/readyz").status == 200
    finally:
        client.close()
    # A WebSocket upgrade passes the same checks.
    assert upgrade_status(gw.port, "127.0.0.2") == 429
    # Another client has its own bucket.
    assert get_from(gw.port, "127.0.0.3", "/no-such-route").status == 404
    assert rejections(gw, "rate_limited") == 2


def test_spoofed_forwarded_for_is_ignored_and_a_trusted_proxy_is_honoured(gateway):
    limits = {"rate_limit": {"per_ip": {"rate_per_second": 0.01, "burst": 2}}}

    def burst(gw, forwarded_for: str) -> list[int]:
        return [get_from(gw.port, "127.0.0.2", "/x", {"X-Forwarded-For": forwarded_for}).status for _ in range(3)]

    # 127.0.0.2 is not a trusted proxy: whatever it claims, all its requests share one bucket.
    untrusted = gateway({"edge": limits})
    assert [get_from(untrusted.port, "127.0.0.2", "/x", {"X-Forwarded-For": f"203.0.113.{i}"}).status
            for i in (1, 2, 3)] == [404, 404, 429]
    # Trusted: every forwarded client gets its own bucket, and the proxy itself is not limited.
    trusted = gateway({"edge": dict(limits, client_address={"trusted_proxies": ["127.0.0.2/32"]})})
    assert burst(trusted, "203.0.113.1") == [404, 404, 429]
    assert burst(trusted, "198.51.100.7, 203.0.113.2") == [404, 404, 429]  # the rightmost untrusted hop
    assert get_from(trusted.port, "127.0.0.2", "/x").status == 404  # no header: the proxy is the client
    assert rejections(untrusted, "rate_limited") == 1
    assert rejections(trusted, "rate_limited") == 2


def test_forwarded_address_from_a_trusted_proxy_is_filtered(gateway):
    gw = gateway({"edge": {"client_address": {"trusted_proxies": ["127.0.0.2"]},
                           "ip_filter": {"deny": ["203.0.113.0/24"]}}})
    blocked = get_from(gw.port, "127.0.0.2", "/health", {"X-Forwarded-For": "203.0.113.9"})
    assert_error_body(blocked, 403, "permission_denied")
    assert get_from(gw.port, "127.0.0.2", "/health", {"X-Forwarded-For": "198.51.100.9"}).status == 200
    # From an untrusted peer the same header means nothing.
    assert get_from(gw.port, "127.0.0.3", "/health", {"X-Forwarded-For": "203.0.113.9"}).status == 200
    assert rejections(gw, "ip_denied") == 1


# ---------------------------------------------------------------------------------------------- address filters


def test_denied_cidr_is_refused_at_accept(gateway):
    gw = gateway({"edge": {"ip_filter": {"deny": ["127.0.0.2/32", "127.0.1.0/24"]}}})
    assert refused(gw.port, "127.0.0.2")
    assert refused(gw.port, "127.0.1.77")
    assert not refused(gw.port, "127.0.0.3")
    assert rejections(gw, "ip_denied") == 2


@pytest.fixture
def geo_db(tmp_path) -> Path:
    if not shutil.which("perl"):
        missing("perl not installed")
    probe = subprocess.run(["perl", "-MMaxMind::DB::Writer::Tree", "-e", "1"], capture_output=True, timeout=60)
    if probe.returncode != 0:
        missing("perl MaxMind::DB::Writer not installed (Debian libmaxmind-db-writer-perl)")
    out = tmp_path / "geo.mmdb"
    subprocess.run(["perl", str(GEO_SCRIPT), str(out), "127.0.0.2/32=KP", "127.0.0.3/32=DE"],
                   check=True, capture_output=True, timeout=60)
    return out


def test_country_block_uses_the_geo_database(gateway, geo_db):
    gw = gateway({"edge": {"geo": {"database_file": str(geo_db), "block_countries": ["KP"]}}})
    assert refused(gw.port, "127.0.0.2")       # KP
    assert not refused(gw.port, "127.0.0.3")   # DE
    assert not refused(gw.port, "127.0.0.4")   # unknown, block_unknown is off
    assert rejections(gw, "geo_blocked") == 1


def test_reputation_list_blocks_and_is_reloaded_when_the_file_changes(gateway, tmp_path):
    rep = tmp_path / "reputation.txt"
    rep.write_text("# test list\n127.0.0.4 80 scanner\n127.0.0.5 10 harmless\n")
    gw = gateway({"edge": {"reputation": {"file": str(rep), "block_threshold": 50,
                                          "reload_check_interval": "1s"}}})
    assert refused(gw.port, "127.0.0.4")
    assert not refused(gw.port, "127.0.0.5")
    tmp = tmp_path / "reputation.txt.new"
    tmp.write_text("127.0.0.5 95 now bad\n")
    tmp.replace(rep)
    wait_until(lambda: refused(gw.port, "127.0.0.5"), 15, interval=0.2, what="the reloaded list to block 127.0.0.5")
    assert not refused(gw.port, "127.0.0.4")
    assert rejections(gw, "reputation") >= 2


def test_connections_per_ip_are_capped(gateway):
    gw = gateway({"edge": {"connections": {"max_per_ip": 3}}})
    held = [SourceClient(gw.port, "127.0.0.2") for _ in range(3)]
    try:
        for client in held:
            assert client.get("/health").status == 200  # accepted and holding a slot
        assert refused(gw.port, "127.0.0.2")
        assert not refused(gw.port, "127.0.0.3")  # another address has its own cap
        held.pop().close()
        wait_until(lambda: not refused(gw.port, "127.0.0.2"), 10, interval=0.05, what="a freed slot")
        for client in held:
            assert client.get("/health").status == 200  # the open connections were never disturbed
    finally:
        for client in held:
            client.close()
    assert rejections(gw, "connection_limit") >= 1


# ---------------------------------------------------------------------------------------------- TLS reload


def make_cert(directory: Path, name: str) -> tuple[Path, Path]:
    cert, key = directory / f"{name}.pem", directory / f"{name}.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "1", "-subj", f"/CN={name}", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True, timeout=60,
    )
    return cert, key


def served_cert(port: int) -> bytes:
    return ssl.PEM_cert_to_DER_cert(ssl.get_server_certificate(("127.0.0.1", port), timeout=IO_TIMEOUT))


def der(cert: Path) -> bytes:
    return ssl.PEM_cert_to_DER_cert(cert.read_text())


def test_sighup_reloads_the_certificate_without_dropping_connections(gateway, tmp_path):
    if not shutil.which("openssl"):
        missing("openssl CLI not installed")
    old_cert, old_key = make_cert(tmp_path, "old")
    new_cert, new_key = make_cert(tmp_path, "new")
    live_cert, live_key = tmp_path / "live.pem", tmp_path / "live.key"
    shutil.copy(old_cert, live_cert)
    shutil.copy(old_key, live_key)
    tls = {"enabled": True, "cert_file": str(live_cert), "key_file": str(live_key)}
    gw = gateway({"server": {"tls": tls, "keepalive_idle_timeout": "60s"}},
                 ssl_context=ssl.create_default_context(cafile=str(old_cert)))
    old_conn = gw.client()
    assert old_conn.get("/health").status == 200
    assert served_cert(gw.port) == der(old_cert)

    shutil.copy(new_cert, live_cert)
    shutil.copy(new_key, live_key)
    gw.send_signal(signal.SIGHUP)
    wait_until(lambda: served_cert(gw.port) == der(new_cert), 15, interval=0.1, what="the new certificate")
    assert old_conn.get("/health").status == 200  # the established connection keeps its session
    gw.ssl_context = ssl.create_default_context(cafile=str(new_cert))
    assert gw.get("/health").status == 200

    # A broken certificate is refused: the error is logged and the current certificate stays.
    live_cert.write_text("not a certificate\n")
    gw.send_signal(signal.SIGHUP)
    wait_until(lambda: any("TLS certificate reload failed" in str(line.get("msg")) for line in gw.log_lines()),
               15, what="the reload error in the log")
    assert served_cert(gw.port) == der(new_cert)
    assert old_conn.get("/health").status == 200
    old_conn.close()
    assert gw.alive()  # the fixture then checks the clean exit
