from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.webhook_source_out_options_type_0 import WebhookSourceOutOptionsType0
    from ..models.webhook_source_out_routing import WebhookSourceOutRouting


T = TypeVar("T", bound="WebhookSourceOut")


@_attrs_define
class WebhookSourceOut:
    """
    Attributes:
        created_at (datetime.datetime):
        enabled (bool):
        id (UUID):
        ingress_path (str):
        max_body_bytes (int):
        name (str):
        options (None | WebhookSourceOutOptionsType0):
        provider (str):
        rate_limit_per_s (int | None):
        routing (WebhookSourceOutRouting):
        secret_refs (list[str]):
        updated_at (datetime.datetime):
        version (int):
    """

    created_at: datetime.datetime
    enabled: bool
    id: UUID
    ingress_path: str
    max_body_bytes: int
    name: str
    options: None | WebhookSourceOutOptionsType0
    provider: str
    rate_limit_per_s: int | None
    routing: WebhookSourceOutRouting
    secret_refs: list[str]
    updated_at: datetime.datetime
    version: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.webhook_source_out_options_type_0 import (
            WebhookSourceOutOptionsType0,
        )

        created_at = self.created_at.isoformat()

        enabled = self.enabled

        id = str(self.id)

        ingress_path = self.ingress_path

        max_body_bytes = self.max_body_bytes

        name = self.name

        options: dict[str, Any] | None
        if isinstance(self.options, WebhookSourceOutOptionsType0):
            options = self.options.to_dict()
        else:
            options = self.options

        provider = self.provider

        rate_limit_per_s: int | None
        rate_limit_per_s = self.rate_limit_per_s

        routing = self.routing.to_dict()

        secret_refs = self.secret_refs

        updated_at = self.updated_at.isoformat()

        version = self.version

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "enabled": enabled,
                "id": id,
                "ingress_path": ingress_path,
                "max_body_bytes": max_body_bytes,
                "name": name,
                "options": options,
                "provider": provider,
                "rate_limit_per_s": rate_limit_per_s,
                "routing": routing,
                "secret_refs": secret_refs,
                "updated_at": updated_at,
                "version": version,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.webhook_source_out_options_type_0 import (
            WebhookSourceOutOptionsType0,
        )
        from ..models.webhook_source_out_routing import WebhookSourceOutRouting

        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        enabled = d.pop("enabled")

        id = UUID(d.pop("id"))

        ingress_path = d.pop("ingress_path")

        max_body_bytes = d.pop("max_body_bytes")

        name = d.pop("name")

        def _parse_options(data: object) -> None | WebhookSourceOutOptionsType0:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                options_type_0 = WebhookSourceOutOptionsType0.from_dict(data)

                return options_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | WebhookSourceOutOptionsType0, data)

        options = _parse_options(d.pop("options"))

        provider = d.pop("provider")

        def _parse_rate_limit_per_s(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        rate_limit_per_s = _parse_rate_limit_per_s(d.pop("rate_limit_per_s"))

        routing = WebhookSourceOutRouting.from_dict(d.pop("routing"))

        secret_refs = cast(list[str], d.pop("secret_refs"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        version = d.pop("version")

        webhook_source_out = cls(
            created_at=created_at,
            enabled=enabled,
            id=id,
            ingress_path=ingress_path,
            max_body_bytes=max_body_bytes,
            name=name,
            options=options,
            provider=provider,
            rate_limit_per_s=rate_limit_per_s,
            routing=routing,
            secret_refs=secret_refs,
            updated_at=updated_at,
            version=version,
        )

        webhook_source_out.additional_properties = d
        return webhook_source_out

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
