"""Typed settings groups, read from the environment when asked for, never at import time.

Each service builds one cached settings object from these groups (see its
``settings.py``); a group names its environment prefix, and a field ``foo``
of a group with prefix ``ORCH_DB_`` is read from ``ORCH_DB_FOO``. A few
well-known variables (``DATABASE_URL``, ``REDIS_URL``) keep their usual names.
"""

from __future__ import annotations

import base64
import functools
import os
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal, Self

import msgspec

from orchestrator.core.errors import ConfigurationError

Environment = Literal["dev", "prod"]


class SettingsGroup(msgspec.Struct, frozen=True, kw_only=True):
    """Base for a settings group read from environment variables."""

    prefix: ClassVar[str] = "ORCH_"
    aliases: ClassVar[dict[str, str]] = {}

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Self:
        """Build the group from ``env`` (default: the process environment)."""
        source = os.environ if env is None else env
        raw: dict[str, Any] = {}
        for name in cls.__struct_fields__:
            key = cls.aliases.get(name, f"{cls.prefix}{name.upper()}")
            if key in source and source[key] != "":
                raw[name] = source[key]
        try:
            return msgspec.convert(raw, cls, strict=False)
        except msgspec.ValidationError as exc:
            raise ConfigurationError(f"{cls.__name__}: {exc}") from exc


class DatabaseSettings(SettingsGroup, frozen=True, kw_only=True):
    """PostgreSQL: the owner URL for migrations and the runtime role for services."""

    prefix: ClassVar[str] = "ORCH_DB_"
    aliases: ClassVar[dict[str, str]] = {"url": "DATABASE_URL", "app_url": "ORCH_DATABASE_APP_URL"}

    url: str = ""
    app_url: str = ""
    app_role: str = "orchestrator_app"
    app_password: str = ""
    # No overflow: overflow connections are closed on return, and reconnecting
    # under load costs far more than waiting briefly for a pooled connection.
    pool_size: int = 16
    max_overflow: int = 0
    statement_timeout_ms: int = 15_000
    connect_timeout_s: int = 2
    """libpq ``connect_timeout``: a server that does not finish the handshake (2 at least)."""
    pool_timeout_s: float = 2.0
    """How long a caller waits for a pooled connection before failing (503 on HTTP)."""
    query_timeout_s: float = 20.0
    """Client-side bound on one round trip of a query, commit or rollback; past it the
    connection is closed. Above ``statement_timeout_ms``, so the server's bound fires first
    whenever the server can still act; this one also holds against a frozen server."""
    keepalives_idle_s: int = 5
    """TCP keepalives (``keepalives_idle``/``_interval``/``_count``) find a dead peer."""
    keepalives_interval_s: int = 2
    keepalives_count: int = 3
    tcp_user_timeout_ms: int = 10_000
    """``tcp_user_timeout``: how long sent data may stay unacknowledged (a lost peer)."""
    idle_session_timeout_s: float = 60.0
    """PostgreSQL closes a connection of ours left idle (outside a transaction) this long,
    and its backend's memory returns (ADR 0098); 0 keeps idle connections open. The client
    replaces a connection idle for three quarters of it before using it again."""

    def owner_url(self) -> str:
        """URL of the role that owns the schema (migrations, bootstrap)."""
        if not self.url:
            raise ConfigurationError(
                "DATABASE_URL is not set (`make run` runs the stack on an embedded database, "
                "which the CLI finds from another shell)"
            )
        return self.url

    def runtime_url(self) -> str:
        """URL of the runtime role: no table ownership, no superuser, no BYPASSRLS."""
        if self.app_url:
            return self.app_url
        from sqlalchemy.engine import make_url  # local: keep import of settings cheap

        url = make_url(self.owner_url()).set(
            username=self.app_role, password=self.app_password or None
        )
        return url.render_as_string(hide_password=False)


