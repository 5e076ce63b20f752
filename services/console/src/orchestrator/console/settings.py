"""Settings of the console, read once per process."""

from __future__ import annotations

from typing import ClassVar

import msgspec

from orchestrator.core.settings import (
    DeploymentSettings,
    GroupedSettings,
    HttpSettings,
    ObservabilitySettings,
    RedisSettings,
    SettingsGroup,
)


class ConsoleHttp(HttpSettings, frozen=True, kw_only=True):
    """Where the console listens (``ORCH_CONSOLE_HOST``/``_PORT``)."""

    prefix: ClassVar[str] = "ORCH_CONSOLE_"
    port: int = 4002


class ConsoleOptions(SettingsGroup, frozen=True, kw_only=True):
    """What the console talks to and how long its sessions live (``ORCH_CONSOLE_*``)."""

    prefix: ClassVar[str] = "ORCH_CONSOLE_"

    control_api_url: str = "http://127.0.0.1:4000"
    exec_api_url: str = "http://127.0.0.1:4001"
    api_timeout_s: float = 2.5
    """Bound on one call to the control-api or exec-api; past it the page answers 503."""
    session_idle_s: int = 1800
    """A session unused this long ends, and the token it held is revoked."""
    sweep_interval_s: float = 1.0
    """How often ended sessions are looked for (their tokens revoked)."""
    session_check_s: float = 1.0
    """How often an open page asks whether its session still holds (a revoked or disabled
    operator is signed out within this)."""
    page_size: int = 50


class ConsoleOidc(SettingsGroup, frozen=True, kw_only=True):
    """Single sign-on through an OpenID provider (``ORCH_CONSOLE_OIDC_*``); off while
    ``issuer`` is empty. The control-api must trust the same issuer (``ORCH_OIDC_*``)."""

    prefix: ClassVar[str] = "ORCH_CONSOLE_OIDC_"
    aliases: ClassVar[dict[str, str]] = {
        "public_url": "ORCH_CONSOLE_PUBLIC_URL",
        "credential_sign_in": "ORCH_CONSOLE_CREDENTIAL_SIGN_IN",
    }

    issuer: str = ""
    client_id: str = ""
    client_secret: str = ""
    """The console's secret at the provider: never logged (the scrubber knows it)."""
    scopes: str = "openid"
    """What the console asks for; the role claim must reach the ID token with these."""
    public_url: str = ""
    """The console's URL as browsers reach it; the provider sends them back to
    ``{public_url}/sign-in/oidc/callback``. Empty: ``http://{host}:{port}``."""
    credential_sign_in: bool = True
    """Whether the client id and secret form is offered too (``false``: single sign-on only)."""

    @property
    def enabled(self) -> bool:
        """Whether single sign-on is offered."""
        return bool(self.issuer)

    def __post_init__(self) -> None:
        if self.issuer and not (self.client_id and self.client_secret):
            raise ValueError("ORCH_CONSOLE_OIDC_CLIENT_ID and _CLIENT_SECRET must be set")
        if not self.issuer and not self.credential_sign_in:
            raise ValueError("without ORCH_CONSOLE_OIDC_ISSUER, nobody could sign in")


class Settings(GroupedSettings, frozen=True, kw_only=True):
    """Everything the console reads."""

    http: ConsoleHttp
    console: ConsoleOptions
    redis: RedisSettings
    deployment: DeploymentSettings
    log: ObservabilitySettings
    oidc: ConsoleOidc = msgspec.field(default_factory=ConsoleOidc)

    @property
    def secure_cookies(self) -> bool:
        """Cookies carry ``Secure`` (and the ``__Host-`` prefix) outside ``dev``."""
        return self.deployment.environment != "dev"


get_settings = Settings.current
