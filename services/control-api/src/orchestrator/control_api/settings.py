"""Settings of the control-api, read once per process."""

from __future__ import annotations

from typing import ClassVar

import msgspec

from orchestrator.core.settings import CoreSettings, GroupedSettings, HttpSettings, SettingsGroup


class ControlHttp(HttpSettings, frozen=True, kw_only=True):
    """Where the control-api listens (``ORCH_CONTROL_API_HOST``/``_PORT``)."""

    prefix: ClassVar[str] = "ORCH_CONTROL_API_"
    port: int = 4000


class OidcFederation(SettingsGroup, frozen=True, kw_only=True):
    """Single sign-on: which OpenID provider's ID tokens ``POST /oauth/token`` exchanges for
    operator tokens (RFC 8693, ``ORCH_OIDC_*``); none when ``issuer`` is empty."""

    prefix: ClassVar[str] = "ORCH_OIDC_"

    issuer: str = ""
    """The provider's issuer URL; its discovery document and keys are read from it."""
    audience: str = ""
    """The console's client id at the provider: an ID token must be addressed to it."""
    role_claim: str = "groups"
    """The claim whose values ``orchestrator:<organization>:<Role>`` give an organization and
    role; a dotted name (``realm_access.roles``) reaches into nested objects."""
    max_age_s: int = 600
    """An ID token issued longer ago than this is refused, whatever its ``exp``."""
    timeout_s: float = 2.5
    """Bound on one request to the provider (discovery or keys)."""
    jwks_min_refresh_s: float = 10.0
    """A token naming a key we do not hold refetches the keys at most this often."""

    @property
    def enabled(self) -> bool:
        """Whether the token exchange is offered."""
        return bool(self.issuer)

    def __post_init__(self) -> None:
        if self.issuer and not self.audience:
            raise ValueError("ORCH_OIDC_AUDIENCE (the console's client id) must be set")


class Settings(GroupedSettings, frozen=True, kw_only=True):
    """Everything the control-api reads."""

    core: CoreSettings
    http: ControlHttp
    oidc: OidcFederation = msgspec.field(default_factory=OidcFederation)


get_settings = Settings.current
