"""Config errors exit 78 with `config error: <file>:<line>:<col>: <yaml.path>: <what>`; secrets are redacted."""

import re

import pytest

from gw_e2e import EXIT_CONFIG, Gateway

UNKNOWN_KEY_YAML = """\
server:
  host: 127.0.0.1
  port: 0
  max_conections: 10
"""


def config_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.startswith("config error: ")]
    assert lines, f"no 'config error: ' line on stderr:\n{stderr}"
    return lines[0]


def test_unknown_key_is_rejected_with_file_line_and_yaml_path(cli):
    result = cli("config", "check", config_text=UNKNOWN_KEY_YAML)
    assert result.returncode == EXIT_CONFIG, result.stdout + result.stderr
    cfg = str(result.workdir / "gateway.yaml")
    line = config_error_line(result.stderr)
    assert re.match(rf"config error: {re.escape(cfg)}:4:\d+: server\.max_conections: \S", line), line


@pytest.mark.parametrize(
    "yaml_text, line_no, path",
    [
        ('server:\n  port: "abc"\n', 2, "server.port"),
        ("server:\n  port: 70000\n", 2, "server.port"),
        ('server:\n  host: 127.0.0.1\n  header_read_timeout: "5 parsecs"\n', 3, "server.header_read_timeout"),
        ('log:\n  level: "loudest"\n', 2, "log.level"),
    ],
    ids=["port-not-a-number", "port-out-of-range", "bad-duration", "bad-log-level"],
)
def test_bad_value_is_rejected_with_its_yaml_path(cli, yaml_text, line_no, path):
    result = cli("config", "check", config_text=yaml_text)
    assert result.returncode == EXIT_CONFIG, result.stdout + result.stderr
    line = config_error_line(result.stderr)
    assert re.match(rf"config error: .*gateway\.yaml:{line_no}:\d+: {re.escape(path)}: \S", line), line


def test_bad_port_in_env_is_a_config_error_naming_the_variable(cli):
    result = cli("config", "check", env={"OPENCLAW_GATEWAY_PORT": "abc"})
    assert result.returncode == EXIT_CONFIG, result.stdout + result.stderr
    line = config_error_line(result.stderr)
    assert line.startswith("config error: env OPENCLAW_GATEWAY_PORT: "), line


def test_serve_with_a_bad_config_exits_78_with_the_same_message(cli, gateway_bin, tmp_path):
    check = cli("config", "check", config_text=UNKNOWN_KEY_YAML)
    gw = Gateway(binary=gateway_bin, workdir=check.workdir, config_text=UNKNOWN_KEY_YAML)
    try:
        with pytest.raises(AssertionError, match="exited early"):
            gw.start()
        assert gw.proc.returncode == EXIT_CONFIG, gw.stderr()
        assert config_error_line(gw.stderr()) == config_error_line(check.stderr)
        assert "listening" not in gw.stdout()
    finally:
        gw.stop(timeout=10)  # only does something if it wrongly started serving


@pytest.mark.parametrize("host", ["0.0.0.0", "::"])
def test_non_loopback_host_without_auth_is_refused(cli, host):
    result = cli("config", "check", config={"server": {"host": host}})
    assert result.returncode == EXIT_CONFIG, result.stdout + result.stderr
    line = config_error_line(result.stderr)
    assert "server.host" in line or "auth" in line, line


def test_non_loopback_host_is_allowed_with_gateway_token_env(cli):
    result = cli(
        "config", "check", config={"server": {"host": "0.0.0.0"}}, env={"OPENCLAW_GATEWAY_TOKEN": "e2e-token-aaaa1111"}
    )
    assert result.returncode == 0, result.stderr


def test_non_loopback_host_is_allowed_with_configured_password(cli):
    result = cli("config", "check", config={"server": {"host": "0.0.0.0"}, "auth": {"password": "e2e-pw-bbbb2222"}})
    assert result.returncode == 0, result.stderr
    assert "e2e-pw-bbbb2222" not in result.stdout + result.stderr


def test_config_check_redacts_token_from_env(cli):
    secret = "e2e-env-secret-Zq81xk"
    result = cli("config", "check", env={"OPENCLAW_GATEWAY_TOKEN": secret})
    assert result.returncode == 0, result.stderr
    assert secret not in result.stdout + result.stderr
    assert re.search(r"<redacted> \(env:OPENCLAW_GATEWAY_TOKEN\)", result.stdout), result.stdout


def test_config_check_redacts_password_from_file(cli, tmp_path):
    secret = "e2e-file-secret-Pw93mm"
    secret_file = tmp_path / "password.txt"
    secret_file.write_text(secret + "\n")
    result = cli("config", "check", config={"auth": {"password": {"file": str(secret_file)}}})
    assert result.returncode == 0, result.stderr
    assert secret not in result.stdout + result.stderr
    assert re.search(rf"<redacted> \(file:{re.escape(str(secret_file))}\)", result.stdout), result.stdout


def test_config_check_redacts_token_from_named_env_var(cli):
    secret = "e2e-named-env-secret-Hh7"
    result = cli("config", "check", config={"auth": {"token": {"env": "E2E_CUSTOM_TOKEN"}}},
                 env={"E2E_CUSTOM_TOKEN": secret})
    assert result.returncode == 0, result.stderr
    assert secret not in result.stdout + result.stderr
    assert re.search(r"<redacted> \(env:E2E_CUSTOM_TOKEN\)", result.stdout), result.stdout


def test_missing_secret_file_is_a_config_error(cli, tmp_path):
    result = cli("config", "check", config={"auth": {"password": {"file": str(tmp_path / "nope.txt")}}})
    assert result.returncode == EXIT_CONFIG, result.stdout + result.stderr
    assert "auth.password" in config_error_line(result.stderr)


def test_serve_never_logs_secrets(gateway, tmp_path):
    env_secret = "e2e-serve-env-secret-Qa55"
    file_secret = "e2e-serve-file-secret-Rb66"
    secret_file = tmp_path / "pw.txt"
    secret_file.write_text(file_secret)
    gw = gateway({"auth": {"password": {"file": str(secret_file)}}, "log": {"level": "debug"}},
                 env={"OPENCLAW_GATEWAY_TOKEN": env_secret})
    assert gw.get("/health").status == 200
    assert gw.get("/nope").status == 404
    assert gw.stop() == 0
    output = gw.stdout() + gw.stderr()
    assert env_secret not in output and file_secret not in output
