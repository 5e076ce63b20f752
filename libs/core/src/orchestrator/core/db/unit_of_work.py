"""Where transactions begin: every place, with why (ADR 0074).

A request's work runs in one transaction that the framework's dependency (or, where the
framework's dependency cannot, its handler) owns; an actor's in one that the actor owns
(``worker/actors/unit_of_work.py``); services and repositories never open or commit one.
The exceptions are named here by kind:

- ``primitive``: the helpers every other site goes through;
- ``request``: a request's unit of work (a dependency, or the handler of a request whose
  transaction must end before it answers, e.g. an idempotent write);
- ``actor``: an actor's unit of work;
- ``phase``: a short transaction around an upstream call or a cache fill, so that no
  transaction stays open while the network is waited on (claim/finish of a job attempt,
  a forward's or callback's attempt, an idempotency key's lock and completion, a plan or
  source read into a process cache, a live stream's poll);
- ``savepoint``: a savepoint inside a unit of work, so that one item's refusal undoes
  only that item;
- ``saga``: a step of a saga that must commit before the next one starts (ADR 0009);
- ``group``: a group committer's shared transaction (``group_commit.py``);
- ``chore``: a background chore or a CLI command, each pass or command its own unit
  (retention, sweeps, the scheduler, gauges, key rotation).

``tests/unit/test_transaction_sites.py`` finds every call that begins a transaction or a
savepoint in the code (``.begin()``, ``.begin_nested()``, ``.transaction()``,
``tenant_transaction(...)``) and fails on one that is not listed here, on a listed one
that is gone, and on any in a repository or query module.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

Kind = Literal["primitive", "request", "actor", "phase", "savepoint", "saga", "group", "chore"]

SITES: Mapping[str, Kind] = {
    # -- primitives
    "orchestrator.core.db.tenant:tenant_transaction": "primitive",
    # -- requests
    "orchestrator.core.http.auth:provide_session": "request",
    "orchestrator.core.http.auth:provide_tenant_session": "request",
    "orchestrator.control_api.impersonation.controllers:ImpersonationController.start": "request",
    "orchestrator.control_api.oauth.federation:exchange": "request",
    "orchestrator.control_api.tokens.controllers:revoke": "request",
    "orchestrator.console.oidc:sso_start": "request",
    "orchestrator.exec_api.jobs.accepting:accept_once": "request",
    "orchestrator.exec_api.impersonation_audit:record_impersonated_change": "request",
    # The channel's handlers: an action publishes only once its count has committed; a
    # guest's sign-in has no token (its workspace is named by the invite).
    "orchestrator.control_api.channels.controllers:ChannelController.channel": "request",
    "orchestrator.control_api.channels.controllers:ChannelController.act": "request",
    "orchestrator.control_api.channels.guests:redeem_invite": "request",
    "orchestrator.control_api.channels.guests:refresh_guest_token": "request",
    # -- actors
    "orchestrator.worker.actors.unit_of_work:actor_transaction": "actor",
    # -- phases around an upstream call, a cache fill or a stream's poll
    "orchestrator.worker.actors.jobs:run_jobs_once": "phase",
    "orchestrator.core.callbacks.delivery:attempt_delivery": "phase",
    "orchestrator.core.idempotency.guard:idempotent": "phase",
    "orchestrator.core.idempotency.store:begin": "phase",
    "orchestrator.core.idempotency.store:complete_alone": "phase",
    "orchestrator.core.idempotency.store:release": "phase",
    "orchestrator.core.execution.budget_warning:BudgetWarnings.__call__": "phase",
    "orchestrator.core.execution.plans:PlanCache._read": "phase",
    "orchestrator.webhook_ingress.sources:SourceCache._read": "phase",
    "orchestrator.exec_api.execute.controllers:queue_instead": "phase",
    "orchestrator.exec_api.events.stream:event_stream": "phase",
    "orchestrator.exec_api.events.stream:start_cursor": "phase",
    "orchestrator.control_api.channels.stream:channel_stream.snapshot": "phase",
    # After a batch of finishes with dead jobs: count the DLQ (ADR 0104).
    "orchestrator.worker.actors.dlq_status:tell_dead": "phase",
    # -- savepoints inside a unit of work
    "orchestrator.core.webhooks.router:_dispatch": "savepoint",
    "orchestrator.core.workflows.runs:_submit": "savepoint",
    "orchestrator.core.schedules.firing:_fire": "savepoint",
    "orchestrator.core.versions.drafts:check": "savepoint",
    # -- saga steps
    "orchestrator.core.tenancy.service:_reserve": "saga",
    "orchestrator.core.tenancy.service:bootstrap": "saga",
    "orchestrator.core.tenancy.service:create_workspace": "saga",
    "orchestrator.core.tenancy.service:create_workspace.commit": "saga",
    "orchestrator.core.tenancy.service:create_workspace.provision_secret": "saga",
    "orchestrator.core.tenancy.service:create_workspace.remove_secrets": "saga",
    "orchestrator.core.tenancy.organizations:_reserve": "saga",
    "orchestrator.core.tenancy.organizations:create_organization": "saga",
    # deprovisioning (ADR 0100): each step, batch and progress record commits on its own,
    # so a worker that dies resumes from the last one
    "orchestrator.core.maintenance.deprovision.runner:run_next": "saga",
    "orchestrator.core.maintenance.deprovision.runner:_audit": "saga",
    "orchestrator.core.maintenance.deprovision.runner:_Runner.workspace": "saga",
    "orchestrator.core.maintenance.deprovision.runner:_Runner.workspace.save": "saga",
    "orchestrator.core.maintenance.deprovision.runner:_Runner.organization": "saga",
    "orchestrator.core.maintenance.deprovision.steps:fence_step": "saga",
    "orchestrator.core.maintenance.deprovision.steps:cancel_work": "saga",
    "orchestrator.core.maintenance.deprovision.steps:_empty": "saga",
    # -- group committers
    "orchestrator.core.db.group_commit:GroupCommit.__init__.transaction": "group",
    # -- chores and commands
    "orchestrator.core.schedules.firing:fire_workspace": "chore",
    "orchestrator.core.schedules.scheduler:Scheduler.run_once": "chore",
    "orchestrator.core.maintenance.chores:_per_tenant": "chore",
    "orchestrator.core.maintenance.chores:purge_published_outbox": "chore",
    "orchestrator.core.maintenance.chores:requeue_per_tenant": "chore",
    "orchestrator.core.maintenance.chores:tenant_ids": "chore",
    "orchestrator.core.maintenance.rotation:rotate_kek": "chore",
    "orchestrator.core.observability.depth:read_depths": "chore",
    "orchestrator.worker.actors.retention:purge_expired_revocations": "chore",
    "orchestrator.worker.actors.job_context:hand_back_jobs.give_up": "chore",
    "orchestrator.cli.commands:create_platform_operator": "chore",
    "orchestrator.cli.commands:migrate": "chore",
    "orchestrator.cli.commands:revoke_key": "chore",
    "orchestrator.cli.commands:rotate_keys": "chore",
    "orchestrator.cli.demo:seed": "chore",
}
"""Every function that begins a transaction or a savepoint (``module:qualname``), by kind."""
