"""Running a connector's operation from the console: which operations a connector has (from
its type or its own config), what each way of running one needs, and how its answer reads.
Pure functions: ``pages/run.py`` fetches and calls."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from orchestrator.console.backend import ExecAnswer
from orchestrator.console.errors import refusal

How = Literal["now", "job"]
HOWS: tuple[How, ...] = ("now", "job")
OUTPUT_SHOWN_MAX = 16_384
"""Characters of an operation's output the page shows (the rest is cut, and says so)."""


@dataclass(frozen=True, slots=True)
class Way:
    """One way of running an operation: the exec-api route and the one scope it needs."""

    path: str
    scope: str
    label: str


WAYS: dict[How, Way] = {
    "now": Way("/execute", "execute", "now, waiting for the answer"),
    "job": Way("/jobs", "jobs:write", "as a job (its events arrive live)"),
}


@dataclass(frozen=True, slots=True)
class Operation:
    """An operation of one connector, with the JSON Schema its payload must satisfy."""

    connector: str
    name: str
    description: str
    payload_schema: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a run went, as the page shows it."""

    ok: bool
    notice: str
    job_id: str | None = None
    output: str | None = None
    status: int = 200
    """What the console answers: the refusal's status (a 5xx of the exec-api is a 502)."""


def operations_of(
    connector: Mapping[str, Any], types: Sequence[Mapping[str, Any]]
) -> list[Operation]:
    """A connector's operations by name: its type's own, or those its config declares."""
    kind = next((t for t in types if t.get("name") == connector.get("type")), None)
    if kind is None:
        return []
    if kind.get("operations_in_config"):
        declared = (connector.get("config") or {}).get("operations") or {}
    else:
        declared = kind.get("operations") or {}
    if not isinstance(declared, Mapping):
        return []
    return [
        Operation(
            connector=str(connector["name"]),
            name=str(name),
            description=str(spec.get("description") or ""),
            payload_schema=spec.get("payload_schema") or {"type": "object"},
        )
        for name, spec in sorted(declared.items())
        if isinstance(spec, Mapping)
    ]


def how_of(text: str) -> How | None:
    """The way a form asked for, or None for anything else."""
    return next((how for how in HOWS if how == text), None)


def request_body(operation: Operation, payload: dict[str, Any]) -> dict[str, Any]:
    """The exec-api body of ``/execute`` and of ``/jobs`` alike."""
    return {"connector": operation.connector, "operation": operation.name, "payload": payload}


def shown(value: Any) -> str:
    """An output as indented JSON, cut at ``OUTPUT_SHOWN_MAX`` characters."""
    text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)
    if len(text) <= OUTPUT_SHOWN_MAX:
        return text
    return text[:OUTPUT_SHOWN_MAX] + f"\n… cut: {len(text) - OUTPUT_SHOWN_MAX:,} more characters"


def outcome_of(operation: Operation, answer: ExecAnswer) -> Outcome:
    """What the exec-api's answer to a run says, in one line and the output."""
    call = f"{operation.connector}.{operation.name}"
    body = answer.body if isinstance(answer.body, dict) else {}
    if answer.problem is not None:
        return Outcome(
            False,
            f"{call} refused ({answer.status}): {refusal(answer.problem)}",
            status=answer.status if answer.status < 500 else 502,
        )
    if answer.status == 202:
        # Queued: asked for, or the breaker is open and the policy queues calls.
        job_id = str(body.get("id", ""))
        return Outcome(True, f"{call} queued as job {job_id}.", job_id=job_id)
    status = str(body.get("status", "unknown"))
    upstream = body.get("upstream_status")
    notice = (
        f"{call} {status} after {body.get('attempts', '?')} attempt(s) in "
        f"{float(body.get('duration_ms') or 0):.0f} ms"
        + (f" (upstream answered {upstream})." if upstream is not None else ".")
    )
    return Outcome(status == "succeeded", notice, output=shown(body.get("output")))
