"""One-shot subcommands: version, migrate, config check."""

import json
import re
import sqlite3


def test_version_prints_name_and_semver(cli):
    result = cli("version")
    assert result.returncode == 0, result.stderr
    assert re.match(r"openclaw-gateway \d+\.\d+\.\d+", result.stdout), result.stdout


def test_migrate_status_exits_zero_on_a_fresh_data_dir(cli, tmp_path):
    result = cli("migrate", "--status", env={"OPENCLAW_DATA_DIR": str(tmp_path / "fresh")})
    assert result.returncode == 0, result.stdout + result.stderr


def test_migrate_applies_and_status_then_exits_zero(cli, tmp_path):
    data_dir = tmp_path / "data"
    env = {"OPENCLAW_DATA_DIR": str(data_dir)}
    applied = cli("migrate", env=env)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert (data_dir / "gateway.db").is_file(), list(data_dir.iterdir()) if data_dir.exists() else "no data dir"
    status = cli("migrate", "--status", env=env)
    assert status.returncode == 0, status.stdout + status.stderr
    with sqlite3.connect(data_dir / "gateway.db") as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables, "migrate created no tables"


def test_config_check_prints_effective_yaml_and_exits_zero(cli):
    result = cli("config", "check", config={"server": {"max_connections": 1234, "header_read_timeout": "250ms"}})
    assert result.returncode == 0, result.stderr
    assert re.search(r"max_connections:\s*1234\b", result.stdout), result.stdout
    # Defaults are part of the effective config too.
    assert re.search(r"max_body_bytes:", result.stdout), result.stdout
    assert re.search(r"\bport:", result.stdout), result.stdout


def test_config_path_can_come_from_env(cli, tmp_path):
    cfg = tmp_path / "from-env.yaml"
    cfg.write_text("server:\n  max_connections: 4321\n")
    result = cli("config", "check", env={"OPENCLAW_GATEWAY_CONFIG": str(cfg)})
    assert result.returncode == 0, result.stderr
    assert re.search(r"max_connections:\s*4321\b", result.stdout), result.stdout


def test_port_env_var_overrides_the_config_file(cli):
    result = cli("config", "check", config={"server": {"port": 3999}}, env={"OPENCLAW_GATEWAY_PORT": "4555"})
    assert result.returncode == 0, result.stderr
    assert re.search(r"\bport:\s*4555\b", result.stdout), result.stdout


def test_audit_verify_reports_an_intact_empty_chain(cli, tmp_path):
    env = {"OPENCLAW_DATA_DIR": str(tmp_path / "data")}
    assert cli("migrate", env=env).returncode == 0
    result = cli("audit", "verify", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("audit chain ok: 0 records"), result.stdout


def test_audit_verify_detects_a_truncated_chain_and_exits_one(cli, tmp_path):
    data_dir = tmp_path / "data"
    env = {"OPENCLAW_DATA_DIR": str(data_dir)}
    assert cli("migrate", env=env).returncode == 0
    # An attacker deleted the records but the head still remembers seq 3.
    with sqlite3.connect(data_dir / "gateway.db") as db:
        db.execute("UPDATE audit_head SET seq = 3")
    result = cli("audit", "verify", "--json", env=env)
    assert result.returncode == 1, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is False and report["problem"] == "truncated", report


def test_audit_verify_on_a_database_never_migrated_says_so(cli, tmp_path):
    result = cli("audit", "verify", env={"OPENCLAW_DATA_DIR": str(tmp_path / "never")})
    assert result.returncode == 1
    assert "migrate" in result.stderr, result.stderr
