"""Calls to the control-api and exec-api over their public HTTP APIs, with the operator's
token; the only place the console speaks HTTP to them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import msgspec

from orchestrator.console.errors import ApiProblem, ApiUnavailable, SignInRequired

STREAM_READ_S = 60.0
"""A live stream is quiet between events: its keep-alive comes every 15 s."""


class Grant(msgspec.Struct, frozen=True):
    """An access token the control-api issued."""

    access_token: str
    expires_in: int


@dataclass(frozen=True, slots=True)
class ExecAnswer:
    """The exec-api's answer: its status, its JSON, the problem it states (4xx/5xx)."""

    status: int
    body: Any
    problem: ApiProblem | None


class Backend:
    """One pooled HTTP client for both APIs; every call bounded by ``timeout_s``."""

    def __init__(self, control_url: str, exec_url: str, timeout_s: float) -> None:
        self.control_url = control_url.rstrip("/")
        self.exec_url = exec_url.rstrip("/")
        self.http = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout_s),
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
            follow_redirects=False,
            trust_env=False,
        )
        # Live streams hold their connection for as long as a tab is open (the channel's
        # panel is on every page): a pool of their own, unbounded, so that open tabs never
        # starve the pages' calls of connections.
        self.streams = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout_s, read=STREAM_READ_S),
            limits=httpx.Limits(max_connections=None, max_keepalive_connections=0),
            follow_redirects=False,
            trust_env=False,
        )

    async def close(self) -> None:
        """Close the pools."""
        await self.http.aclose()
        await self.streams.aclose()

    async def client_credentials(self, client_id: str, client_secret: str) -> Grant:
        """An operator token for a client id and secret (401 ``invalid_client`` otherwise)."""
        response = await self._send(
            "POST",
            f"{self.control_url}/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(client_id, client_secret),
        )
        if response.status_code != 200:
            raise _problem(response)
        return msgspec.convert(response.json(), Grant, strict=False)

    async def exchange_id_token(self, id_token: str) -> Grant:
        """An operator token for the person an OpenID provider's ID token names (RFC 8693
        token exchange; 400 ``invalid_grant`` with a detail for the person otherwise)."""
        response = await self._send(
            "POST",
            f"{self.control_url}/oauth/token",
            data={
                "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
                "subject_token": id_token,
                "subject_token_type": "urn:ietf:params:oauth:token-type:id_token",
            },
        )
        if response.status_code != 200:
            raise _problem(response)
        return msgspec.convert(response.json(), Grant, strict=False)

    async def redeem_invite(self, invite: str) -> dict[str, Any]:
        """A guest's token for a one-time channel invite (404 once used, revoked or
        expired); the invite goes in the body, never in a URL."""
        response = await self._send(
            "POST", f"{self.control_url}/api/v1/channel/guest-token", json={"invite": invite}
        )
        if response.status_code != 201:
            raise _problem(response)
        answer: dict[str, Any] = response.json()
        return answer

    async def public(self, method: str, path: str) -> Any:
        """An unauthenticated control-api read (its OpenAPI document)."""
        response = await self._send(method, f"{self.control_url}{path}")
        if response.status_code >= 400:
            raise _problem(response)
        return response.json()

    async def control(
        self,
        token: str,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
    ) -> Any:
        """Call ``/api/v1{path}`` on the control-api; the parsed JSON answer."""
        return await self.call(token, method, f"{self.control_url}/api/v1{path}", params, json)

    async def call(
        self,
        token: str,
        method: str,
        url: str,
        params: dict[str, Any] | None,
        json: Any,
    ) -> Any:
        """One authenticated call: 401 ends the session, another error is an ``ApiProblem``."""
        clean = {key: value for key, value in (params or {}).items() if value not in (None, "")}
        response = await self._send(
            method,
            url,
            params=clean,
            json=json,
            headers={"Authorization": f"Bearer {token}"},
        )
        if response.status_code == 401:
            raise SignInRequired("Your session has ended: sign in again.")
        if response.status_code >= 400:
            raise _problem(response)
        if response.status_code == 204 or not response.content:
            return None
        return response.json()

    async def exec_call(self, token: str, path: str, body: Any) -> ExecAnswer:
        """POST ``/api/v1{path}`` on the exec-api with a workspace token; its status and
        JSON whatever they are (an upstream's failure is a result to show, not an error)."""
        response = await self._send(
            "POST",
            f"{self.exec_url}/api/v1{path}",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
        )
        if response.status_code == 401:
            raise ApiProblem(
                status=401,
                title="Unauthorized",
                detail="The exec-api refused the workspace token.",
                errors=[],
            )
        try:
            answer = response.json()
        except ValueError:
            answer = None
        return ExecAnswer(
            status=response.status_code,
            body=answer,
            problem=_problem(response) if response.status_code >= 400 else None,
        )

    async def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            return await self.http.request(method, url, **kwargs)
        except httpx.TimeoutException:
            raise ApiUnavailable("The control plane did not answer in time.") from None
        except httpx.TransportError:
            raise ApiUnavailable("The control plane cannot be reached.") from None


def _problem(response: httpx.Response) -> ApiProblem:
    """The API's RFC 9457 answer as an exception (its ``detail`` is what the page shows)."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    return ApiProblem(
        status=response.status_code,
        title=str(body.get("title") or response.reason_phrase or "Error"),
        detail=str(body.get("detail") or body.get("error_description") or ""),
        errors=[error for error in body.get("errors") or [] if isinstance(error, dict)],
    )
