"""An HTTP client for one profile: it gets a token per plane with the profile's
client credentials the first time a plane is called (and again once if the service
answers 401), walks cursor-paginated lists, and turns every problem+json answer into a
:class:`ApiError` told in one line."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Literal

import httpx

from orchestrator.cli.remote.profiles import Profile

Plane = Literal["control", "exec"]
TIMEOUT = httpx.Timeout(30.0, connect=5.0)
PAGE_SIZE = int(os.environ.get("ORCH_CLI_PAGE_SIZE", "200"))
"""Rows asked for per page while walking a list."""


class ApiError(Exception):
    """A service's refusal: ``<status> <title>: <detail>``."""

    def __init__(self, status: int, title: str, detail: str) -> None:
        self.status, self.title, self.detail = status, title, detail
        super().__init__(f"{status} {title}: {detail}" if detail else f"{status} {title}")


def api_error(response: httpx.Response) -> ApiError:
    """The error a non-2xx answer is (problem+json, or whatever else the body says)."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and ("title" in body or "detail" in body):
        title = str(body.get("title") or response.reason_phrase)
        detail = str(body.get("detail") or "")
    else:
        title, detail = response.reason_phrase, response.text.strip()
    # One line, whatever the service said.
    return ApiError(response.status_code, " ".join(title.split()), " ".join(detail.split())[:500])


class Remote:
    """Requests to the control-api and the exec-api as the profile's identities."""

    def __init__(
        self, profile: Profile, http: httpx.Client | None = None, workspace: str | None = None
    ) -> None:
        self.profile, self.workspace = profile, workspace
        self.http = http or httpx.Client(timeout=TIMEOUT)
        self._tokens: dict[Plane, str] = {}

    def __enter__(self) -> Remote:
        return self

    def __exit__(self, *exc: object) -> None:
        self.http.close()

    def base(self, plane: Plane) -> str:
        """The plane's base URL."""
        url = self.profile.control_url if plane == "control" else self.profile.exec_url
        return url.rstrip("/")

    def credentials(self, plane: Plane) -> tuple[str, str]:
        """The identity the plane's tokens are issued to."""
        if plane == "control":
            return self.profile.client_id, self.profile.client_secret
        if not self.profile.exec_client_id:
            raise ApiError(
                401,
                "No exec identity",
                "this profile has no exec-plane login: "
                "`orchestrator login --exec-client-id … --exec-client-secret …`",
            )
        return self.profile.exec_client_id, self.profile.exec_client_secret

    def token(self, plane: Plane, *, fresh: bool = False) -> str:
        """An access token for the plane (fetched once, or again when ``fresh``)."""
        if fresh or plane not in self._tokens:
            client_id, secret = self.credentials(plane)
            answer = self.http.post(
                f"{self.base('control')}/oauth/token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": client_id,
                    "client_secret": secret,
                },
            )
            if not answer.is_success:
                raise api_error(answer)
            self._tokens[plane] = str(answer.json()["access_token"])
        return self._tokens[plane]

    def send(
        self,
        plane: Plane,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """A request under ``/api/v1``; its answer when 2xx, else the :class:`ApiError`."""
        query = {k: v for k, v in (params or {}).items() if v is not None}
        if plane == "control" and self.workspace:
            query["workspace"] = self.workspace
        for fresh in (False, True):
            auth = {"Authorization": f"Bearer {self.token(plane, fresh=fresh)}"}
            answer = self.http.request(
                method,
                f"{self.base(plane)}/api/v1{path}",
                params=query,
                json=json,
                headers={**auth, **(headers or {})},
            )
            if answer.status_code != 401:
                break
        if not answer.is_success:
            raise api_error(answer)
        return answer

    def call(self, plane: Plane, method: str, path: str, **options: Any) -> Any:
        """A request's JSON answer (``None`` for an empty body)."""
        answer = self.send(plane, method, path, **options)
        return answer.json() if answer.content else None

    def items(
        self,
        plane: Plane,
        path: str,
        params: Mapping[str, Any] | None = None,
        most: int | None = None,
    ) -> list[Any]:
        """The items of a cursor-paginated list, following ``next_cursor`` to its end (or
        until ``most`` are read)."""
        found: list[Any] = []
        cursor: str | None = None
        while most is None or len(found) < most:
            size = PAGE_SIZE if most is None else min(PAGE_SIZE, most - len(found))
            query = {**(params or {}), "limit": size, "cursor": cursor}
            page = self.call(plane, "GET", path, params=query)
            found += page["items"]
            cursor = page.get("next_cursor")
            if not cursor:
                break
        return found[:most]
