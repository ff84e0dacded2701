#!/usr/bin/env python3
"""Writes the hand-made seed corpora fuzz/corpus/<target>/ (deterministic; rerun after editing).

Each seed is a meaningful input: valid documents, boundary values and known-hostile shapes. Seeds are
named after what they show. Files found by fuzzing runs stay in build/fuzz/corpus/<target>, not here;
a crash reproducer worth keeping is copied into corpus/<target>/ by hand (named crash-<what>).
"""
import base64
import hashlib
import hmac
import json
import os
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def b64u(data):
    if isinstance(data, str):
        data = data.encode()
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


# RFC 7515 A.1 HS256 key (the jwt target's key set holds it).
HS_KEY = base64.urlsafe_b64decode("AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow==")
RFC_NOW = 1300819000


def hs256(header, payload):
    signing_input = b64u(header) + "." + b64u(payload)
    sig = hmac.new(HS_KEY, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64u(sig)


CONFIG = {
    "empty": "",
    "comment_only": "# nothing\n",
    "server_basic": "server:\n  host: 127.0.0.1\n  port: 3000\n  io_threads: 0\n  max_body_bytes: 1MiB\n"
                    "  route_body_limits: { /hooks/: 256KiB }\n  keepalive_idle_timeout: 5s\n",
    "auth_secrets": "auth:\n  token: { env: MY_TOKEN }\n  password: { file: /nonexistent/secret }\n",
    "auth_literal_public": "server:\n  host: 0.0.0.0\nauth:\n  token: s3cr3t-token-value\n",
    "tls_disabled": "server:\n  tls: { enabled: false, cert_file: \"\", key_file: \"\", min_version: \"1.3\" }\n",
    "store_log_cluster": "store:\n  data_dir: ./var\n  busy_timeout: 250ms\n  group_commit_max_delay: 500us\n"
                         "log:\n  level: debug\ncluster:\n  postgres_port: 5432\n  redis_host: \"\"\n",
    "models_agents": "models:\n  providers:\n    local:\n      base_url: http://127.0.0.1:8000/v1\n"
                     "      api: openai-completions\n      models: [llama, qwen]\n      headers: {X-A: b}\n"
                     "      max_retries: 3\n"
                     "agents:\n  default_agent: main\n  defaults:\n    model: local/llama\n    timeout: 2m\n"
                     "  entries:\n    main: {name: Main, fallbacks: [local/qwen]}\n    work:\n      system_prompt: hi\n"
                     "      tools_deny: [exec]\n  queue: {mode: collect, cap: 5, collect_debounce: 1s}\n",
    "http_tools_hooks": "http:\n  chat_completions: true\n  responses: false\n  max_body_bytes: 20MiB\n"
                        "tools:\n  allow: [web_fetch]\n  deny: []\nhooks:\n  enabled: false\n  admission_timeout: 15s\n",
    "edge_full": "edge:\n  rate_limit:\n    enabled: true\n    per_ip: {rate_per_second: 100, burst: 200}\n"
                 "    routes:\n      - {path_prefix: /v1/, rate_per_second: 10, burst: 20}\n    ipv6_prefix_length: 64\n"
                 "  client_address:\n    trusted_proxies: [10.0.0.0/8, \"::1\"]\n    header: forwarded\n    max_hops: 4\n"
                 "  ip_filter: {allow: [], deny: [192.0.2.0/24, \"2001:db8::/32\"]}\n"
                 "  reputation: {block_threshold: 50, reload_check_interval: 30s}\n"
                 "  token_budget: {user_daily_tokens: 100000, tenant_daily_tokens: 0}\n"
                 "  connections: {max_per_ip: 256, ipv6_prefix_length: 56}\n",
    "bad_unknown_key": "server:\n  prot: 3000\n",
    "bad_duplicate_key": "server:\n  port: 1\n  port: 2\n",
    "bad_types": "server:\n  port: \"3000\"\n  io_threads: -1\n  request_timeout: 5 parsecs\n",
    "bad_size_overflow": "server:\n  max_body_bytes: 99999999999999999999GiB\n",
    "anchors_aliases": "x: &a {host: 127.0.0.1}\nserver: *a\n",
    "merge_key": "base: &b {port: 1}\nserver:\n  <<: *b\n",
    "deep_flow": "server: " + "[" * 60 + "]" * 60 + "\n",
    "tags_and_docs": "--- !!map\nserver: !!str x\n...\n---\nlog: {}\n",
    "tabs_and_crlf": "server:\r\n\thost: 127.0.0.1\r\n",
    "secret_both": "auth:\n  token: {env: A, file: B}\n",
    "null_values": "server: ~\nauth:\n  token: null\nagents:\n  entries:\n    main: ~\n",
}

WS_FRAME = {
    "connect": json.dumps({"type": "req", "id": "1", "method": "connect", "params": {
        "minProtocol": 4, "maxProtocol": 4, "client": {"id": "cli", "version": "1.0", "platform": "linux"},
        "auth": {"token": "t"}}}),
    "connect_numeric_id": '{"type":"req","id":1,"method":"connect"}',
    "other_method": '{"type":"req","id":"2","method":"chat.send","params":{}}',
    "event_frame": '{"type":"event","event":"tick"}',
    "array": '[{"type":"req"}]',
    "not_json": "hello",
    "empty": "",
    "truncated": '{"type":"req","id":"3","meth',
    "dup_keys": '{"type":"res","type":"req","id":"4","method":"connect"}',
    "unicode_escapes": '{"type":"req","id":"\\ud83d\\ude00","method":"conn\\u0065ct"}',
    "deep": '{"type":"req","id":"5","method":"connect","params":' + "[" * 100 + "]" * 100 + "}",
}

HS_HEADER = '{"alg":"HS256","typ":"JWT"}'
CLAIMS = {"iss": "joe", "sub": "u1", "aud": ["gateway", "x"], "exp": RFC_NOW + 3600, "nbf": RFC_NOW - 10,
          "iat": RFC_NOW - 10, "jti": "j", "realm_access": {"roles": ["admin", "user"]}, "a": [1, "b", None]}
JWT = {
    # mode byte even: the rest is a token verified as is
    "raw_rfc7515_a1": b"\x04" + (b"eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
                                 b".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
                                 b".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
    "raw_rfc7515_a3_es256": b"\x00" + (b"eyJhbGciOiJFUzI1NiJ9"
                                       b".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
                                       b".DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q"),
    "raw_rfc8037_eddsa": b"\x00" + (b"eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc"
                                    b".hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"),
    "raw_hs256_claims": b"\x74" + hs256(HS_HEADER, json.dumps(CLAIMS)).encode(),
    "raw_alg_none": b"\x00" + (b64u('{"alg":"none"}') + "." + b64u('{"exp":1}') + ".").encode(),
    "raw_padded_b64": b"\x00" + (b64u(HS_HEADER) + "==." + b64u("{}") + ".AA").encode(),
    "raw_two_parts": b"\x00eyJhbGciOiJIUzI1NiJ9.e30",
    "raw_empty": b"\x00",
    # mode byte odd: header NUL payload, signed with the HS256 key by the target
    "signed_claims": b"\x75" + HS_HEADER.encode() + b"\0" + json.dumps(CLAIMS).encode(),
    "signed_expired": b"\x05" + HS_HEADER.encode() + b"\0" + json.dumps({"exp": RFC_NOW - 3600}).encode(),
    "signed_crit": b"\x01" + b'{"alg":"HS256","crit":["exp"]}\0{"exp":1300819380}',
    "signed_kid_jku": b"\x09" + b'{"alg":"HS256","kid":"rfc7515-a2","jku":"https://evil"}\0{}',
    "signed_dup_claims": b"\x01" + HS_HEADER.encode() + b'\0{"exp":1300819380,"exp":1}',
    "signed_float_times": b"\x05" + HS_HEADER.encode() + b'\0{"exp":1.3008194e9,"nbf":-1e308,"iat":1e400}',
    "signed_aud_types": b"\x21" + HS_HEADER.encode() + b'\0{"aud":[1,{"x":2}],"exp":1300819380}',
    "signed_typ_case": b"\x41" + b'{"alg":"HS256","typ":"application/AT+JWT"}\0{"exp":1300819380}',
    "signed_deep_payload": b"\x01" + HS_HEADER.encode() + b"\0" + b'{"a":' + b"[" * 40 + b"]" * 40 + b"}",
    "signed_payload_not_object": b"\x01" + HS_HEADER.encode() + b"\0[1,2]",
}

JWKS = {
    "rfc_keys": json.dumps({"keys": [
        {"kty": "EC", "kid": "rfc7515-a3", "crv": "P-256", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
         "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0", "use": "sig", "alg": "ES256"},
        {"kty": "OKP", "kid": "rfc8037", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
        {"kty": "oct", "kid": "h", "k": b64u(HS_KEY)}]}),
    "rsa_a2": json.dumps({"keys": [{"kty": "RSA", "kid": "rfc7515-a2", "e": "AQAB", "n":
        "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ"}]}),
    "small_rsa": json.dumps({"keys": [{"kty": "RSA", "e": "AQAB", "n": b64u(b"\xc3" * 64)}]}),
    "ec_off_curve": json.dumps({"keys": [{"kty": "EC", "crv": "P-256", "x": b64u(b"\x01" * 32), "y": b64u(b"\x02" * 32)}]}),
    "unsupported": json.dumps({"keys": [{"kty": "EC", "crv": "P-384", "x": "AA", "y": "AA"}, {"kty": "X"}, 7, None]}),
    "enc_use_and_ops": json.dumps({"keys": [{"kty": "OKP", "crv": "Ed25519", "use": "enc",
                                              "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", "key_ops": ["verify"]}]}),
    "single_jwk": '{"kty":"oct","k":"' + b64u(HS_KEY) + '"}',
    "not_keys": '{"keys":{}}',
    "too_many": json.dumps({"keys": [{"kty": "X"}] * 12}),
    "empty": "",
}

IP_CIDR = {
    "v4_basic": "1.2.3.4\n10.0.0.0/8\n0.0.0.0/0\n255.255.255.255/32",
    "v6_forms": "::\n::1\n2001:db8::/32\n2001:0db8:0:0:0:0:0:1\nfe80::1%eth0\n1:2:3:4:5:6:7:8/128\n::/0",
    "mapped": "::ffff:10.0.0.1\n::ffff:10.0.0.0/104\n::ffff:0:0/95\n::ffff:1.2.3.4/128",
    "embedded_quad": "64:ff9b::192.0.2.33\n::1.2.3.4\n1::2:3:4:5:6:7.8.9.10",
    "bad": "01.2.3.4\n1.2.3\n1.2.3.4.5\n256.0.0.1\n10.0.0.1/8\n1.2.3.4/33\n1.2.3.4/\n/8\n::1::\n:::\n1:2:3:4:5:6:7:8:9\n[::1]\n1.2.3.4/08",
    "overlaps": "10.0.0.0/8\n10.1.0.0/16\n10.0.0.0/9\n10.128.0.0/9\n2001:db8::/33\n2001:db8:8000::/33",
    "blank": "\n \n",
}

FORWARDED = {
    # byte 0: mode (x % 3: none, x-forwarded-for, forwarded) and peer ((x / 3) % 4); byte 1: max_hops
    "xff_chain": b"\x01\x10X-Forwarded-For: 203.0.113.5, 10.0.0.2, 192.168.1.1",
    "xff_ports_v6": b"\x01\x10X-Forwarded-For: [2001:db8::1]:443, 198.51.100.7:8080, 2001:db8::2",
    "xff_multi_line": b"\x01\x10x-forwarded-for: 198.51.100.1\nX-FORWARDED-FOR: 10.0.0.9\nForwarded: for=1.1.1.1",
    "xff_untrusted_peer": b"\x07\x10X-Forwarded-For: 6.6.6.6",
    "xff_garbage": b"\x01\x10X-Forwarded-For: unknown, , ,1.2.3.4 , _hidden, 300.1.1.1",
    "xff_hops": b"\x01\x02X-Forwarded-For: 1.1.1.1, 10.0.0.1, 10.0.0.2, 10.0.0.3",
    "fwd_basic": b"\x02\x10Forwarded: for=192.0.2.60;proto=http;by=203.0.113.43, for=10.0.0.5",
    "fwd_quoted_v6": b'\x02\x10Forwarded: for="[2001:db8:cafe::17]:4711", For=unknown',
    "fwd_two_for": b"\x02\x10Forwarded: for=1.2.3.4;for=5.6.7.8",
    "fwd_obfuscated": b'\x02\x10Forwarded: for=_gazonk, for="_x";by=10.0.0.1',
    "fwd_bad_quotes": b'\x02\x10Forwarded: for="1.2.3.4, for=\\"5.6.7.8\\"',
    "none_mode": b"\x00\x10X-Forwarded-For: 1.2.3.4",
    "v6_peer_mapped": b"\x0a\x40X-Forwarded-For: ::ffff:8.8.8.8",
}

BEARER = {
    "bearer": "Authorization: Bearer abc.def.ghi",
    "lower_scheme": "authorization:   bearer    tok  ",
    "basic": "Authorization: Basic dXNlcjpwYXNz",
    "empty_token": "Authorization: Bearer    ",
    "no_space": "Authorization: Bearertoken",
    "two_headers": "Authorization: Basic x\nAuthorization: Bearer y",
    "tabs": "AUTHORIZATION:\tBearer\ttok\t",
    "no_header": "X-Other: Bearer z",
}

SSE = {
    # bytes 0-1: split seed and (byte 0 bit 7) a small event-size bound
    "openai_chunks": b"\x01\x02" + b'data: {"id":"c1","choices":[{"delta":{"content":"Hel"}}]}\n\n'
                     b'data: {"id":"c1","choices":[{"delta":{"content":"lo"}}]}\n\ndata: [DONE]\n\n',
    "anthropic_events": b"\x03\x04event: message_start\ndata: {\"type\":\"message_start\"}\n\n"
                        b"event: content_block_delta\ndata: {\"delta\":{\"text\":\"x\"}}\n\n: ping\n\nevent: message_stop\ndata: {}\n\n",
    "crlf_cr_bom": b"\x05\x06\xef\xbb\xbfdata: a\r\ndata: b\r\rid: 7\r\n\r\nretry: 1500\n\n",
    "id_nul_retry_bad": b"\x07\x08id: a\x00b\nretry: 12x\ndata:x\n\nid\ndata\n\n",
    "no_data_event": b"\x09\x0aevent: lonely\n\nfield-only\n\ndata: trailing-partial",
    "small_bound_long_line": b"\x80\x10data: " + b"x" * 200 + b"\n\n",
    "small_bound_comment": b"\x81\x10:" + b"c" * 200 + b"\ndata: ok\n\n",
    "many_data_lines": b"\x11\x12" + b"data: line\n" * 50 + b"\n",
    "bom_split": b"\xef\xbb\xef\xbb\xbf\xbfdata: x\n\n",
}

JSON_BODY = {
    # byte 0: depth limit (% 41)
    "chat_request": b"\x20" + json.dumps({"model": "openclaw", "messages": [{"role": "user", "content": "hi"}],
                                          "stream": True}).encode(),
    "exact_depth": b"\x03[[[1]]]",
    "one_too_deep": b"\x02[[[1]]]",
    "zero_depth_scalar": b"\x00\"x\"",
    "zero_depth_array": b"\x00[]",
    "brackets_in_strings": b"\x01[\"[[[{{{\\\"[[[\"]",
    "escaped_backslash": b"\x01[\"\\\\\",[[]]]",
    "unbalanced_close": b"\x02]]]]]][[[",
    "comments_trailing_comma": b"\x05{\"a\":[1,2,],/* x */}",
    "unterminated_string": b"\x02[\"abc[[[[",
    "big_numbers": b"\x05[1e999,-0,18446744073709551616,0.000000000000000000000001]",
}

CHAT_REQUEST = {
    "minimal": '{"model":"openclaw","messages":[{"role":"user","content":"hi"}]}',
    "agent_target_headers": 'x-openclaw-agent-id: work\nx-openclaw-session-key: agent:work:s1\nIdempotency-Key: k1\n\n'
                            '{"model":"openclaw/work","messages":[{"role":"system","content":"be brief"},'
                            '{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}],'
                            '"stream":true,"stream_options":{"include_usage":true}}',
    "history_tools": json.dumps({"model": "agent:main", "messages": [
        {"role": "user", "content": "weather?"},
        {"role": "assistant", "content": None, "tool_calls": [{"id": "c1", "type": "function",
            "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}]},
        {"role": "tool", "tool_call_id": "c1", "content": "sunny"}],
        "tools": [{"type": "function", "function": {"name": "get_weather", "description": "d",
                                                    "parameters": {"type": "object", "properties": {}}}}],
        "tool_choice": "auto", "temperature": 0.2, "top_p": 1, "max_tokens": 100, "stop": ["x", "y"]}),
    "image_data_url": json.dumps({"messages": [{"role": "user", "content": [
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
        {"type": "image_url", "image_url": "data:image/jpeg;base64,/9j/"}]}]}),
    "model_override": 'x-openclaw-model: local/llama\n\n{"model":"openclaw","messages":[{"role":"user","content":"x"}]}',
    "unknown_agent": '{"model":"openclaw/nobody","messages":[{"role":"user","content":"x"}]}',
    "bad_types": '{"model":5,"messages":"x","stream":"yes","temperature":"hot"}',
    "no_user_last": '{"messages":[{"role":"user","content":"a"},{"role":"assistant","content":"b"}]}',
    "bad_image": '{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"http://x/y.png"}}]}]}',
    "not_object": "[1,2,3]",
    "not_json": "model=openclaw",
    "empty": "",
}

CORPORA = {
    "config": CONFIG, "ws_frame": WS_FRAME, "jwt": JWT, "jwks": JWKS, "ip_cidr": IP_CIDR,
    "forwarded": FORWARDED, "bearer": BEARER, "sse": SSE, "json_body": JSON_BODY, "chat_request": CHAT_REQUEST,
}


def main():
    for target, seeds in CORPORA.items():
        d = os.path.join(ROOT, target)
        os.makedirs(d, exist_ok=True)
        for name, content in seeds.items():
            data = content.encode() if isinstance(content, str) else content
            with open(os.path.join(d, "seed-" + name), "wb") as f:
                f.write(data)
    print("wrote", sum(len(s) for s in CORPORA.values()), "seeds to", ROOT, file=sys.stderr)


if __name__ == "__main__":
    main()
