"""What a service holds in memory once its app is built (ADR 0092): none of the libraries
only some requests or deployments use, which load when first used, and in the console no
database driver at all; its libraries' code without docstrings (ADR 0109). Each service is
built in a fresh interpreter, as it starts."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys

import pytest

NEVER = (
    "aiohttp",  # Vault reads
    "aiosmtplib",  # e-mail
    "jsonschema_rs",  # the first schema compiled
    "rich",  # httpx's command-line client
    "pydantic",  # the client generator's; Litestar's plugins load it when installed
    "boto3",  # backups (CLI)
    "schemathesis",  # tests
    "opentelemetry.sdk.trace",  # tracing, when configured
)
SERVED = ("psutil",)
"""pgserver's, which OpenTelemetry's SDK reads when installed: never imported by what
``core/http/serve.py`` serves."""
ALSO_NEVER = {
    "worker": ("litestar", "granian", "joserfc", "httpx", "jinja2"),
    "control_api": ("httpx", *SERVED),  # single sign-on, when configured
    "console": ("sqlalchemy", "psycopg", *SERVED),
    "exec_api": ("jinja2", *SERVED),
    "webhook_ingress": ("jinja2", *SERVED),
}
SCRIPT = """
import json, sys
if "{service}" == "worker":
    import orchestrator.worker.__main__
else:
    from orchestrator.core.http.serve import load_factory
    load_factory("orchestrator.{service}.app:create_app")()
print(json.dumps(sorted(name for name, module in sys.modules.items() if module)))
"""


def service_env() -> dict[str, str]:
    """What a service needs to build its app (nothing is connected to)."""
    return {
        **os.environ,
        "ORCH_ENVIRONMENT": "dev",
        "ORCH_KEK": base64.b64encode(bytes(32)).decode(),
        "DATABASE_URL": os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1/x"),
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
    }


@pytest.mark.parametrize("service", sorted(ALSO_NEVER))
def test_a_built_service_holds_no_library_it_does_not_use_yet(service: str) -> None:
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(service=service)],
        env=service_env(),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    modules = set(json.loads(out.splitlines()[-1]))
    unwanted = (*NEVER, *ALSO_NEVER[service])
    assert sorted(name for name in unwanted if name in modules) == []
