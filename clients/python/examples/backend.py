"""An example product backend: it submits a job to the exec-api with a ``callback_url`` on its
own little HTTP server, polls the job, receives the signed callback, verifies it, and prints
one JSON line: ``{"job": {...as polled}, "callback": {...as received}}``.

Configuration by environment: ``ORCH_CONTROL_URL`` and ``ORCH_EXEC_URL``; the service
identity's ``ORCH_CLIENT_ID`` and ``ORCH_CLIENT_SECRET``; the workspace's
``ORCH_SIGNING_SECRET`` (``whsec_…``); the job's ``ORCH_CONNECTOR``, ``ORCH_OPERATION`` and
``ORCH_PAYLOAD`` (JSON); ``ORCH_CALLBACK_HOST`` (127.0.0.1) where the exec plane reaches this
process. Run: ``uv run python clients/python/examples/backend.py``.
"""

from __future__ import annotations

import json
import os
import queue
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from orchestrator_client import access_token, exec_client, verified_json
from orchestrator_client.exec_api.api.jobs import api_v1_jobs_job_id_get_job as get_job
from orchestrator_client.exec_api.api.jobs import api_v1_jobs_submit as submit
from orchestrator_client.exec_api.models import (
    JobAccepted,
    JobCreate,
    JobCreatePayload,
    JobOut,
    JobOutStatus,
)
from orchestrator_client.webhooks import InvalidSignature

FINAL = {JobOutStatus.SUCCEEDED, JobOutStatus.FAILED, JobOutStatus.DEAD, JobOutStatus.CANCELLED}


def callback_server(secret: str, host: str) -> tuple[ThreadingHTTPServer, queue.Queue[Any]]:
    """A server whose ``POST /callback`` verifies the signature (401 when it does not) and
    puts the verified body on the queue."""
    received: queue.Queue[Any] = queue.Queue()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            try:
                # Verify the raw bytes, before parsing: re-encoded JSON would not verify.
                event = verified_json(secret, dict(self.headers.items()), body)
            except InvalidSignature:
                self.send_response(401)
            else:
                received.put(event)
                self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer((host, 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, received


def main() -> int:
    env = os.environ
    server, received = callback_server(
        env["ORCH_SIGNING_SECRET"], env.get("ORCH_CALLBACK_HOST", "127.0.0.1")
    )
    host, port = server.server_address[:2]
    token = access_token(env["ORCH_CONTROL_URL"], env["ORCH_CLIENT_ID"], env["ORCH_CLIENT_SECRET"])
    with exec_client(env["ORCH_EXEC_URL"], token) as client:
        accepted = submit.sync(
            client=client,
            body=JobCreate(
                connector=env["ORCH_CONNECTOR"],
                operation=env["ORCH_OPERATION"],
                payload=JobCreatePayload.from_dict(json.loads(env.get("ORCH_PAYLOAD", "{}"))),
                callback_url=f"http://{host!s}:{port}/callback",
            ),
        )
        if not isinstance(accepted, JobAccepted):
            sys.stderr.write(f"not accepted: {accepted}\n")
            return 1
        deadline = time.monotonic() + 30
        while True:  # poll until the job ends
            job = get_job.sync(job_id=accepted.id, client=client)
            if isinstance(job, JobOut) and job.status in FINAL:
                break
            if time.monotonic() > deadline:
                sys.stderr.write(f"job {accepted.id} has not ended: {job}\n")
                return 1
            time.sleep(0.2)
    callback = received.get(timeout=30)
    server.shutdown()
    sys.stdout.write(json.dumps({"job": job.to_dict(), "callback": callback}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
