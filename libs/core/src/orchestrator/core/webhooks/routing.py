"""Where an event goes and what it starts (ADR 0036), pure: no I/O.

The worker reads the inputs (the event's routing values, the organization's claims
on them, the receiving source's own claims, the target source's bindings) and
``router.py`` acts on the answers.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from orchestrator.core.webhooks.pointer import MISSING, resolve
from orchestrator.core.webhooks.providers import PROVIDERS


@dataclass(frozen=True, slots=True)
class Target:
    """A source of some workspace: where an event's bindings are read."""

    tenant_id: uuid.UUID
    source_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class Claim:
    """One ``webhook_routes`` row: ``key = value`` belongs to ``target``."""

    key: str
    value: str
    target: Target


def most_specific_first(provider: str) -> tuple[str, ...]:
    """The provider's routing key names, most specific first (channel before team).

    The provider table lists them broadest first; ``hmac`` and Standard Webhooks
    sources route on nothing.
    """
    spec = PROVIDERS.get(provider)
    return tuple(key.name for key in reversed(spec.routing)) if spec else ()


def choose_target(
    keys: Sequence[str],
    routing: Mapping[str, str],
    claims: Sequence[Claim],
    *,
    receiver: Target,
    receiver_claims_anything: bool,
) -> Target | None:
    """The source an event goes to, or ``None`` (unrouted).

    ``keys`` come most specific first; the first of them whose value in ``routing``
    someone claims decides. With no claim matching, a receiving source that claims
    nothing takes its own events (a plain one-workspace source); one that claims
    something keeps the event unrouted until a claim exists.
    """
    owners = {(claim.key, claim.value): claim.target for claim in claims}
    for key in keys:
        value = routing.get(key)
        if value is not None and (key, value) in owners:
            return owners[key, value]
    return None if receiver_claims_anything else receiver


class Filtered(Protocol):
    """What decides whether a binding takes an event."""

    @property
    def event_types(self) -> list[str]: ...

    @property
    def enabled(self) -> bool: ...


B = TypeVar("B", bound=Filtered)


def takes(binding: Filtered, event_type: str | None) -> bool:
    """An enabled binding takes every event when it names no types, else those it names."""
    if not binding.enabled:
        return False
    return not binding.event_types or (event_type is not None and event_type in binding.event_types)


def matching(bindings: Sequence[B], event_type: str | None) -> list[B]:
    """The bindings that take an event of ``event_type``, in their order."""
    return [binding for binding in bindings if takes(binding, event_type)]


def job_payload(mapping: Mapping[str, str] | None, event: object) -> Any:
    """A job's payload: the whole event without a mapping, else each output field set to
    what its JSON pointer names in the event.

    A pointer that names nothing leaves its field out (events differ in what they carry,
    a Stripe platform event has no ``account``); the operation's payload schema decides
    whether that field was required, when the job runs.
    """
    if mapping is None:
        return event
    payload: dict[str, Any] = {}
    for field, pointer in mapping.items():
        value = resolve(event, pointer)
        if value is not MISSING:
            payload[field] = value
    return payload
