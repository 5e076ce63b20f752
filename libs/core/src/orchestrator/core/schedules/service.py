"""Business rules of schedules: validation, change detection and audit. Never commits.

A schedule names one target: a job (``connector`` + ``operation``, ``payload`` its
payload) or a workflow run (``workflow``, ``payload`` its input). A write checks the cron
expression, the time zone, that exactly one target is named, the workspace's connector
and operation with the payload against the operation's schema (or that the workflow
exists) and the callback URL, listing every failing field in one 422. ``next_run_at`` is recomputed from now whenever the
cron, the time zone or ``enabled`` changes, so resuming a paused schedule never fires
for the time it was paused.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.audit.change import AuditedChanges
from orchestrator.core.configuration.public import FieldErrors, Mutation, nul_errors, raise_if
from orchestrator.core.connectors.public import instance_errors
from orchestrator.core.db.base import utcnow
from orchestrator.core.schedules import cron, repository
from orchestrator.core.schedules.models import Schedule
from orchestrator.core.upstream.ssrf import NetworkPolicy
from orchestrator.core.webhooks.public import operation_errors
from orchestrator.core.workflows.public import KnownNames


class ScheduleInput(msgspec.Struct, frozen=True, kw_only=True):
    """What a client sets on a schedule: ``connector`` and ``operation``, or ``workflow``
    (what the API shows of one too: the control-api's ``ScheduleOut`` extends it)."""

    cron: str
    timezone: str
    connector: str | None
    operation: str | None
    workflow: str | None
    payload: Any
    callback_url: str | None
    enabled: bool


def schedule_view(row: Schedule) -> dict[str, Any]:
    """The audited view of a schedule (what a client sets, and its version)."""
    return {**msgspec.structs.asdict(content_of(row)), "version": row.version}


def content_of(row: Schedule) -> ScheduleInput:
    """What a client set on ``row``."""
    return msgspec.convert(row, ScheduleInput, from_attributes=True)


def _timing(data: ScheduleInput) -> tuple[cron.Cron | None, Any, FieldErrors]:
    """The parsed expression and zone (``None`` where they fail), and their errors."""
    errors: FieldErrors = []
    parsed = zone = None
    try:
        parsed = cron.parse(data.cron)
    except cron.InvalidCron as exc:
        errors.append({"key": "/cron", "message": f"not a 5-field cron expression: {exc}"})
    try:
        zone = cron.zone(data.timezone)
    except cron.UnknownTimezone:
        errors.append({"key": "/timezone", "message": "not an IANA time zone name"})
    return parsed, zone, errors


async def schedule_errors(
    session: AsyncSession,
    data: ScheduleInput,
    network: NetworkPolicy,
    known: KnownNames | None = None,
) -> FieldErrors:
    """Every failing field of ``data`` (keys such as ``/cron``); connectors and workflows
    resolve through ``known`` (default: as the workspace has them now)."""
    errors = _timing(data)[2]
    errors += nul_errors({"payload": data.payload}, "")
    errors += await _target_errors(session, data, KnownNames() if known is None else known)
    if data.callback_url is not None and (problem := network.url_problem(data.callback_url)):
        errors.append({"key": "/callback_url", "message": f"refused: {problem}"})
    return errors


def next_run_after_now(data: ScheduleInput) -> dt.datetime:
    """The first time after now that a valid ``data`` fires."""
    parsed, zone, _ = _timing(data)
    assert parsed is not None
    assert zone is not None
    return cron.next_after(parsed, utcnow(), zone)


async def _checked(session: AsyncSession, data: ScheduleInput, network: NetworkPolicy) -> None:
    """422 listing every failing field of ``data``."""
    raise_if(await schedule_errors(session, data, network), "The schedule is not valid.")


_JOB_FIELDS = ("connector", "operation")


async def _target_errors(
    session: AsyncSession, data: ScheduleInput, known: KnownNames
) -> FieldErrors:
    """Exactly one target, as the workspace has it now. (A connector or workflow changed
    later is found when the schedule fires: that fire is refused and counted, and the
    schedule moves on.)"""
    if data.workflow is not None:
        return await _workflow_errors(session, data, data.workflow, known)
    missing: FieldErrors = [
        {
            "key": f"/{field}",
            "message": "required: a schedule queues a job (`connector` and `operation`) "
            "or starts a `workflow`",
        }
        for field in _JOB_FIELDS
        if getattr(data, field) is None
    ]
    return missing or await _job_errors(session, data, known)


async def _workflow_errors(
    session: AsyncSession, data: ScheduleInput, name: str, known: KnownNames
) -> FieldErrors:
    """No job fields beside ``workflow`` (one target only), no callback (a run has none),
    and a workflow of that name in the workspace."""
    errors: FieldErrors = [
        {
            "key": f"/{field}",
            "message": "not with `workflow`: a schedule queues a job or starts a workflow, "
            "not both",
        }
        for field in _JOB_FIELDS
        if getattr(data, field) is not None
    ]
    if data.callback_url is not None:
        errors.append({"key": "/callback_url", "message": "a workflow run makes no callback"})
    if not await known.has_workflow(session, name):
        errors.append({"key": "/workflow", "message": f"no workflow called `{name}`"})
    return errors


async def _job_errors(session: AsyncSession, data: ScheduleInput, known: KnownNames) -> FieldErrors:
    """The connector and operation as the workspace has them now, and the payload against
    the operation's schema."""
    assert data.connector is not None
    assert data.operation is not None
    operations = await known.operations(session, data.connector)
    if operations is None:
        return [{"key": "/connector", "message": f"no connector called `{data.connector}`"}]
    errors = operation_errors(data.connector, data.operation, operations)
    if errors:
        return errors
    schema = operations[data.operation].payload_schema
    return instance_errors(schema, data.payload, prefix="/payload")


SCHEDULE = AuditedChanges(
    repository.SCHEDULES, noun="schedule", kind="schedule", view=schedule_view
)


list_schedules = repository.SCHEDULES.list
"""The workspace's schedules by name: a page of them, or (by default) every one."""
get_schedule = SCHEDULE.get
"""A schedule by name, or 404."""


async def create_schedule(
    session: AsyncSession, m: Mutation, name: str, data: ScheduleInput, network: NetworkPolicy
) -> Schedule:
    """A new schedule, due at its first cron time after now; 422 listing the failing
    fields, 409 when the name is taken."""
    await _checked(session, data, network)
    await SCHEDULE.refuse_taken(session, name)
    row = Schedule(
        id=uuid.uuid4(),
        tenant_id=m.tenant_id,
        name=name,
        **msgspec.structs.asdict(data),
        next_run_at=next_run_after_now(data),
        last_fired_at=None,
        version=1,
    )
    return await SCHEDULE.create(session, m, name, row)


async def replace_schedule(
    session: AsyncSession, m: Mutation, name: str, data: ScheduleInput, network: NetworkPolicy
) -> Schedule:
    """Replace a schedule (version +1 when it differs); ``enabled=false`` pauses it, and a
    new cron, time zone or ``enabled`` is due next from now."""
    await _checked(session, data, network)
    row = await SCHEDULE.lock(session, name)
    before = content_of(row)
    values = msgspec.structs.asdict(data)
    if (before.cron, before.timezone, before.enabled) != (data.cron, data.timezone, data.enabled):
        values["next_run_at"] = next_run_after_now(data)
    await SCHEDULE.update(session, m, name, row, values)
    return row


async def delete_schedule(session: AsyncSession, m: Mutation, name: str) -> None:
    """Delete a schedule (jobs it already queued run on)."""
    await SCHEDULE.delete(session, m, name, await SCHEDULE.lock(session, name))