class RedisSettings(SettingsGroup, frozen=True, kw_only=True):
    """Redis: the Dramatiq broker, rate limits, breaker state and pub/sub."""

    prefix: ClassVar[str] = "ORCH_REDIS_"
    aliases: ClassVar[dict[str, str]] = {"url": "REDIS_URL"}

    url: str = ""
    namespace: str = "orch"
    socket_timeout_s: float = 2.0
    """Bound on one command's answer (pub/sub listeners wait without it)."""
    connect_timeout_s: float = 2.0

    def client_options(self) -> dict[str, Any]:
        """Timeouts and keepalives every redis-py client of ours is built with."""
        return {
            "socket_timeout": self.socket_timeout_s,
            "socket_connect_timeout": self.connect_timeout_s,
            "socket_keepalive": True,
        }

    def require_url(self) -> str:
        """The Redis URL, or a clear error when none is configured."""
        if not self.url:
            raise ConfigurationError(
                "REDIS_URL is not set (`make run` runs the stack on an embedded Redis, "
                "which the CLI finds from another shell)"
            )
        return self.url


class AuthSettings(SettingsGroup, frozen=True, kw_only=True):
    """Token issuing and verification."""

    prefix: ClassVar[str] = "ORCH_AUTH_"

    issuer: str = "https://orchestrator.local"
    token_ttl_s: int = 900
    leeway_s: int = 30
    key_refresh_s: float = 30.0
    revocation_poll_s: float = 0.5
    cache_size: int = 50_000
    max_token_lifetime_s: int = 3600
    """Longest ``exp - iat`` a verifier accepts: what the issuer mints at most (an
    hour-long impersonation, ADR 0043); at least ``token_ttl_s`` and 3600."""
    failure_window_s: int = 300
    """How long failed client authentications at ``/oauth/token`` are counted."""
    failures_per_client_address: int = 10
    """Failures of one client id from one address before that pair is refused (429)."""
    failures_per_address: int = 50
    """Failures from one address, any client ids, before the address is refused."""
    failures_per_client: int = 100
    """Failures of one client id, from any address, before the client id is refused."""
    trusted_proxies: str = ""
    """Comma-separated CIDRs of proxies whose ``X-Forwarded-For`` names the client's address."""
    streams_per_token: int = 5
    """Concurrent SSE streams one token (``jti``) may hold across every exec-api replica."""

    def __post_init__(self) -> None:
        # A shorter maximum would refuse tokens the control-api itself issues.
        if self.max_token_lifetime_s < max(self.token_ttl_s, 3600):
            raise ValueError("max_token_lifetime_s must be at least token_ttl_s and 3600")


class CryptoSettings(SettingsGroup, frozen=True, kw_only=True):
    """Key-encryption keys for envelope encryption of secrets at rest."""

    prefix: ClassVar[str] = "ORCH_"

    kek: str = ""
    kek_id: str = "kek-1"
    kek_previous: str = ""
    """The key being rotated away from (``orchestrator keys rotate-kek``), still readable."""
    kek_previous_id: str = ""

    def kek_bytes(self) -> bytes:
        """The 32-byte key-encryption key, base64 in ``ORCH_KEK``."""
        return _decode_kek(self.kek, "ORCH_KEK")

    def previous_kek_bytes(self) -> bytes | None:
        """The previous KEK from ``ORCH_KEK_PREVIOUS``, if one is configured."""
        return _decode_kek(self.kek_previous, "ORCH_KEK_PREVIOUS") if self.kek_previous else None


def _decode_kek(value: str, variable: str) -> bytes:
    if not value:
        raise ConfigurationError(f"{variable} is not set (base64 of 32 random bytes)")
    try:
        key = base64.b64decode(value, validate=True)
    except ValueError as exc:
        raise ConfigurationError(f"{variable} is not valid base64") from exc
    if len(key) != 32:
        raise ConfigurationError(f"{variable} must decode to 32 bytes")
    return key


class ObservabilitySettings(SettingsGroup, frozen=True, kw_only=True):
    """Logging and metrics."""

    prefix: ClassVar[str] = "ORCH_LOG_"

    level: str = "INFO"
    json: bool = True
    access: bool = True
    """One log line per HTTP request (method, route, status, duration)."""


class TracingSettings(SettingsGroup, frozen=True, kw_only=True):
    """OpenTelemetry traces. The W3C ``traceparent`` is propagated whatever the exporter;
    the SDK reads the standard ``OTEL_*`` variables (endpoint, sampler, batch delay)."""

    prefix: ClassVar[str] = "ORCH_TRACING_"

    exporter: Literal["none", "otlp", "console"] = "none"
    """``none``: no spans, only propagation; ``otlp``: OTLP/HTTP to
    ``OTEL_EXPORTER_OTLP_ENDPOINT``; ``console``: spans printed to stdout."""


