"""The stock `openclaw` CLI (npm openclaw@2026.9.6 on node@24, installed by bench/openclaw_peer.sh into
$OPENCLAW_PEER_CACHE or ~/.cache/openclaw-peer, outside the repository) for interoperability tests.

    cli = StockCli.ensure()                 # installs when missing (bounded), else skips/fails via missing()
    out = cli.run(["gateway", "call", "health", "--url", url, "--token", tok, "--json"], home=tmp_path)
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from gw_e2e import REPO_ROOT, missing

INSTALL_TIMEOUT = float(os.environ.get("GW_E2E_OPENCLAW_INSTALL_TIMEOUT", "1200"))
CLI_TIMEOUT = float(os.environ.get("GW_E2E_OPENCLAW_CLI_TIMEOUT", "180"))
PEER_SCRIPT = REPO_ROOT / "bench" / "openclaw_peer.sh"


def _cache() -> Path:
    return Path(os.environ.get("OPENCLAW_PEER_CACHE", str(Path.home() / ".cache" / "openclaw-peer")))


class StockCli:
    def __init__(self, node: Path, entry: Path):
        self.node, self.entry = node, entry

    @classmethod
    def locate(cls) -> "StockCli | None":
        cache = _cache()
        node_v = os.environ.get("OPENCLAW_PEER_NODE", "24.21.0")
        claw_v = os.environ.get("OPENCLAW_PEER_VERSION", "2026.9.6")
        node = cache / f"node-{node_v}" / "node_modules" / ".bin" / "node"
        claw = cache / f"openclaw-{claw_v}" / "node_modules" / ".bin" / "openclaw"
        if node.exists() and claw.exists():
            return cls(node.resolve(), claw.resolve())
        return None

    @classmethod
    def ensure(cls) -> "StockCli":
        found = cls.locate()
        if found:
            return found
        if os.environ.get("GW_E2E_NO_NPM") == "1":
            missing("stock openclaw CLI not installed (bench/openclaw_peer.sh install) and GW_E2E_NO_NPM=1")
        try:
            result = subprocess.run(["bash", str(PEER_SCRIPT), "install"], capture_output=True, text=True,
                                    timeout=INSTALL_TIMEOUT, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            missing(f"bench/openclaw_peer.sh install took longer than {INSTALL_TIMEOUT:.0f}s")
        if result.returncode != 0:
            missing(f"bench/openclaw_peer.sh install failed:\n{result.stderr[-2000:]}")
        found = cls.locate()
        if not found:
            missing("openclaw CLI missing after bench/openclaw_peer.sh install")
        return found

    def env(self, home: Path, extra: dict | None = None) -> dict:
        """Isolated HOME/state dir, no proxies, node@24 first on PATH."""
        for sub in ("home", "state", "tmp"):
            (home / sub).mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("OPENCLAW_") and k.lower() not in ("http_proxy", "https_proxy", "all_proxy")}
        env.update({
            "HOME": str(home / "home"), "OPENCLAW_HOME": str(home / "home"),
            "OPENCLAW_STATE_DIR": str(home / "state"),
            "OPENCLAW_CONFIG_PATH": str(home / "state" / "openclaw.json"),
            "TMPDIR": str(home / "tmp"),
            "OPENCLAW_DISABLE_BONJOUR": "1", "OPENCLAW_NO_AUTO_UPDATE": "1",
            "NO_PROXY": "*", "no_proxy": "*",
            "PATH": f"{self.node.parent}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        })
        env.update(extra or {})
        return env

    def run(self, args: list[str], home: Path, env: dict | None = None,
            timeout: float = CLI_TIMEOUT) -> subprocess.CompletedProcess:
        return subprocess.run([str(self.node), str(self.entry), *args], cwd=home, env=self.env(home, env),
                              capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
