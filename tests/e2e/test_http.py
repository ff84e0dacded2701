"""Operational HTTP surface: probes, error shapes, security headers, request ids."""

import re

import pytest

from gw_e2e import assert_error_body, assert_security_headers


@pytest.fixture
def gw(gateway):
    return gateway()


@pytest.mark.parametrize("path", ["/health", "/healthz"])
def test_liveness_probe_answers_ok_live(gw, path):
    resp = gw.get(path)
    assert resp.status == 200, resp
    assert resp.header("content-type", "").startswith("application/json"), resp
    assert resp.json() == {"ok": True, "status": "live"}


@pytest.mark.parametrize("path", ["/startupz", "/startup"])
def test_startup_probe_reports_started_version_and_uptime(gw, cli, path):
    version = re.match(r"openclaw-gateway (\S+)", cli("version").stdout).group(1)
    first = gw.get(path)
    assert first.status == 200, first
    body = first.json()
    assert body["ok"] is True and body["status"] == "started", body
    assert body["version"] == version, body
    assert isinstance(body["uptimeMs"], int) and body["uptimeMs"] >= 0, body
    second = gw.get(path).json()
    assert second["uptimeMs"] >= body["uptimeMs"], (body, second)


@pytest.mark.parametrize("path", ["/ready", "/readyz"])
def test_readiness_probe_reports_all_checks_ok(gw, path):
    resp = gw.get(path)
    assert resp.status == 200, resp
    body = resp.json()
    assert body["ready"] is True and body["failing"] == [], body
    assert isinstance(body["uptimeMs"], int) and body["uptimeMs"] >= 0, body
    assert {"store", "migrations", "draining"} <= set(body["checks"]), body
    assert all(state == "ok" for state in body["checks"].values()), body


def test_head_health_has_headers_but_no_body_and_keeps_the_connection_usable(gw):
    with gw.client() as client:
        head = client.request("HEAD", "/health")
        assert head.status == 200, head
        assert head.body == b""
        assert_security_headers(head)
        # A body sent after HEAD would corrupt this next response on the same connection.
        after = client.get("/health")
        assert after.status == 200 and after.json() == {"ok": True, "status": "live"}, after


def test_unknown_path_is_404_not_found_json(gw):
    resp = gw.get("/definitely/not/here")
    assert_error_body(resp, 404, "not_found")
    assert_security_headers(resp)


def test_wrong_method_is_405_method_not_allowed_json_with_allow(gw):
    resp = gw.request("POST", "/health", body=b"", headers={"Content-Length": "0"})
    assert_error_body(resp, 405, "method_not_allowed")
    assert "GET" in (resp.header("allow") or ""), resp


def test_garbage_request_line_is_400_bad_request_and_closed(gw):
    with gw.raw() as conn:
        conn.send(b"THIS IS NOT HTTP AT ALL\r\n\r\n")
        resp = conn.read_response()
        assert_error_body(resp, 400, "bad_request")
        assert_security_headers(resp)
        conn.wait_closed()


@pytest.mark.parametrize(
    "method, path, expected",
    [("GET", "/health", 200), ("GET", "/readyz", 200), ("GET", "/metrics", 200), ("GET", "/startupz", 200),
     ("GET", "/nope", 404), ("POST", "/health", 405)],
)
def test_every_response_has_security_headers_and_request_id(gw, method, path, expected):
    resp = gw.request(method, path, body=b"" if method == "POST" else None)
    assert resp.status == expected, resp
    assert_security_headers(resp)


def test_valid_incoming_request_id_is_echoed_in_header_and_error_body(gw):
    rid = "e2e-req-0123456789abcdef"
    ok = gw.get("/health", headers={"X-Request-Id": rid})
    assert ok.header("x-request-id") == rid, ok
    err = gw.get("/nope", headers={"X-Request-Id": rid})
    assert err.header("x-request-id") == rid, err
    assert assert_error_body(err, 404, "not_found")["request_id"] == rid


def test_request_id_is_generated_and_unique_when_absent(gw):
    ids = {gw.get("/health").header("x-request-id") for _ in range(5)}
    assert None not in ids and "" not in ids
    assert len(ids) == 5, ids


def test_invalid_incoming_request_id_is_replaced(gw):
    bad = "bad id <script>alert(1)</script>"
    resp = gw.get("/health", headers={"X-Request-Id": bad})
    assert resp.status == 200, resp
    assert resp.header("x-request-id") and resp.header("x-request-id") != bad, resp


def test_keep_alive_connection_serves_many_requests(gw):
    with gw.client() as client:
        for _ in range(20):
            resp = client.get("/health")
            assert resp.status == 200, resp
            assert (resp.header("connection") or "").lower() != "close", resp
