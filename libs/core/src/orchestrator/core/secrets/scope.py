"""What each secret ref scheme may reach: the one rule for writing and resolving refs.

A ref is parsed (``refs.py``: syntax only), then ``RefScope.reach`` turns it into the one
thing it may read for one workspace, or refuses it with ``OutOfScope``. The control-api
calls it when a ref is written (a 422) and the resolver calls it again before reading
anything (a 409 ``secret-unresolved``), so a row stored before the rule, or under another
deployment's settings, is refused too. The resolver reads only a ``Reach``, never a
parsed ref, so a new scheme cannot resolve until ``reach`` says what it may reach.

- ``env://NAME`` reads only variables under the deployment's tenant prefix
  (``ORCH_SECRET_REFS_ENV_PREFIX``, default ``ORCH_TENANT_SECRET_``) and, with
  ``ORCH_SECRET_REFS_ENV_SCOPE=workspace``, only under ``<prefix><WORKSPACE_ID>_`` (the
  workspace id as 32 upper-case hex digits). ``off`` refuses every ``env://`` ref.
  Never the orchestrator's own settings: a prefix that would cover or sit inside them
  (``ORCH_`` outside ``ORCH_TENANT_``, ``DATABASE_URL``, ``REDIS_URL``, …) is refused at
  start-up, and a reserved name is refused whatever the prefix.
- ``vault://path#field`` reads only plain segments under the workspace's prefix
  (``ORCH_VAULT_PATH_PREFIX``, which must name ``{tenant_id}``).
- ``db://`` reads the row's own sealed value.

Messages name refs, variable names and paths, never a value.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, assert_never

from orchestrator.core.secrets.refs import ParsedRef
from orchestrator.core.settings import SecretRefSettings

EnvScope = Literal["off", "deployment", "workspace"]
DEFAULT_ENV_PREFIX = "ORCH_TENANT_SECRET_"
TENANT_NAMESPACE = "ORCH_TENANT_"
"""The one part of ``ORCH_*`` the orchestrator never reads a setting from."""

RESERVED_NAMES = frozenset(
    {
        "DATABASE_URL",
        "REDIS_URL",
        "ORCH_KEK",
        "ORCH_KEK_PREVIOUS",
        "ORCH_DATABASE_APP_URL",
        "ORCH_VAULT_TOKEN",
        "PGPASSWORD",
        "PGPASSFILE",
        "PGSERVICEFILE",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    }
)
"""Well-known variables of the deployment itself: never reachable by ``env://``."""
RESERVED_NAMESPACES = (
    "ORCH_",
    "OTEL_",
    "AWS_",
    "AZURE_",
    "GOOGLE_",
    "GCP_",
    "KUBERNETES_",
    "VAULT_",
    "DRAMATIQ_",
)
"""Prefixes of settings of the orchestrator (all of ``ORCH_*`` but ``ORCH_TENANT_*``), its
libraries and its platform: never reachable, and no tenant prefix may cover one."""

_PREFIX = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*_")
_VAULT_SEGMENT = re.compile(r"\.*[A-Za-z0-9_-][A-Za-z0-9_.-]*")
_TENANT_PLACEHOLDER = "{tenant_id}"


class OutOfScope(ValueError):
    """A ref names something its scheme may not reach; the message says what it may."""


@dataclass(frozen=True, slots=True)
class EnvVariable:
    """An environment variable of this process, already checked against the scope."""

    name: str


@dataclass(frozen=True, slots=True)
class StoredValue:
    """The value sealed in the ref's own row (``db://``)."""


@dataclass(frozen=True, slots=True)
class VaultField:
    """A field of the Vault secret at ``path`` under the workspace's prefix."""

    path: str
    field: str


Reach = EnvVariable | StoredValue | VaultField


def is_reserved(name: str) -> bool:
    """Whether ``name`` is a variable of the deployment itself (whatever the prefix)."""
    if name in RESERVED_NAMES:
        return True
    if name.startswith(TENANT_NAMESPACE):
        return False
    return name.startswith(RESERVED_NAMESPACES)


def env_prefix_refusal(prefix: str) -> str | None:
    """Why ``prefix`` may not be the tenant prefix of ``env://`` refs, or None."""
    if not prefix:
        return (
            "is empty, which would let env:// read every variable; "
            "set ORCH_SECRET_REFS_ENV_SCOPE=off to turn env:// refs off"
        )
    if len(prefix) > 100 or not _PREFIX.fullmatch(prefix):
        return (
            f"`{prefix}` must be upper-case letters, digits and single `_`, "
            "ending with `_` (e.g. ORCH_TENANT_SECRET_)"
        )
    if prefix.startswith("ORCH_") and not prefix.startswith(TENANT_NAMESPACE):
        return f"`{prefix}` would reach the orchestrator's own settings; use {TENANT_NAMESPACE}…"
    if covered := sorted(
        r for r in (*RESERVED_NAMES, *RESERVED_NAMESPACES) if r.startswith(prefix)
    ):
        return f"`{prefix}` would reach the deployment's own `{covered[0]}`"
    if inside := [ns for ns in RESERVED_NAMESPACES if ns != "ORCH_" and prefix.startswith(ns)]:
        return f"`{prefix}` lies inside the deployment's `{inside[0]}*` variables"
    return None


