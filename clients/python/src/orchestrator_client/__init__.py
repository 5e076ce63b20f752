"""Orchestrator's clients for product backends.

``exec_api`` and ``control_api`` are generated from the OpenAPI documents (``make clients``;
do not edit them); ``webhooks`` verifies the Standard Webhooks signature of the callbacks and
forwards Orchestrator sends. This module gets an access token and makes the two clients.
"""

from __future__ import annotations

import httpx

from orchestrator_client.control_api.client import AuthenticatedClient as ControlClient
from orchestrator_client.exec_api.client import AuthenticatedClient as ExecClient
from orchestrator_client.webhooks import InvalidSignature, verified_json, verify

__all__ = [
    "ControlClient",
    "ExecClient",
    "InvalidSignature",
    "access_token",
    "control_client",
    "exec_client",
    "verified_json",
    "verify",
]


def access_token(control_url: str, client_id: str, client_secret: str) -> str:
    """An access token for a service identity (or an operator), from the control-api's
    ``POST /oauth/token`` (client-credentials grant)."""
    response = httpx.post(
        f"{control_url.rstrip('/')}/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
        },
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


def exec_client(exec_url: str, token: str) -> ExecClient:
    """A client of the exec-api (what product backends call), raising on undocumented
    statuses. Pass it to the functions of ``orchestrator_client.exec_api.api``."""
    return ExecClient(base_url=exec_url, token=token, raise_on_unexpected_status=True)


def control_client(control_url: str, token: str) -> ControlClient:
    """A client of the control-api (what operators call)."""
    return ControlClient(base_url=control_url, token=token, raise_on_unexpected_status=True)
