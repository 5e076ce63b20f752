"""How a payload store's failures reach a client: problem documents, never a 500."""

from __future__ import annotations

from orchestrator.core.errors import Problem

RETRY_SOON = {"Retry-After": "1"}


class PayloadStoreUnavailable(Problem):
    """The bucket did not answer (or refused us): nothing was stored, try again."""

    status, code, title = 503, "payload-store-unavailable", "The payload store did not answer"

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail, headers=dict(RETRY_SOON))


class PayloadUnreadable(Problem):
    """A stored payload is missing, or fails its seal or its SHA-256: it is not served."""

    status, code, title = 502, "payload-unreadable", "A stored payload cannot be read"
