"""The ingress's own refusals (problem+json, as every error)."""

from __future__ import annotations

from orchestrator.core.errors import Problem


class DeliveryUnverified(Problem):
    """No valid signature. One fixed body whatever the reason (missing, bad, stale, no
    usable secret): the reason goes to logs and metrics only, never to the sender."""

    status, code, title = 401, "webhook-unverified", "The delivery could not be verified"

    def __init__(self) -> None:
        super().__init__("The delivery could not be verified.")


class DeliveryTooLarge(Problem):
    """The body is larger than the source's ``max_body_bytes``."""

    status, code, title = 413, "payload-too-large", "Request body too large"


class SourceNotFound(Problem):
    """No enabled source has this id (a disabled one is not found either)."""

    status, code, title = 404, "not-found", "Not found"

    def __init__(self) -> None:
        super().__init__("No such webhook source.")
