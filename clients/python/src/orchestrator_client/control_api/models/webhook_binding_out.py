from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.webhook_binding_out_payload_mapping_type_0 import (
        WebhookBindingOutPayloadMappingType0,
    )


T = TypeVar("T", bound="WebhookBindingOut")


@_attrs_define
class WebhookBindingOut:
    """
    Attributes:
        action (str):
        connector (None | str):
        created_at (datetime.datetime):
        enabled (bool):
        event_types (list[str]):
        forward_url (None | str):
        id (UUID):
        operation (None | str):
        payload_mapping (None | WebhookBindingOutPayloadMappingType0):
        source_id (UUID):
    """

    action: str
    connector: None | str
    created_at: datetime.datetime
    enabled: bool
    event_types: list[str]
    forward_url: None | str
    id: UUID
    operation: None | str
    payload_mapping: None | WebhookBindingOutPayloadMappingType0
    source_id: UUID
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.webhook_binding_out_payload_mapping_type_0 import (
            WebhookBindingOutPayloadMappingType0,
        )

        action = self.action

        connector: None | str
        connector = self.connector

        created_at = self.created_at.isoformat()

        enabled = self.enabled

        event_types = self.event_types

        forward_url: None | str
        forward_url = self.forward_url

        id = str(self.id)

        operation: None | str
        operation = self.operation

        payload_mapping: dict[str, Any] | None
        if isinstance(self.payload_mapping, WebhookBindingOutPayloadMappingType0):
            payload_mapping = self.payload_mapping.to_dict()
        else:
            payload_mapping = self.payload_mapping

        source_id = str(self.source_id)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "action": action,
                "connector": connector,
                "created_at": created_at,
                "enabled": enabled,
                "event_types": event_types,
                "forward_url": forward_url,
                "id": id,
                "operation": operation,
                "payload_mapping": payload_mapping,
                "source_id": source_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.webhook_binding_out_payload_mapping_type_0 import (
            WebhookBindingOutPayloadMappingType0,
        )

        d = dict(src_dict)
        action = d.pop("action")

        def _parse_connector(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        connector = _parse_connector(d.pop("connector"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        enabled = d.pop("enabled")

        event_types = cast(list[str], d.pop("event_types"))

        def _parse_forward_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        forward_url = _parse_forward_url(d.pop("forward_url"))

        id = UUID(d.pop("id"))

        def _parse_operation(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        operation = _parse_operation(d.pop("operation"))

        def _parse_payload_mapping(
            data: object,
        ) -> None | WebhookBindingOutPayloadMappingType0:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                payload_mapping_type_0 = WebhookBindingOutPayloadMappingType0.from_dict(
                    data
                )

                return payload_mapping_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | WebhookBindingOutPayloadMappingType0, data)

        payload_mapping = _parse_payload_mapping(d.pop("payload_mapping"))

        source_id = UUID(d.pop("source_id"))

        webhook_binding_out = cls(
            action=action,
            connector=connector,
            created_at=created_at,
            enabled=enabled,
            event_types=event_types,
            forward_url=forward_url,
            id=id,
            operation=operation,
            payload_mapping=payload_mapping,
            source_id=source_id,
        )

        webhook_binding_out.additional_properties = d
        return webhook_binding_out

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
