"""The ``Idempotency-Key`` guard for a Litestar handler (docs/protocols.md §2).

Use it around the part of a handler that acts::

    async with idempotent(request, resources.sessions, principal.tenant_id) as idem:
        if idem.replay is not None:
            return idem.replay                       # the first response, not run again
        ...validate...                               # a Problem here stores nothing
        idem.started()                               # from here every outcome is stored
        ...act...
        return await idem.respond(body, status_code=202, session=session)

* no header: runs as usual (``required=True`` makes it a 400 instead);
* a new key: the key is claimed (committed at once), then the response is stored,
  in ``session``'s transaction when one is given (so it commits with the work) or
  in its own;
* the same key and request again: ``idem.replay`` is the stored response, with
  ``Idempotent-Replayed: true``;
* the same key, another method, path or body: 422; while the first still runs: 409;
* a ``Problem`` (or any error) before ``started()``: the key is released, nothing
  stored, and a corrected retry runs; after ``started()``: the problem document
  (5xx included) is stored and replayed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import msgspec
from litestar import Request, Response
from loguru import logger
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.errors import IdempotencyKeyInvalid, IdempotencyKeyRequired, Problem
from orchestrator.core.http.problems import PROBLEM_MEDIA_TYPE, problem_body
from orchestrator.core.idempotency import store
from orchestrator.core.idempotency.fingerprint import fingerprint, key_problem

HEADER = "idempotency-key"
REPLAYED_HEADER = "Idempotent-Replayed"
JSON = "application/json"
_STORED_HEADERS = ("location", "retry-after")
"""Response headers replayed with the body (besides the content type)."""


class Idempotency:
    """One request's view of its idempotency key; see the module docstring."""

    def __init__(
        self,
        request: Request[Any, Any, Any],
        sessions: async_sessionmaker[AsyncSession],
        claim: store.Claim | None,
        replay: Response[Any] | None,
    ) -> None:
        self._request = request
        self._sessions = sessions
        self.claim = claim
        self.replay = replay
        self.running = False
        self.stored = False

    @property
    def key(self) -> str | None:
        """The key this request holds, if any."""
        return self.claim.key if self.claim else None

    def started(self) -> None:
        """Execution has begun: from now on the outcome is stored, whatever it is."""
        self.running = True

    async def respond(
        self,
        content: Any,
        *,
        status_code: int,
        headers: dict[str, str] | None = None,
        session: AsyncSession | None = None,
    ) -> Response[Any]:
        """The JSON response of ``content``, stored for replays (in ``session``'s transaction
        when given); works without a key too."""
        self.running = True
        body = msgspec.json.encode(content)
        headers = headers or {}
        await self._store(status_code, {**headers, "content-type": JSON}, body, session)
        return Response(body, status_code=status_code, media_type=JSON, headers=headers)

    async def _store(
        self,
        status_code: int,
        headers: dict[str, str],
        body: bytes,
        session: AsyncSession | None,
    ) -> None:
        if self.claim is None:
            return
        kept = {
            k.lower(): v
            for k, v in headers.items()
            if k.lower() in (*_STORED_HEADERS, "content-type")
        }
        if session is not None:
            done = await store.complete(
                session, self.claim, status_code=status_code, headers=kept, body=body
            )
        else:
            done = await store.complete_alone(
                self._sessions, self.claim, status_code=status_code, headers=kept, body=body
            )
        if not done:
            logger.warning(
                "idempotency key {} was taken over before its response was stored", self.claim.key
            )
        self.stored = True

    async def _store_failure(self, exc: Exception) -> None:
        """Store the problem document the client is about to receive for ``exc``."""
        path = self._request.url.path
        if isinstance(exc, Problem):
            status, headers = exc.status, dict(exc.headers)
            body = problem_body(
                status=exc.status,
                code=exc.code,
                title=exc.title,
                detail=exc.detail,
                instance=path,
                **exc.extensions,
            )
        else:  # the same generic body the unexpected-error handler answers
            status, headers = 500, {}
            body = problem_body(
                status=500,
                code="internal",
                title="Internal server error",
                detail="An unexpected error occurred; quote the request_id when reporting it.",
                instance=path,
            )
        await self._store(
            status,
            {**headers, "content-type": PROBLEM_MEDIA_TYPE},
            msgspec.json.encode(body),
            None,
        )


def replay_response(stored: store.StoredResponse) -> Response[Any]:
    """The stored response, marked as a replay."""
    headers = dict(stored.headers)
    media_type = headers.pop("content-type", JSON)
    headers[REPLAYED_HEADER] = "true"
    return Response(
        stored.body, status_code=stored.status_code, media_type=media_type, headers=headers
    )


@asynccontextmanager
async def idempotent(
    request: Request[Any, Any, Any],
    sessions: async_sessionmaker[AsyncSession],
    tenant_id: uuid.UUID,
    *,
    required: bool = False,
    lock_s: float = 60.0,
    ttl: dt.timedelta = store.TTL,
) -> AsyncIterator[Idempotency]:
    """Guard a handler with the request's ``Idempotency-Key`` (see the module docstring).

    ``lock_s`` bounds how long an in-flight key blocks retries if its request dies
    (make it longer than the handler can run).
    """
    key = request.headers.get(HEADER)
    if key is None:
        if required:
            raise IdempotencyKeyRequired("Send an Idempotency-Key header with this request.")
        yield Idempotency(request, sessions, None, None)
        return
    if (problem := key_problem(key)) is not None:
        raise IdempotencyKeyInvalid(f"{problem}.")
    request_print = fingerprint(request.method, request.url.path, await request.body())
    outcome = await store.begin(sessions, tenant_id, key, request_print, lock_s=lock_s, ttl=ttl)
    if isinstance(outcome, store.StoredResponse):
        yield Idempotency(request, sessions, None, replay_response(outcome))
        return
    idem = Idempotency(request, sessions, outcome, None)
    try:
        yield idem
    except asyncio.CancelledError:
        # Abandoned mid-way: if it had started, its outcome is unknown, so the key stays
        # in flight (409 to retries) until ``lock_s`` passes and a retry takes it over.
        if not idem.running and not idem.stored:
            await asyncio.shield(store.release(sessions, outcome))
        raise
    except Exception as exc:
        if not idem.stored:
            if idem.running:
                await idem._store_failure(exc)
            else:
                await store.release(sessions, outcome)
        raise
    if not idem.stored:
        # The handler returned without ``respond``: nothing to replay, so free the key.
        logger.warning("idempotent handler on {} returned without respond()", request.url.path)
        await store.release(sessions, outcome)