def workspace_part(tenant_id: uuid.UUID) -> str:
    """How a workspace appears in its variables' names: its id as 32 upper-case hex digits."""
    return tenant_id.hex.upper()


def vault_segments(path: str) -> tuple[str, ...]:
    """The segments of a tenant's Vault path; ``OutOfScope`` unless all are plain.

    A plain segment is letters, digits, ``_``, ``-`` and ``.``, with one character that is
    not a dot: no empty segment (``//``, a leading or trailing ``/``), no ``.`` or ``..``,
    no percent-encoding, backslash or other character a server might decode or normalise.
    """
    segments = tuple(path.split("/"))
    for segment in segments:
        if not _VAULT_SEGMENT.fullmatch(segment):
            raise OutOfScope(
                f"the Vault path `{path}` must be plain segments joined by single `/` "
                "(letters, digits, `_`, `-`, `.`; no empty, `.` or `..` segment)"
            )
    return segments


def vault_location(template: str, tenant_id: uuid.UUID, path: str) -> tuple[str, ...]:
    """The segments of ``path`` under the workspace's prefix (``template`` with its
    ``{tenant_id}``); ``OutOfScope`` when the template or the path could leave it."""
    if (
        template.count(_TENANT_PLACEHOLDER) != 1
        or "{" in template.replace(_TENANT_PLACEHOLDER, "")
        or "}" in template.replace(_TENANT_PLACEHOLDER, "")
    ):
        raise OutOfScope(
            "ORCH_VAULT_PATH_PREFIX must name `{tenant_id}` once (and no other `{…}`), "
            "so that each workspace reads under its own prefix"
        )
    prefix = [s for s in template.replace(_TENANT_PLACEHOLDER, str(tenant_id)).split("/") if s]
    if any(not _VAULT_SEGMENT.fullmatch(s) for s in prefix):
        raise OutOfScope("ORCH_VAULT_PATH_PREFIX must be plain segments (no `.` or `..`)")
    return (*prefix, *vault_segments(path))


@dataclass(frozen=True, slots=True)
class RefScope:
    """What refs may reach in this deployment (``ORCH_SECRET_REFS_*``)."""

    env_prefix: str = DEFAULT_ENV_PREFIX
    env_scope: EnvScope = "deployment"

    def __post_init__(self) -> None:
        if why := env_prefix_refusal(self.env_prefix):
            raise ValueError(f"ORCH_SECRET_REFS_ENV_PREFIX {why}")

    @classmethod
    def from_settings(cls, settings: SecretRefSettings) -> RefScope:
        """The scope of a deployment's ``ORCH_SECRET_REFS_*`` settings."""
        return cls(env_prefix=settings.env_prefix, env_scope=settings.env_scope)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> RefScope:
        """The scope of ``env``'s settings (default: the process environment);
        ``ConfigurationError`` when they are not valid."""
        return cls.from_settings(SecretRefSettings.from_env(os.environ if env is None else env))

    def env_prefix_of(self, tenant_id: uuid.UUID) -> str:
        """The prefix of the variables ``tenant_id``'s ``env://`` refs may read."""
        if self.env_scope == "workspace":
            return f"{self.env_prefix}{workspace_part(tenant_id)}_"
        return self.env_prefix

    def reach(self, parsed: ParsedRef, tenant_id: uuid.UUID) -> Reach:
        """What ``parsed`` may read for the workspace ``tenant_id``; ``OutOfScope`` if nothing."""
        match parsed.scheme:
            case "env":
                return EnvVariable(self._env_name(parsed.target, tenant_id))
            case "db":
                return StoredValue()
            case "vault":
                vault_segments(parsed.target)
                return VaultField(parsed.target, parsed.field)
            case _:  # pragma: no cover - mypy proves every scheme is handled
                assert_never(parsed.scheme)

    def refusal(self, parsed: ParsedRef, tenant_id: uuid.UUID) -> str | None:
        """Why ``parsed`` is refused for ``tenant_id``, or None when it may be written."""
        try:
            self.reach(parsed, tenant_id)
        except OutOfScope as exc:
            return str(exc)
        return None

    def _env_name(self, name: str, tenant_id: uuid.UUID) -> str:
        if self.env_scope == "off":
            raise OutOfScope("env:// refs are turned off in this deployment; use db:// or vault://")
        prefix = self.env_prefix_of(tenant_id)
        if len(name) <= len(prefix) or not name.startswith(prefix) or is_reserved(name):
            raise OutOfScope(
                f"env:// may read only variables named `{prefix}<NAME>` in this "
                f"deployment, and `{name}` is not one; store the value with db:// "
                "or ask the operators to provide the variable"
            )
        return name
