"""The clients of clients/ (docs/clients.md): generated code that matches the OpenAPI
snapshots, and each language's example backend submitting a job, polling it, and receiving
and verifying its signed callback from a live stack."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from clients import generate
from orchestrator.core.tenancy.service import BootstrapResult
from orchestrator_client import access_token, control_client
from orchestrator_client.control_api.api.signing_secrets import (
    api_v1_signing_secrets_list_signing_secrets as list_signing_secrets,
)
from orchestrator_client.control_api.models import SigningSecretList
from tests.support.execution import caller
from tests.support.stack import Stack
from tests.support.upstream import UpstreamServer

TYPESCRIPT = generate.TYPESCRIPT
PYTHON_EXAMPLE = Path(__file__).parents[2] / "clients" / "python" / "examples" / "backend.py"


def test_the_committed_clients_are_what_the_schemas_generate() -> None:
    assert generate.main(["--check"]) == 0, "run `make clients` and commit the result"


def test_a_schema_changed_without_regenerating_fails_the_drift_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for schema in generate.SCHEMAS.glob("*.json"):
        shutil.copyfile(schema, tmp_path / schema.name)
    changed = json.loads((tmp_path / "exec_api.json").read_text())
    changed["components"]["schemas"]["JobCreate"]["properties"]["priority"] = {"type": "integer"}
    (tmp_path / "exec_api.json").write_text(json.dumps(changed))

    assert generate.main(["--check", "--schemas", str(tmp_path), "--target", "typescript"]) == 1
    message = capsys.readouterr().err
    assert "clients/typescript/src/generated differs" in message
    assert "exec-api.ts" in message
    assert "run `make clients`" in message


def node(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(generate.node_home() / "bin" / "node"), *args],
        cwd=TYPESCRIPT,
        env=generate.node_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def built_typescript() -> Path:
    """clients/typescript installed (from its lock, once) and compiled into dist/."""
    generate.npm_install()
    built = node("node_modules/typescript/bin/tsc", "-p", ".")
    assert built.returncode == 0, built.stdout + built.stderr
    return TYPESCRIPT / "dist"


def test_the_typescript_client_builds_and_its_verifier_passes_its_tests(
    built_typescript: Path,
) -> None:
    tested = node("--test", "dist/test/*.test.js")
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "pass 5" in tested.stdout, tested.stdout


@pytest.fixture
async def backend_env(
    http: httpx.AsyncClient, stack: Stack, tenant: BootstrapResult, upstream: UpstreamServer
) -> dict[str, str]:
    """What an example backend is configured with: the tenant's exec identity, a connector
    to the loopback upstream, and the workspace's signing secret, read by the generated
    control-api client as an admin would."""
    connector = await (await caller(http, stack, tenant)).connector(upstream)
    control = stack.url("control-api")

    def signing_secret() -> str:
        token = access_token(control, tenant.control_client_id, tenant.control_client_secret)
        with control_client(control, token) as client:
            listed = list_signing_secrets.sync(client=client)
        assert isinstance(listed, SigningSecretList), listed
        return listed.items[0].key

    return {
        "ORCH_CONTROL_URL": control,
        "ORCH_EXEC_URL": stack.url("exec-api"),
        "ORCH_CLIENT_ID": tenant.exec_client_id,
        "ORCH_CLIENT_SECRET": tenant.exec_client_secret,
        "ORCH_SIGNING_SECRET": await asyncio.to_thread(signing_secret),
        "ORCH_CONNECTOR": connector,
        "ORCH_OPERATION": "charge",
        "ORCH_PAYLOAD": json.dumps({"id": "o-42", "amount": 7}),
    }


async def run_backend(command: list[str], env: dict[str, str], cwd: Path) -> dict[str, Any]:
    """The example's one line of output, once it exited 0."""
    done = await asyncio.to_thread(
        subprocess.run,
        command,
        cwd=cwd,
        env={**generate.node_env(), **env},
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def assert_ran_and_called_back(result: dict[str, Any], upstream: UpstreamServer) -> None:
    job, callback = result["job"], result["callback"]
    assert job["status"] == "succeeded", job
    assert callback["type"] == "job.succeeded"
    assert callback["data"]["id"] == job["id"]
    assert (callback["data"]["connector"], callback["data"]["operation"]) == (
        job["connector"],
        "charge",
    )
    assert len(upstream.requests("/charges/o-42")) == 1


@pytest.mark.integration
async def test_the_python_example_backend_submits_polls_and_verifies_its_callback(
    backend_env: dict[str, str], upstream: UpstreamServer
) -> None:
    result = await run_backend(
        [sys.executable, str(PYTHON_EXAMPLE)], backend_env, PYTHON_EXAMPLE.parent
    )
    assert_ran_and_called_back(result, upstream)


@pytest.mark.integration
async def test_the_typescript_example_backend_submits_polls_and_verifies_its_callback(
    built_typescript: Path, backend_env: dict[str, str], upstream: UpstreamServer
) -> None:
    node_bin = str(generate.node_home() / "bin" / "node")
    result = await run_backend([node_bin, "dist/examples/backend.js"], backend_env, TYPESCRIPT)
    assert_ran_and_called_back(result, upstream)