PROBE_TIMEOUT_S = 1.5
"""The longest a readiness check waits for PostgreSQL or for Redis (here, with the
settings, so the worker's probes read it without the HTTP services' runtime)."""


class DeploymentSettings(SettingsGroup, frozen=True, kw_only=True):
    """Facts about this deployment."""

    prefix: ClassVar[str] = "ORCH_"

    environment: Environment = "dev"
    max_body_bytes: int = 1_048_576
    request_deadline_s: float = 3.0
    """How long an HTTP request may take before its answer starts (time spent calling an
    upstream under its policy's own deadline does not count); past it: 503
    ``dependency-unavailable`` with ``Retry-After``."""
    retry_after_s: int = 1
    """The ``Retry-After`` of an answer refused because PostgreSQL or Redis did not answer."""
    max_json_depth: int = 64
    """How deep a JSON body may nest (arrays and objects inside each other), checked on the
    raw bytes before it is parsed; deeper is a 400 ``json-too-deep``. At most 128, the
    depth every stored value reads back at (``jsonbounds.STORED_DEPTH``)."""
    fast_routes: bool = True
    """Serve the hot routes' common case without the framework (ADR 0038). Off, the
    framework's routes answer everything, the same answers more slowly: for diagnosis,
    and for the test that compares the two."""

    def __post_init__(self) -> None:
        if not 1 <= self.max_json_depth <= 128:
            raise ValueError("ORCH_MAX_JSON_DEPTH must be between 1 and 128")


class HttpSettings(SettingsGroup, frozen=True, kw_only=True):
    """Where one HTTP service listens; each service gives its own prefix and port."""

    host: str = "127.0.0.1"
    port: int = 0


class UpstreamSettings(SettingsGroup, frozen=True, kw_only=True):
    """Outbound calls to tenants' upstream APIs: address policy (SSRF) and the connection pool."""

    prefix: ClassVar[str] = "ORCH_UPSTREAM_"

    allow_loopback: bool = False
    """Allow 127.0.0.0/8 and ::1 (tests and ``make run`` call loopback upstreams)."""
    allow_private: bool = False
    """Allow RFC 1918, CGNAT 100.64.0.0/10 and fc00::/7 (upstreams on a private network)."""
    pool_size_per_host: int = 128
    keepalive_s: float = 30.0
    dns_cache_s: int = 10
    max_response_bytes: int = 10_485_760


class ExecutionSettings(SettingsGroup, frozen=True, kw_only=True):
    """How the exec plane runs connector operations."""

    prefix: ClassVar[str] = "ORCH_EXEC_"

    config_ttl_s: float = 5.0
    """How stale a process's view of a connector may get if a change notice is missed."""


class SecretRefSettings(SettingsGroup, frozen=True, kw_only=True):
    """What ``env://`` secret refs may read (the rule: ``secrets/scope.py``, docs/secrets.md)."""

    prefix: ClassVar[str] = "ORCH_SECRET_REFS_"

    env_prefix: str = "ORCH_TENANT_SECRET_"
    """Only variables named ``<env_prefix><NAME>``; never ``ORCH_*`` outside ``ORCH_TENANT_``,
    ``DATABASE_URL``, ``REDIS_URL`` or another reserved variable (refused at start-up)."""
    env_scope: Literal["off", "deployment", "workspace"] = "deployment"
    """``workspace``: only ``<env_prefix><WORKSPACE_ID>_<NAME>`` (the id as 32 upper-case
    hex digits); ``off``: no ``env://`` ref resolves."""

    def __post_init__(self) -> None:
        from orchestrator.core.secrets.scope import RefScope  # the rule lives there

        RefScope(env_prefix=self.env_prefix, env_scope=self.env_scope)  # ValueError if bad

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Self:
        """As for every group, except that an empty prefix is an error, not the default."""
        source = os.environ if env is None else env
        if source.get("ORCH_SECRET_REFS_ENV_PREFIX") == "":
            raise ConfigurationError(
                "ORCH_SECRET_REFS_ENV_PREFIX is empty, which would let env:// read every "
                "variable; set ORCH_SECRET_REFS_ENV_SCOPE=off to turn env:// refs off"
            )
        return super().from_env(source)


