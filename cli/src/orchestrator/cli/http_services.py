"""``python -m orchestrator.cli.http_services``: the development stack's HTTP services, all
in this one process, each on its own port (ADR 0099).

A deployment runs each service in processes of its own (one a pod); the development stack
serves these four from one interpreter, which holds the libraries they share once instead
of four times. Each reads its address from its own settings, as ``python -m`` of the
service would. Only the standard library is imported here: the launcher reads
``TOGETHER`` without loading any service.
"""

from __future__ import annotations

import importlib

TOGETHER = (
    ("control-api", "orchestrator.control_api"),
    ("exec-api", "orchestrator.exec_api"),
    ("webhook-ingress", "orchestrator.webhook_ingress"),
    ("console", "orchestrator.console"),
)
"""The services this process serves: each one's name and package."""
NAME = "http-services"
"""This process's name in the stack's output."""


def main() -> None:
    """Serve every service of ``TOGETHER`` until SIGINT or SIGTERM."""
    from orchestrator.core.http.serve import Served, serve_together

    apps = []
    for name, package in TOGETHER:
        http = importlib.import_module(f"{package}.settings").get_settings().http
        apps.append(Served(name, f"{package}.app:create_app", http.host, http.port))
    serve_together(apps)


if __name__ == "__main__":
    main()
