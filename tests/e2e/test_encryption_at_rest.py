"""Encryption at rest (issue #6): master key file, sealed transcripts, the `keys` CLI.

Messages are written through the chat API (/v1/chat/completions against the fake upstream); the
store-level C++ tests (src/store/encryption_at_rest_test.cpp) cover tampering and rotation in detail.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import stat

import pytest

from fake_llm import Echo
from gw_e2e import START_TIMEOUT, chat_body, llm_config, post_json, wait_until


def query(db_path, sql, params=()):
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def raw_files(data_dir):
    """Every SQLite file of the store (database, WAL, shared memory)."""
    return [p for p in data_dir.iterdir() if p.name.startswith("gateway.db")]


def keys(cli, data_dir, *args, env=None):
    merged = {"OPENCLAW_DATA_DIR": str(data_dir), **(env or {})}
    return cli("keys", *args, env=merged)


def keys_status(cli, data_dir, env=None):
    result = keys(cli, data_dir, "status", "--json", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def test_first_start_creates_a_private_master_key_file_and_key_metrics(gateway):
    gw = gateway()
    key_file = gw.data_dir / "keys" / "master.key"
    assert key_file.is_file(), sorted(p.name for p in gw.data_dir.iterdir())
    mode = stat.S_IMODE(key_file.stat().st_mode)
    assert mode == 0o600, oct(mode)
    assert stat.S_IMODE((gw.data_dir / "keys").stat().st_mode) == 0o700
    assert key_file.stat().st_size == 32
    families, _ = gw.metrics()
    assert "openclaw_keys_reencrypted_total" in families, sorted(families)
    assert "openclaw_keys_reencrypt_pending" in families, sorted(families)


def test_master_key_from_env_creates_no_key_file(gateway):
    gw = gateway(env={"OPENCLAW_MASTER_KEY": secrets.token_hex(32)})
    assert not (gw.data_dir / "keys" / "master.key").exists()
    assert "encryption at rest enabled" in gw.stdout()
    assert "env:OPENCLAW_MASTER_KEY" in gw.stdout()


def test_chat_transcript_marker_never_stored_in_plaintext(gateway, fake_llm):
    marker = "MARKER-" + secrets.token_hex(8)
    fake_llm.set_default(Echo(prefix="echo: "))
    gw = gateway(llm_config(fake_llm.base_url))
    resp = post_json(gw, "/v1/chat/completions", chat_body(f"remember {marker}", user="enc-user"))
    if resp.status == 404:
        pytest.skip("no chat route in this build (src/store/encryption_at_rest_test.cpp covers the store)")
    assert resp.status == 200, resp
    assert marker in resp.body.decode(), resp.body[:500]
    db = gw.data_dir / "gateway.db"

    def stored():
        rows = query(db, "SELECT role, content, sealed IS NOT NULL, key_class, key_version FROM messages")
        return rows if len(rows) >= 2 else None

    try:
        rows = wait_until(stored, START_TIMEOUT, what="the transcript to be stored")
    except AssertionError:
        pytest.skip("the chat API does not persist transcripts in this build")
    assert all(sealed for _, _, sealed, _, _ in rows), rows
    assert all(content == "" for _, content, _, _, _ in rows), rows
    assert all(key_class == 2 and key_version >= 1 for _, _, _, key_class, key_version in rows), rows
    for path in raw_files(gw.data_dir):  # database, WAL included (before the shutdown checkpoint)
        assert marker.encode() not in path.read_bytes(), path.name
    gw.stop()
    for path in raw_files(gw.data_dir):
        assert marker.encode() not in path.read_bytes(), path.name


def test_classification_policy_from_config_reaches_the_store(gateway, fake_llm):
    """store.encryption: agent `main` is restricted (class 3); an agent marked public stays plaintext."""
    fake_llm.set_default(Echo(prefix="echo: "))
    config = llm_config(fake_llm.base_url)
    config.setdefault("store", {})["encryption"] = {"default_classification": "internal",
                                                    "agents": {"main": "restricted"}}
    gw = gateway(config)
    resp = post_json(gw, "/v1/chat/completions", chat_body("classified hello", user="policy-user"))
    assert resp.status == 200, resp
    db = gw.data_dir / "gateway.db"
    rows = wait_until(lambda: query(db, "SELECT key_class FROM messages") or None, START_TIMEOUT,
                      what="the transcript to be stored")
    assert {key_class for (key_class,) in rows} == {3}, rows

    plain = llm_config(fake_llm.base_url)
    plain.setdefault("store", {})["encryption"] = {"agents": {"main": "public"}}
    marker = "PLAIN-" + secrets.token_hex(8)
    gw2 = gateway(plain)
    resp = post_json(gw2, "/v1/chat/completions", chat_body(f"say {marker}", user="plain-user"))
    assert resp.status == 200, resp
    rows = wait_until(lambda: query(gw2.data_dir / "gateway.db",
                                    "SELECT content, sealed IS NULL FROM messages") or None,
                      START_TIMEOUT, what="the transcript to be stored")
    assert any(marker in content and unsealed for content, unsealed in rows), rows


def test_keys_cli_rotate_status_retire_shred(gateway, cli):
    gw = gateway()  # applies the migrations and creates the master key
    data_dir = gw.data_dir
    assert gw.stop() == 0

    status = keys_status(cli, data_dir)
    assert status["master_key"].startswith("local master key file"), status
    assert status["keys"] == [], status
    assert status["reencryption"]["pending"] == 0

    # rotate on a tenant without keys creates version 1; again makes version 2 active at once
    for expected in (1, 2):
        result = keys(cli, data_dir, "rotate", "--class", "confidential", "--tenant", "default")
        assert result.returncode == 0, result.stdout + result.stderr
        assert f"default/confidential to version {expected}" in result.stdout, result.stdout
    # rotate without --tenant rotates every tenant that has keys of the class
    result = keys(cli, data_dir, "rotate", "--class", "confidential")
    assert result.returncode == 0 and "to version 3" in result.stdout, result.stdout + result.stderr

    status = keys_status(cli, data_dir)
    conf = [k for k in status["keys"] if k["classification"] == "confidential"]
    assert [k["version"] for k in conf] == [1, 2, 3], status
    assert [k["active"] for k in conf] == [False, False, True], status
    assert all(k["created_at"].endswith("Z") for k in conf)

    text = keys(cli, data_dir, "status")
    assert text.returncode == 0 and "re-encryption:" in text.stdout and "active" in text.stdout, text.stdout

    result = keys(cli, data_dir, "retire", "--class", "confidential", "--below", "3")
    assert result.returncode == 0, result.stdout + result.stderr
    status = keys_status(cli, data_dir)
    conf = [k for k in status["keys"] if k["classification"] == "confidential"]
    assert [k["decryptable"] for k in conf] == [False, False, True], status
    assert all(k["min_decrypt_version"] == 3 for k in conf), status
    bad = keys(cli, data_dir, "retire", "--class", "public", "--below", "1")
    assert bad.returncode != 0

    wrapped = query(data_dir / "gateway.db", "SELECT wrapped FROM crypto_data_keys WHERE tenant_id = 'default'")
    assert wrapped
    result = keys(cli, data_dir, "shred", "--tenant", "default")
    assert result.returncode == 0, result.stdout + result.stderr
    assert keys_status(cli, data_dir)["keys"] == []
    for path in raw_files(data_dir):  # the wrapped keys are scrubbed from the database and WAL
        content = path.read_bytes()
        assert not any(bytes(w) in content for (w,) in wrapped), path.name

    # the gateway still starts on the shredded data dir
    again = gateway({"store": {"data_dir": str(data_dir)}})
    assert again.get("/readyz").status == 200


def test_wrong_master_key_refuses_to_start(gateway, cli):
    key = secrets.token_hex(32)
    gw = gateway(env={"OPENCLAW_MASTER_KEY": key})
    data_dir = gw.data_dir
    assert gw.stop() == 0
    created = keys(cli, data_dir, "rotate", "--class", "restricted", "--tenant", "default",
                   env={"OPENCLAW_MASTER_KEY": key})
    assert created.returncode == 0, created.stdout + created.stderr
    serve = cli("serve", "--data-dir", str(data_dir), "--port", "0",
                env={"OPENCLAW_MASTER_KEY": secrets.token_hex(32)})
    assert serve.returncode == 1, serve.stdout + serve.stderr
    assert "cannot open the keyring" in serve.stdout + serve.stderr
    wrong_cli = keys(cli, data_dir, "status", env={"OPENCLAW_MASTER_KEY": secrets.token_hex(32)})
    assert wrong_cli.returncode == 1
