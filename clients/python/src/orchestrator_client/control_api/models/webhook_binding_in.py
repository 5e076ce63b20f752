from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.webhook_binding_in_action import WebhookBindingInAction
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.webhook_binding_in_payload_mapping_type_0 import (
        WebhookBindingInPayloadMappingType0,
    )


T = TypeVar("T", bound="WebhookBindingIn")


@_attrs_define
class WebhookBindingIn:
    """
    Attributes:
        action (WebhookBindingInAction):
        connector (None | str | Unset):
        enabled (bool | Unset):  Default: True.
        event_types (list[str] | Unset): Only events of these types (empty: every event).
        forward_url (None | str | Unset):
        operation (None | str | Unset):
        payload_mapping (None | Unset | WebhookBindingInPayloadMappingType0): Job payload field → JSON pointer into the
            event (`/data/object/id`); `` or `/` is the whole event; another pointer syntax is a 422. Omitted: the whole
            event is the payload.
    """

    action: WebhookBindingInAction
    connector: None | str | Unset = UNSET
    enabled: bool | Unset = True
    event_types: list[str] | Unset = UNSET
    forward_url: None | str | Unset = UNSET
    operation: None | str | Unset = UNSET
    payload_mapping: None | Unset | WebhookBindingInPayloadMappingType0 = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.webhook_binding_in_payload_mapping_type_0 import (
            WebhookBindingInPayloadMappingType0,
        )

        action = self.action.value

        connector: None | str | Unset
        if isinstance(self.connector, Unset):
            connector = UNSET
        else:
            connector = self.connector

        enabled = self.enabled

        event_types: list[str] | Unset = UNSET
        if not isinstance(self.event_types, Unset):
            event_types = self.event_types

        forward_url: None | str | Unset
        if isinstance(self.forward_url, Unset):
            forward_url = UNSET
        else:
            forward_url = self.forward_url

        operation: None | str | Unset
        if isinstance(self.operation, Unset):
            operation = UNSET
        else:
            operation = self.operation

        payload_mapping: dict[str, Any] | None | Unset
        if isinstance(self.payload_mapping, Unset):
            payload_mapping = UNSET
        elif isinstance(self.payload_mapping, WebhookBindingInPayloadMappingType0):
            payload_mapping = self.payload_mapping.to_dict()
        else:
            payload_mapping = self.payload_mapping

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "action": action,
            }
        )
        if connector is not UNSET:
            field_dict["connector"] = connector
        if enabled is not UNSET:
            field_dict["enabled"] = enabled
        if event_types is not UNSET:
            field_dict["event_types"] = event_types
        if forward_url is not UNSET:
            field_dict["forward_url"] = forward_url
        if operation is not UNSET:
            field_dict["operation"] = operation
        if payload_mapping is not UNSET:
            field_dict["payload_mapping"] = payload_mapping

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.webhook_binding_in_payload_mapping_type_0 import (
            WebhookBindingInPayloadMappingType0,
        )

        d = dict(src_dict)
        action = WebhookBindingInAction(d.pop("action"))

        def _parse_connector(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        connector = _parse_connector(d.pop("connector", UNSET))

        enabled = d.pop("enabled", UNSET)

        event_types = cast(list[str], d.pop("event_types", UNSET))

        def _parse_forward_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        forward_url = _parse_forward_url(d.pop("forward_url", UNSET))

        def _parse_operation(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        operation = _parse_operation(d.pop("operation", UNSET))

        def _parse_payload_mapping(
            data: object,
        ) -> None | Unset | WebhookBindingInPayloadMappingType0:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                payload_mapping_type_0 = WebhookBindingInPayloadMappingType0.from_dict(
                    data
                )

                return payload_mapping_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | WebhookBindingInPayloadMappingType0, data)

        payload_mapping = _parse_payload_mapping(d.pop("payload_mapping", UNSET))

        webhook_binding_in = cls(
            action=action,
            connector=connector,
            enabled=enabled,
            event_types=event_types,
            forward_url=forward_url,
            operation=operation,
            payload_mapping=payload_mapping,
        )

        return webhook_binding_in