class PayloadSettings(SettingsGroup, frozen=True, kw_only=True):
    """Where large payloads go (ADR 0089): an S3-compatible bucket of the deployment's.

    No bucket, no store: every body stays inline in its row. Credentials are boto3's own
    chain (the ``AWS_*`` variables, a web identity, an instance profile), never a tenant's.
    """

    prefix: ClassVar[str] = "ORCH_PAYLOAD_"
    aliases: ClassVar[dict[str, str]] = {"key_prefix": "ORCH_PAYLOAD_PREFIX"}

    bucket: str = ""
    """The bucket large payloads are put to; empty turns the store off."""
    endpoint_url: str = ""
    """An S3-compatible endpoint (MinIO, moto); empty: AWS S3 of the standard region."""
    key_prefix: str = ""
    """Prepended to every object key (``<prefix><workspace id>/<kind>/<row id>``)."""
    threshold_bytes: Annotated[int, msgspec.Meta(ge=1)] = 262_144
    """A payload larger than this many bytes goes to the bucket; one this size or smaller
    stays inline."""
    timeout_s: Annotated[float, msgspec.Meta(gt=0)] = 2.0
    """Bound on one call to the store (a second more for each 8 MiB it moves), and on each
    connection and read inside it: a store that is down or hangs is a prompt 503, not a
    hung request."""

    @property
    def enabled(self) -> bool:
        """Whether a bucket is configured."""
        return bool(self.bucket)


class ChannelSettings(SettingsGroup, frozen=True, kw_only=True):
    """The workspace status channel (``ORCH_CHANNEL_*``, docs/channels.md)."""

    prefix: ClassVar[str] = "ORCH_CHANNEL_"
    sessions_per_user: int = 3
    """Sessions one user may hold open on one workspace; opening another closes the oldest."""
    idle_s: float = 120.0
    """A session no stream or action has used for this long is closed."""
    heartbeat_s: float = 15.0
    """A stream sends a keep-alive comment and renews its session this often."""
    keep_days: int = 30
    """Days of counters kept (30 to 90); older days are deleted by the worker's retention."""
    guest_token_ttl_s: Annotated[int, msgspec.Meta(ge=60, le=3600)] = 900
    """Lifetime of a guest's channel token (at most an hour)."""
    guest_session_max_s: Annotated[int, msgspec.Meta(ge=600, le=86400)] = 8 * 3600
    """A guest's tokens are refreshed until this long after the redeem (ADR 0108)."""
    invite_ttl_s: int = 7 * 24 * 3600
    """How long an invite may be redeemed."""
    actions_per_minute: int = 30
    """Actions one session may send a minute (429 with ``Retry-After`` beyond)."""
    dlq_threshold: int = 10
    """A workspace's DLQ reaching this many dead jobs posts ``dlq_growing`` on its channel."""

    def __post_init__(self) -> None:
        if not 30 <= self.keep_days <= 90:
            raise ValueError("keep_days must be between 30 and 90")
        if self.sessions_per_user < 1 or self.idle_s <= self.heartbeat_s:
            raise ValueError("sessions_per_user must be positive and idle_s above heartbeat_s")


class GroupedSettings(msgspec.Struct, frozen=True, kw_only=True):
    """Base of settings made of groups (``CoreSettings``, a service's ``Settings``): each
    member's type reads it (``SettingsGroup.from_env``, or a nested ``GroupedSettings``)."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Self:
        """Read every member from ``env`` (default: the process environment), in order."""
        return cls(**{f.name: f.type.from_env(env) for f in msgspec.structs.fields(cls)})

    @classmethod
    @functools.cache
    def current(cls) -> Self:
        """The process's settings (a service's ``get_settings``): read from the environment
        on first use, the same object afterwards."""
        return cls.from_env()


class CoreSettings(GroupedSettings, frozen=True, kw_only=True):
    """The groups every service reads."""

    db: DatabaseSettings
    redis: RedisSettings
    auth: AuthSettings
    crypto: CryptoSettings
    log: ObservabilitySettings
    deployment: DeploymentSettings
    upstream: UpstreamSettings = msgspec.field(default_factory=UpstreamSettings)
    execution: ExecutionSettings = msgspec.field(default_factory=ExecutionSettings)
    tracing: TracingSettings = msgspec.field(default_factory=TracingSettings)
    secret_refs: SecretRefSettings = msgspec.field(default_factory=SecretRefSettings)
    payload: PayloadSettings = msgspec.field(default_factory=PayloadSettings)
    channel: ChannelSettings = msgspec.field(default_factory=ChannelSettings)
