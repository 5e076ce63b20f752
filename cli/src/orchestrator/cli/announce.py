"""Once every service of ``orchestrator run`` answers ``/ready``: the URLs, the demo's
credentials and how to sign in, printed for the developer.

The launcher runs this beside its supervision for as long as the stack runs, so it reads
the credentials ``prepare`` wrote (``.data/demo.env``) and asks with the standard library:
no HTTP client or database module held for that (ADR 0092)."""

from __future__ import annotations

import shlex
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

READY_TIMEOUT_S = 60.0
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))
"""Loopback only: a proxy named in the environment is never asked."""


def shell_values(path: Path) -> dict[str, str]:
    """The ``export NAME=value`` lines of a file written for ``source``."""
    values: dict[str, str] = {}
    for line in path.read_text().splitlines():
        words = shlex.split(line)
        if len(words) == 2 and words[0] == "export" and "=" in words[1]:
            name, value = words[1].split("=", 1)
            values[name] = value
    return values


def ready(url: str) -> bool:
    """Whether ``url``/ready answers 200 within a second."""
    try:
        with _DIRECT.open(f"{url}/ready", timeout=1) as response:
            return bool(response.status == 200)
    except (OSError, urllib.error.URLError):
        return False


def wait_ready(urls: dict[str, str], timeout_s: float = READY_TIMEOUT_S) -> set[str]:
    """Ask each service until it is ready, or the time is up; those still not ready."""
    deadline = time.monotonic() + timeout_s
    pending = set(urls)
    while pending and time.monotonic() < deadline:
        pending -= {name for name in sorted(pending) if ready(urls[name])}
        time.sleep(0.3)
    return pending


def announce_when_ready(
    urls: dict[str, str], without_openapi: frozenset[str], credentials: Path, workspace: str
) -> None:
    """Print the URLs and where the demo's credentials are once every service answers
    /ready."""
    pending = wait_ready(urls)
    creds = shell_values(credentials)
    lines = [
        "",
        "Orchestrator is up." if not pending else f"Still not ready: {', '.join(sorted(pending))}",
        *(
            f"  {name:<16} {url}"
            + ("" if name in without_openapi else f"   (OpenAPI: {url}/schema)")
            for name, url in urls.items()
        ),
        "",
        f"Demo workspace {workspace} (tenant {creds['TENANT_ID']}): its identities,",
        f"the services' URLs and its webhook source are in {credentials}.",
        "In a second shell: `source .data/demo.env`, then the README's five-minute walkthrough.",
        "",
        f"Operator (control plane): client_id={creds['OPERATOR_CLIENT_ID']} "
        f"client_secret={creds['OPERATOR_CLIENT_SECRET']}",
        f"Console: open {urls['console']} and sign in with that operator's client id and secret.",
        "Press Ctrl-C to stop.",
        "",
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()
