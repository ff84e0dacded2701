"""TLS on the same listener (server.tls): HTTPS probes with the configured certificate and minimum version."""

import shutil
import ssl
import subprocess

import pytest

from gw_e2e import EXIT_CONFIG, missing


@pytest.fixture
def cert_pair(tmp_path):
    if not shutil.which("openssl"):
        missing("openssl CLI not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True, timeout=60,
    )
    return cert, key


def client_context(cert, maximum=None) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=str(cert))
    if maximum is not None:
        ctx.maximum_version = maximum
    return ctx


def test_tls_listener_serves_health_over_https(gateway, cert_pair):
    cert, key = cert_pair
    gw = gateway({"server": {"tls": {"enabled": True, "cert_file": str(cert), "key_file": str(key)}}},
                 ssl_context=client_context(cert))
    assert gw.url.startswith("https://"), gw.listening
    resp = gw.get("/health")
    assert resp.status == 200 and resp.json() == {"ok": True, "status": "live"}, resp


def test_tls_min_version_1_3_refuses_a_tls_1_2_client(gateway, cert_pair):
    cert, key = cert_pair
    tls = {"enabled": True, "cert_file": str(cert), "key_file": str(key), "min_version": "1.3"}
    gw = gateway({"server": {"tls": tls}}, ssl_context=client_context(cert))
    assert gw.get("/health").status == 200
    gw.ssl_context = client_context(cert, maximum=ssl.TLSVersion.TLSv1_2)
    with pytest.raises(ssl.SSLError):
        gw.get("/health")


def test_tls_enabled_without_readable_key_is_a_config_error(cli, cert_pair, tmp_path):
    cert, _ = cert_pair
    result = cli("config", "check", config={"server": {"tls": {"enabled": True, "cert_file": str(cert),
                                                               "key_file": str(tmp_path / "missing.pem")}}})
    assert result.returncode == EXIT_CONFIG, result.stdout + result.stderr
    assert "server.tls.key_file" in result.stderr, result.stderr
