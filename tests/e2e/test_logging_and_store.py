"""Structured JSON logs on stdout and the SQLite store under the data dir."""

import json
import os
import sqlite3
from pathlib import Path


def test_every_stdout_line_is_a_json_object_with_time_level_logger_msg(gateway):
    gw = gateway()
    gw.get("/health")
    gw.get("/nope")
    assert gw.stop() == 0
    lines = [line for line in gw.stdout().splitlines()]
    assert lines, "no log output"
    for line in lines:
        obj = json.loads(line)  # raises on a non-JSON line
        assert isinstance(obj, dict), line
        for key in ("time", "level", "logger", "msg"):
            assert isinstance(obj.get(key), str) and obj[key], f"{key} missing in {line}"


def test_listening_line_names_url_port_and_absolute_data_dir(gateway):
    gw = gateway()
    line = gw.listening
    assert line["url"] == f"http://127.0.0.1:{gw.port}", line
    assert line["port"] == str(gw.port), line
    assert os.path.isabs(line["data_dir"]), line
    assert Path(line["data_dir"]).resolve() == gw.data_dir.resolve(), line


def test_cli_flags_override_config_port_and_data_dir(gateway, tmp_path):
    other = tmp_path / "flag-data"
    gw = gateway({"server": {"port": 1}}, args=("--port", "0", "--data-dir", str(other)))
    assert gw.port != 1
    assert Path(gw.listening["data_dir"]).resolve() == other.resolve()
    assert (other / "gateway.db").is_file()


def test_env_overrides_config_file_for_data_dir_and_log_level(gateway, tmp_path):
    from_env = tmp_path / "env-data"
    # The file says "error", which would hide the info-level listening line; the env var wins.
    gw = gateway({"log": {"level": "error"}, "store": {"data_dir": str(tmp_path / "file-data")}},
                 env={"OPENCLAW_DATA_DIR": str(from_env), "OPENCLAW_LOG_LEVEL": "info"})
    assert Path(gw.listening["data_dir"]).resolve() == from_env.resolve()
    assert (from_env / "gateway.db").is_file()


def test_store_is_sqlite_in_wal_mode_under_the_data_dir(gateway):
    gw = gateway()
    db_path = gw.data_dir / "gateway.db"
    assert db_path.is_file(), sorted(p.name for p in gw.data_dir.iterdir())
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal"
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert gw.get("/readyz").json()["checks"]["store"] == "ok"


def test_data_survives_restart_and_migrations_stay_ok(gateway):
    first = gateway()
    data_dir = first.data_dir
    assert first.stop() == 0
    second = gateway({"store": {"data_dir": str(data_dir)}})
    body = second.get("/readyz").json()
    assert body["ready"] is True and body["checks"]["migrations"] == "ok", body


def test_restart_marks_runs_interrupted_by_a_killed_process_failed(gateway):
    first = gateway()
    data_dir = first.data_dir
    assert first.stop() == 0
    # What a process killed mid-run leaves behind: a session with a run still marked running.
    with sqlite3.connect(data_dir / "gateway.db", timeout=5) as db:
        db.execute(
            "INSERT INTO sessions (id, tenant_id, user_id, session_key, agent_id, transcript_id, created_at,"
            " last_activity) VALUES ('s1', 'default', 'default', 'agent:main:main', 'main', 't1', 1, 1)"
        )
        db.execute("INSERT INTO transcripts (id, tenant_id, session_id, created_at) VALUES ('t1', 'default', 's1', 1)")
        db.execute(
            "INSERT INTO runs (tenant_id, id, session_id, transcript_id, status, started_at)"
            " VALUES ('default', 'r1', 's1', 't1', 'running', 1)"
        )
    second = gateway({"store": {"data_dir": str(data_dir)}})
    assert second.get("/readyz").status == 200
    with sqlite3.connect(f"file:{data_dir / 'gateway.db'}?mode=ro", uri=True, timeout=5) as db:
        status, error = db.execute("SELECT status, error FROM runs WHERE id = 'r1'").fetchone()
    assert (status, error) == ("failed", "process restarted")
    assert any(
        json.loads(line).get("msg") == "recovered work interrupted by a previous process" for line in second.stdout().splitlines()
    ), second.stdout()[-2000:]
