"""A real S3-compatible server on loopback for tests: moto's server mode (ADR 0085).

It runs as a subprocess (``python -m moto.server``) in a process group of its own, as a
deployment's object store would run apart from the orchestrator: the code under test talks
to it over HTTP with SigV4-signed requests, through the same client it uses in production.
The server keeps its objects in memory, so each fixture that starts one starts empty.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from tests.support.stack import LOG_DIR, free_port

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

# moto accepts any key pair; these only have to look like one so clients sign requests.
ACCESS_KEY_ID = "AKIAORCHESTRATORTEST"
SECRET_ACCESS_KEY = "orchestrator-test-secret-access-key"
REGION = "us-east-1"


@dataclass(frozen=True)
class S3Server:
    """One running server: its endpoint, the credentials to sign with, and its log."""

    endpoint_url: str
    access_key_id: str
    secret_access_key: str
    region: str
    log_path: Path

    def environ(self, **extra: str) -> dict[str, str]:
        """The standard AWS variables and the endpoint, as a deployment would set them."""
        return {
            "AWS_ACCESS_KEY_ID": self.access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.secret_access_key,
            "AWS_DEFAULT_REGION": self.region,
            "ORCH_BACKUP_ENDPOINT_URL": self.endpoint_url,
            **extra,
        }

    def client(self) -> S3Client:
        """A boto3 client of this server."""
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=self.access_key_id,
            aws_secret_access_key=self.secret_access_key,
            region_name=self.region,
        )

    def new_bucket(self, prefix: str = "orch-test") -> str:
        """A fresh empty bucket; its name."""
        name = f"{prefix}-{uuid.uuid4().hex[:10]}"
        self.client().create_bucket(Bucket=name)
        return name

    def log(self) -> str:
        """What the server wrote so far (one line a request)."""
        return self.log_path.read_text(errors="replace")


def _wait_ready(process: subprocess.Popen[bytes], url: str, log_path: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the S3 server exited:\n{log_path.read_text(errors='replace')}")
        with contextlib.suppress(httpx.HTTPError):
            # moto's own health route: answers once the WSGI app is serving.
            if httpx.get(f"{url}/moto-api/", timeout=1).status_code == 200:
                return
        time.sleep(0.1)
    raise TimeoutError(f"the S3 server did not answer:\n{log_path.read_text(errors='replace')}")


@contextlib.contextmanager
def running_s3() -> Iterator[S3Server]:
    """An S3-compatible server on a free loopback port until the block ends."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log_path = LOG_DIR / f"s3-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_ready(process, url, log_path)
        yield S3Server(url, ACCESS_KEY_ID, SECRET_ACCESS_KEY, REGION, log_path)
    finally:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
