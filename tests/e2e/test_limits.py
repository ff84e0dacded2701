"""Size and time limits at the HTTP edge: 413, 431, 408, idle keep-alive."""

import time

from gw_e2e import assert_error_body, assert_security_headers, try_parse_response

MIB = 1024 * 1024


def post_head(path: str, length: int) -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n"
        f"Content-Length: {length}\r\n\r\n"
    ).encode()


def post(gw, path: str, length: int):
    with gw.raw() as conn:
        return conn.send_streaming(post_head(path, length), b"x" * length)


def test_body_above_default_limit_is_413_payload_too_large(gateway):
    gw = gateway()
    resp = post(gw, "/e2e/upload", MIB + 1)
    assert_error_body(resp, 413, "payload_too_large")
    assert_security_headers(resp)


def test_body_at_default_limit_is_not_rejected_for_size(gateway):
    gw = gateway()
    resp = post(gw, "/e2e/upload", MIB)
    assert resp.status == 404, resp  # routed (no such route), not refused for size


def test_chunked_body_above_limit_is_413(gateway):
    gw = gateway({"server": {"max_body_bytes": 4096}})
    head = b"POST /e2e/upload HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
    chunk = b"x" * 1024
    body = (b"%x\r\n" % len(chunk) + chunk + b"\r\n") * 8 + b"0\r\n\r\n"
    with gw.raw() as conn:
        resp = conn.send_streaming(head, body)
    assert_error_body(resp, 413, "payload_too_large")


def test_route_body_limit_overrides_default_for_its_prefix_only(gateway):
    gw = gateway({"server": {"route_body_limits": {"/e2e/small/": 1024}}})
    assert_error_body(post(gw, "/e2e/small/upload", 2048), 413, "payload_too_large")
    assert post(gw, "/e2e/small/upload", 1000).status == 404
    assert post(gw, "/e2e/other/upload", 2048).status == 404  # default 1 MiB applies elsewhere


def test_huge_header_is_431(gateway):
    gw = gateway()
    with gw.raw() as conn:
        conn.send(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * (64 * 1024) + b"\r\n\r\n")
        resp = conn.read_response()
    assert_error_body(resp, 431, "request_header_fields_too_large")
    assert_security_headers(resp)


def test_header_limit_is_configurable(gateway):
    gw = gateway({"server": {"max_header_bytes": 2048}})
    small = gw.get("/health", headers={"X-Pad": "a" * 1024})
    assert small.status == 200, small
    with gw.raw() as conn:
        conn.send(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: " + b"a" * 4096 + b"\r\n\r\n")
        assert_error_body(conn.read_response(), 431, "request_header_fields_too_large")


def test_slow_header_client_gets_408_and_is_closed_while_others_are_served(gateway):
    timeout_s = 3.0
    gw = gateway({"server": {"header_read_timeout": "3s"}})
    slow = [gw.raw() for _ in range(10)]
    try:
        started = time.monotonic()
        for conn in slow:
            conn.send(b"GET /hea")  # half a request line, then nothing
        # Served meanwhile: a normal client is answered while the slow ones hold their connections.
        for _ in range(3):
            assert gw.get("/health").status == 200
        assert not any(conn.is_closed_now() for conn in slow), "slow clients were cut before header_read_timeout"
        for conn in slow:
            data = conn.wait_closed(timeout=timeout_s + 20)
            assert data.startswith(b"HTTP/1.1 408"), data[:200]
        # Lower bound only: the server must not cut a client before its timeout.
        assert time.monotonic() - started >= timeout_s * 0.9
        parsed = try_parse_response(slow[0].buffer)
        assert parsed, slow[0].buffer
        assert_error_body(parsed[0], 408, "request_timeout")
    finally:
        for conn in slow:
            conn.close()


def test_trickling_header_client_is_cut_off_after_header_read_timeout(gateway):
    gw = gateway({"server": {"header_read_timeout": "1s"}})
    request = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 200
    with gw.raw() as conn:
        deadline = time.monotonic() + 20  # far beyond the 1 s budget: a per-read idle timer never fires
        for byte in request:
            if time.monotonic() > deadline:
                raise AssertionError("trickling client still connected long after header_read_timeout")
            try:
                conn.send(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                break
            if conn.is_closed_now():
                break
            time.sleep(0.1)  # the client's own pacing, not a wait for an event
        else:
            raise AssertionError("server accepted a 20 s trickle despite header_read_timeout 1s")
    assert gw.get("/health").status == 200


def test_idle_keep_alive_connection_is_closed_after_keepalive_idle_timeout(gateway):
    gw = gateway({"server": {"keepalive_idle_timeout": "500ms"}})
    with gw.raw() as conn:
        conn.send(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert conn.read_response().status == 200
        idle_from = time.monotonic()
        conn.wait_closed(timeout=20)
        assert time.monotonic() - idle_from >= 0.4
