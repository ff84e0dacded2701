"""`openclaw-gateway devices ...` against a data dir (no running gateway): list, approve, reject,
remove, revoke, and the exit codes for unknown ids (65) and a missing store (66)."""

import json
import sqlite3
import time
import uuid

DEVICE_ID = "ab" * 32

EXIT_UNKNOWN_ID = 65
EXIT_NO_STORE = 66


def _migrated(cli, tmp_path):
    env = {"OPENCLAW_DATA_DIR": str(tmp_path / "data")}
    result = cli("migrate", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return env, tmp_path / "data" / "gateway.db"


def _seed_request(db_path, device_id=DEVICE_ID, tenant="default"):
    request_id = str(uuid.uuid4())
    with sqlite3.connect(db_path) as db:
        db.execute(
            "INSERT INTO device_pairing_requests (tenant_id, id, device_id, public_key, role, scopes, client_id,"
            " client_mode, platform, remote_ip, reason, status, created_at)"
            " VALUES (?, ?, ?, 'cGs', 'operator', '[\"operator.read\",\"operator.write\"]', 'cli', 'cli', 'linux',"
            " '192.0.2.5', 'not-paired', 'pending', ?)",
            (tenant, request_id, device_id, int(time.time() * 1000)),
        )
    return request_id


def test_list_on_an_empty_store_shows_nothing(cli, tmp_path):
    env, _ = _migrated(cli, tmp_path)
    result = cli("devices", "list", "--json", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout) == {"pending": [], "paired": []}
    text = cli("devices", "list", env=env)
    assert text.returncode == 0, text.stderr
    assert "Pending requests (0)" in text.stdout and "Paired devices (0)" in text.stdout, text.stdout


def test_approve_unknown_request_fails_with_a_clear_message(cli, tmp_path):
    env, _ = _migrated(cli, tmp_path)
    result = cli("devices", "approve", "no-such-request", env=env)
    assert result.returncode == EXIT_UNKNOWN_ID, result.stdout + result.stderr
    assert "unknown request no-such-request" in result.stderr, result.stderr


def test_missing_store_is_reported(cli, tmp_path):
    result = cli("devices", "list", env={"OPENCLAW_DATA_DIR": str(tmp_path / "nowhere")})
    assert result.returncode == EXIT_NO_STORE, result.stdout + result.stderr
    assert "no gateway store" in result.stderr, result.stderr
    assert not (tmp_path / "nowhere" / "gateway.db").exists()


def test_approve_pairs_the_device_and_clears_the_request(cli, tmp_path):
    env, db_path = _migrated(cli, tmp_path)
    request_id = _seed_request(db_path)
    listed = json.loads(cli("devices", "list", "--json", env=env).stdout)
    assert [r["requestId"] for r in listed["pending"]] == [request_id]
    assert listed["pending"][0]["deviceId"] == DEVICE_ID
    assert listed["pending"][0]["remoteIp"] == "192.0.2.5"

    approved = cli("devices", "approve", request_id, env=env)
    assert approved.returncode == 0, approved.stdout + approved.stderr
    assert DEVICE_ID in approved.stdout

    listed = json.loads(cli("devices", "list", "--json", env=env).stdout)
    assert listed["pending"] == []
    assert len(listed["paired"]) == 1
    device = listed["paired"][0]
    assert device["deviceId"] == DEVICE_ID
    assert device["role"] == "operator"
    assert device["scopes"] == ["operator.read", "operator.write"]

    again = cli("devices", "approve", request_id, env=env)
    assert again.returncode == EXIT_UNKNOWN_ID, again.stdout + again.stderr
    assert "no longer pending" in again.stderr, again.stderr


def test_reject_leaves_the_device_unpaired(cli, tmp_path):
    env, db_path = _migrated(cli, tmp_path)
    request_id = _seed_request(db_path)
    rejected = cli("devices", "reject", request_id, env=env)
    assert rejected.returncode == 0, rejected.stdout + rejected.stderr
    listed = json.loads(cli("devices", "list", "--json", env=env).stdout)
    assert listed == {"pending": [], "paired": []}
    with sqlite3.connect(db_path) as db:
        (status,) = db.execute("SELECT status FROM device_pairing_requests WHERE id = ?", (request_id,)).fetchone()
    assert status == "rejected"


def test_revoke_and_remove(cli, tmp_path):
    env, db_path = _migrated(cli, tmp_path)
    assert cli("devices", "approve", _seed_request(db_path), env=env).returncode == 0
    with sqlite3.connect(db_path) as db:
        db.execute(
            "INSERT INTO device_tokens (tenant_id, id, device_id, role, scopes, token_sha256, issued_at)"
            " VALUES ('default', 't1', ?, 'operator', '[]', ?, 1)",
            (DEVICE_ID, "0" * 64),
        )
    revoked = cli("devices", "revoke", DEVICE_ID, "--role", "operator", env=env)
    assert revoked.returncode == 0, revoked.stdout + revoked.stderr
    assert "revoked 1 token" in revoked.stdout, revoked.stdout

    unknown = cli("devices", "revoke", "cd" * 32, env=env)
    assert unknown.returncode == EXIT_UNKNOWN_ID, unknown.stdout + unknown.stderr

    removed = cli("devices", "remove", DEVICE_ID, env=env)
    assert removed.returncode == 0, removed.stdout + removed.stderr
    assert json.loads(cli("devices", "list", "--json", env=env).stdout)["paired"] == []
    missing = cli("devices", "remove", DEVICE_ID, env=env)
    assert missing.returncode == EXIT_UNKNOWN_ID, missing.stdout + missing.stderr
    assert f"unknown device {DEVICE_ID}" in missing.stderr, missing.stderr


def test_tenant_option_scopes_the_listing(cli, tmp_path):
    env, db_path = _migrated(cli, tmp_path)
    _seed_request(db_path, tenant="acme")
    assert json.loads(cli("devices", "list", "--json", env=env).stdout)["pending"] == []
    acme = json.loads(cli("devices", "--tenant", "acme", "list", "--json", env=env).stdout)
    assert len(acme["pending"]) == 1
