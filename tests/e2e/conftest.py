"""Fixtures for the openclaw-gateway black-box suite (see README.md).

- gateway_bin: path of the binary (env GW_BINARY, default build/asan/src/app/openclaw-gateway). Missing
  binary: skip, or fail when GW_E2E_REQUIRE=1 (CI).
- gateway: factory `gateway(config=None, *, env=None, args=(), config_text=None, start=True,
  wait_ready=True, check_exit=True, ssl_context=None) -> Gateway`. Each call gets its own work dir
  under tmp_path (config file, data dir, stdout/stderr logs), port 0 on 127.0.0.1. Teardown sends
  SIGTERM, waits (kills after a bound) and, unless check_exit=False, asserts exit code 0 and no
  sanitizer report. Pass ssl_context when server.tls is enabled.
- cli: `cli(*args, env=None, config=None, config_text=None) -> CompletedProcess` for one-shot
  subcommands, run in a temp cwd.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from gw_e2e import DEFAULT_BINARY, REPO_ROOT, Gateway, deep_merge, missing, run_cli, to_yaml


@pytest.fixture(scope="session")
def gateway_bin() -> Path:
    path = Path(os.environ.get("GW_BINARY", str(DEFAULT_BINARY)))
    if not path.is_absolute():
        path = REPO_ROOT / path
    if not (path.is_file() and os.access(path, os.X_OK)):
        missing(f"gateway binary not found at {path} (build it or set GW_BINARY)")
    return path


@pytest.fixture
def gateway(gateway_bin, tmp_path):
    started: list[Gateway] = []

    def factory(config: dict | None = None, *, env: dict | None = None, args=(), config_text: str | None = None,
                start: bool = True, wait_ready: bool = True, check_exit: bool = True,
                ssl_context=None) -> Gateway:
        gw = Gateway(
            binary=gateway_bin,
            workdir=tmp_path / f"gw{len(started)}",
            config=config,
            config_text=config_text,
            env=env,
            args=tuple(args),
            check_exit=check_exit,
            ssl_context=ssl_context,
        )
        started.append(gw)
        if start:
            gw.start(wait_ready=wait_ready)
        return gw

    yield factory

    problems = []
    for gw in started:
        if gw.proc is None:
            continue
        try:
            rc = gw.stop()
        except AssertionError as e:
            problems.append(str(e))
            continue
        if gw.check_exit and rc != 0:
            problems.append(f"{gw.workdir.name}: exit code {rc} after SIGTERM\nstderr:\n{gw.stderr()[-4000:]}")
        if gw.check_exit and gw.sanitizer_reports():
            problems.append(f"{gw.workdir.name}: sanitizer report\n{gw.stderr()[-8000:]}")
    assert not problems, "\n\n".join(problems)


@pytest.fixture
def cli(gateway_bin, tmp_path):
    counter = [0]

    def run(*args: str, env: dict | None = None, config: dict | None = None, config_text: str | None = None,
            timeout: float = 30):
        counter[0] += 1
        workdir = tmp_path / f"cli{counter[0]}"
        workdir.mkdir()
        argv = list(args)
        if config is not None or config_text is not None:
            text = config_text
            if text is None:
                base = {"server": {"host": "127.0.0.1", "port": 0}, "store": {"data_dir": str(workdir / "data")}}
                text = to_yaml(deep_merge(base, config)) + "\n"
            cfg = workdir / "gateway.yaml"
            cfg.write_text(text)
            argv += ["--config", str(cfg)]
        result = run_cli(gateway_bin, argv, cwd=workdir, env=env, timeout=timeout)
        result.workdir = workdir
        return result

    return run


@pytest.fixture(scope="session")
def promtool() -> str:
    path = shutil.which("promtool") or ("/usr/bin/promtool" if os.path.exists("/usr/bin/promtool") else None)
    if not path:
        missing("promtool not installed (Debian package prometheus)")
    return path


@pytest.fixture
def fake_llm():
    """A started fake_llm.FakeLLM (api key gw_e2e.UPSTREAM_KEY), stopped at teardown."""
    from fake_llm import FakeLLM
    from gw_e2e import UPSTREAM_KEY

    with FakeLLM(api_key=UPSTREAM_KEY) as fake:
        yield fake


@pytest.fixture
def fake_llm_factory():
    """`fake_llm_factory(**kwargs) -> FakeLLM` for tests that need several upstreams (failover)."""
    from fake_llm import FakeLLM
    from gw_e2e import UPSTREAM_KEY

    fakes = []

    def make(**kwargs):
        kwargs.setdefault("api_key", UPSTREAM_KEY)
        fake = FakeLLM(**kwargs).start()
        fakes.append(fake)
        return fake

    yield make
    for fake in fakes:
        fake.stop()


@pytest.fixture
def llm_gateway(gateway, fake_llm):
    """`llm_gateway(api="openai-completions", **llm_config_kwargs) -> Gateway` wired to `fake_llm`."""
    from gw_e2e import llm_config

    def start(api: str = "openai-completions", **kwargs):
        return gateway(llm_config(fake_llm.base_url, api=api, **kwargs))

    return start


# ------------------------------------------------------------------ OpenClaw protocol on WS "/" (issue 4)


@pytest.fixture
def ws_gateway(gateway, fake_llm):
    """`ws_gateway(extra=None, **llm_config_kwargs) -> WsTarget(port, token, gw, fake)`: our gateway with
    the shared token gw_e2e.GATEWAY_TOKEN and the default agent on `fake_llm`. With env
    WS_E2E_PEER=<port> and no `extra`, the tests run against an already running real OpenClaw gateway
    on that port (token `peer-token`; gw and fake are None) to check the tests themselves."""
    from gw_e2e import GATEWAY_TOKEN, llm_config
    from ws_client import WsTarget

    def start(extra: dict | None = None, **kwargs):
        peer = os.environ.get("WS_E2E_PEER")
        if peer and extra is None and not kwargs:
            return WsTarget(port=int(peer), token="peer-token", gw=None, fake=None)
        gw = gateway(llm_config(fake_llm.base_url, extra=extra, **kwargs))
        return WsTarget(port=gw.port, token=GATEWAY_TOKEN, gw=gw, fake=fake_llm)

    return start
