from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.bundle_webhook_binding import BundleWebhookBinding
    from ..models.bundle_webhook_source_options_type_0 import (
        BundleWebhookSourceOptionsType0,
    )
    from ..models.bundle_webhook_source_routing import BundleWebhookSourceRouting


T = TypeVar("T", bound="BundleWebhookSource")


@_attrs_define
class BundleWebhookSource:
    """
    Attributes:
        name (str):
        provider (str):
        secret_refs (list[str]):
        bindings (list[BundleWebhookBinding] | Unset):
        enabled (bool | Unset):  Default: True.
        id (None | Unset | UUID):
        max_body_bytes (int | Unset):  Default: 1048576.
        options (BundleWebhookSourceOptionsType0 | None | Unset):
        rate_limit_per_s (int | None | Unset):
        routing (BundleWebhookSourceRouting | Unset):
    """

    name: str
    provider: str
    secret_refs: list[str]
    bindings: list[BundleWebhookBinding] | Unset = UNSET
    enabled: bool | Unset = True
    id: None | Unset | UUID = UNSET
    max_body_bytes: int | Unset = 1048576
    options: BundleWebhookSourceOptionsType0 | None | Unset = UNSET
    rate_limit_per_s: int | None | Unset = UNSET
    routing: BundleWebhookSourceRouting | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.bundle_webhook_source_options_type_0 import (
            BundleWebhookSourceOptionsType0,
        )

        name = self.name

        provider = self.provider

        secret_refs = self.secret_refs

        bindings: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.bindings, Unset):
            bindings = []
            for bindings_item_data in self.bindings:
                bindings_item = bindings_item_data.to_dict()
                bindings.append(bindings_item)

        enabled = self.enabled

        id: None | str | Unset
        if isinstance(self.id, Unset):
            id = UNSET
        elif isinstance(self.id, UUID):
            id = str(self.id)
        else:
            id = self.id

        max_body_bytes = self.max_body_bytes

        options: dict[str, Any] | None | Unset
        if isinstance(self.options, Unset):
            options = UNSET
        elif isinstance(self.options, BundleWebhookSourceOptionsType0):
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
        if bindings is not UNSET:
            field_dict["bindings"] = bindings
        if enabled is not UNSET:
            field_dict["enabled"] = enabled
        if id is not UNSET:
            field_dict["id"] = id
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
        from ..models.bundle_webhook_binding import BundleWebhookBinding
        from ..models.bundle_webhook_source_options_type_0 import (
            BundleWebhookSourceOptionsType0,
        )
        from ..models.bundle_webhook_source_routing import BundleWebhookSourceRouting

        d = dict(src_dict)
        name = d.pop("name")

        provider = d.pop("provider")

        secret_refs = cast(list[str], d.pop("secret_refs"))

        _bindings = d.pop("bindings", UNSET)
        bindings: list[BundleWebhookBinding] | Unset = UNSET
        if _bindings is not UNSET:
            bindings = []
            for bindings_item_data in _bindings:
                bindings_item = BundleWebhookBinding.from_dict(bindings_item_data)

                bindings.append(bindings_item)

        enabled = d.pop("enabled", UNSET)

        def _parse_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                id_type_0 = UUID(data)

                return id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        id = _parse_id(d.pop("id", UNSET))

        max_body_bytes = d.pop("max_body_bytes", UNSET)

        def _parse_options(
            data: object,
        ) -> BundleWebhookSourceOptionsType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                options_type_0 = BundleWebhookSourceOptionsType0.from_dict(data)

                return options_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(BundleWebhookSourceOptionsType0 | None | Unset, data)

        options = _parse_options(d.pop("options", UNSET))

        def _parse_rate_limit_per_s(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        rate_limit_per_s = _parse_rate_limit_per_s(d.pop("rate_limit_per_s", UNSET))

        _routing = d.pop("routing", UNSET)
        routing: BundleWebhookSourceRouting | Unset
        if isinstance(_routing, Unset):
            routing = UNSET
        else:
            routing = BundleWebhookSourceRouting.from_dict(_routing)

        bundle_webhook_source = cls(
            name=name,
            provider=provider,
            secret_refs=secret_refs,
            bindings=bindings,
            enabled=enabled,
            id=id,
            max_body_bytes=max_body_bytes,
            options=options,
            rate_limit_per_s=rate_limit_per_s,
            routing=routing,
        )

        return bundle_webhook_source
