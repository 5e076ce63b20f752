from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.webhook_source_in_provider import WebhookSourceInProvider
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.webhook_source_in_options_type_0 import WebhookSourceInOptionsType0
    from ..models.webhook_source_in_routing import WebhookSourceInRouting


T = TypeVar("T", bound="WebhookSourceIn")


@_attrs_define
class WebhookSourceIn:
    """
    Attributes:
        name (str):
        provider (WebhookSourceInProvider): Who signs the deliveries; another name is a 422.
        secret_refs (list[str]): Names of secret refs holding the signing secrets: any one verifies a delivery, so a
            rotation lists old and new. A missing ref is a 422.
        enabled (bool | Unset):  Default: True.
        max_body_bytes (int | Unset):  Default: 1048576.
        options (None | Unset | WebhookSourceInOptionsType0): Only for provider `hmac`, and required there: `header`
            (required), `algorithm`, `encoding`, `prefix`, `timestamp_header`, `tolerance_s`, `signed`, `dedupe_header`,
            `event_type_header`. An invalid member is a 422 naming it.
        rate_limit_per_s (int | None | Unset):
        routing (WebhookSourceInRouting | Unset): Routing key → the values this workspace claims (a Slack `team_id`, a
            GitHub `installation_id`, …); a key the provider's events lack is a 422.
    """

    name: str
    provider: WebhookSourceInProvider
    secret_refs: list[str]
    enabled: bool | Unset = True
    max_body_bytes: int | Unset = 1048576
    options: None | Unset | WebhookSourceInOptionsType0 = UNSET
    rate_limit_per_s: int | None | Unset = UNSET
    routing: WebhookSourceInRouting | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.webhook_source_in_options_type_0 import (
            WebhookSourceInOptionsType0,
        )

        name = self.name

        provider = self.provider.value

        secret_refs = self.secret_refs

        enabled = self.enabled

        max_body_bytes = self.max_body_bytes

        options: dict[str, Any] | None | Unset
        if isinstance(self.options, Unset):
            options = UNSET
        elif isinstance(self.options, WebhookSourceInOptionsType0):
            options = self.options.to_dict()
        else:
            options = self.options

        rate_limit_per_s: int | None | Unset
        if isinstance(self.rate_limit_per_s, Unset):
            rate_limit_per_s = UNSET
        else:
            rate_limit_per_s = self.rate_limit_per_s

        routing: dict[str, Any] | Unset = UNSET
        if not isinstance(self.routing, Unset):
            routing = self.routing.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "provider": provider,
                "secret_refs": secret_refs,
            }
        )
        if enabled is not UNSET:
            field_dict["enabled"] = enabled
        if max_body_bytes is not UNSET:
            field_dict["max_body_bytes"] = max_body_bytes
        if options is not UNSET:
            field_dict["options"] = options
        if rate_limit_per_s is not UNSET:
            field_dict["rate_limit_per_s"] = rate_limit_per_s
        if routing is not UNSET:
            field_dict["routing"] = routing

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.webhook_source_in_options_type_0 import (
            WebhookSourceInOptionsType0,
        )
        from ..models.webhook_source_in_routing import WebhookSourceInRouting

        d = dict(src_dict)
        name = d.pop("name")

        provider = WebhookSourceInProvider(d.pop("provider"))

        secret_refs = cast(list[str], d.pop("secret_refs"))

        enabled = d.pop("enabled", UNSET)

        max_body_bytes = d.pop("max_body_bytes", UNSET)

        def _parse_options(data: object) -> None | Unset | WebhookSourceInOptionsType0:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                options_type_0 = WebhookSourceInOptionsType0.from_dict(data)

                return options_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | WebhookSourceInOptionsType0, data)

        options = _parse_options(d.pop("options", UNSET))

        def _parse_rate_limit_per_s(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        rate_limit_per_s = _parse_rate_limit_per_s(d.pop("rate_limit_per_s", UNSET))

        _routing = d.pop("routing", UNSET)
        routing: WebhookSourceInRouting | Unset
        if isinstance(_routing, Unset):
            routing = UNSET
        else:
            routing = WebhookSourceInRouting.from_dict(_routing)

        webhook_source_in = cls(
            name=name,
            provider=provider,
            secret_refs=secret_refs,
            enabled=enabled,
            max_body_bytes=max_body_bytes,
            options=options,
            rate_limit_per_s=rate_limit_per_s,
            routing=routing,
        )

        return webhook_source_in
