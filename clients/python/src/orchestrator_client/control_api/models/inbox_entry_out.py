from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.inbox_entry_out_status import InboxEntryOutStatus

if TYPE_CHECKING:
    from ..models.inbox_entry_out_headers import InboxEntryOutHeaders
    from ..models.inbox_entry_out_routing import InboxEntryOutRouting


T = TypeVar("T", bound="InboxEntryOut")


@_attrs_define
class InboxEntryOut:
    """
    Attributes:
        actions (int):
        attempts (int):
        body_bytes (int):
        dedupe_id (str):
        event_type (None | str):
        headers (InboxEntryOutHeaders):
        id (UUID):
        last_error (None | str):
        processed_at (datetime.datetime | None):
        provider (str):
        received_at (datetime.datetime):
        routed_source_id (None | UUID):
        routed_workspace_id (None | UUID):
        routing (InboxEntryOutRouting):
        source_id (UUID):
        status (InboxEntryOutStatus):
    """

    actions: int
    attempts: int
    body_bytes: int
    dedupe_id: str
    event_type: None | str
    headers: InboxEntryOutHeaders
    id: UUID
    last_error: None | str
    processed_at: datetime.datetime | None
    provider: str
    received_at: datetime.datetime
    routed_source_id: None | UUID
    routed_workspace_id: None | UUID
    routing: InboxEntryOutRouting
    source_id: UUID
    status: InboxEntryOutStatus
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        actions = self.actions

        attempts = self.attempts

        body_bytes = self.body_bytes

        dedupe_id = self.dedupe_id

        event_type: None | str
        event_type = self.event_type

        headers = self.headers.to_dict()

        id = str(self.id)

        last_error: None | str
        last_error = self.last_error

        processed_at: None | str
        if isinstance(self.processed_at, datetime.datetime):
            processed_at = self.processed_at.isoformat()
        else:
            processed_at = self.processed_at

        provider = self.provider

        received_at = self.received_at.isoformat()

        routed_source_id: None | str
        if isinstance(self.routed_source_id, UUID):
            routed_source_id = str(self.routed_source_id)
        else:
            routed_source_id = self.routed_source_id

        routed_workspace_id: None | str
        if isinstance(self.routed_workspace_id, UUID):
            routed_workspace_id = str(self.routed_workspace_id)
        else:
            routed_workspace_id = self.routed_workspace_id

        routing = self.routing.to_dict()

        source_id = str(self.source_id)

        status = self.status.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "actions": actions,
                "attempts": attempts,
                "body_bytes": body_bytes,
                "dedupe_id": dedupe_id,
                "event_type": event_type,
                "headers": headers,
                "id": id,
                "last_error": last_error,
                "processed_at": processed_at,
                "provider": provider,
                "received_at": received_at,
                "routed_source_id": routed_source_id,
                "routed_workspace_id": routed_workspace_id,
                "routing": routing,
                "source_id": source_id,
                "status": status,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.inbox_entry_out_headers import InboxEntryOutHeaders
        from ..models.inbox_entry_out_routing import InboxEntryOutRouting

        d = dict(src_dict)
        actions = d.pop("actions")

        attempts = d.pop("attempts")

        body_bytes = d.pop("body_bytes")

        dedupe_id = d.pop("dedupe_id")

        def _parse_event_type(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        event_type = _parse_event_type(d.pop("event_type"))

        headers = InboxEntryOutHeaders.from_dict(d.pop("headers"))

        id = UUID(d.pop("id"))

        def _parse_last_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        last_error = _parse_last_error(d.pop("last_error"))

        def _parse_processed_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                processed_at_type_0 = datetime.datetime.fromisoformat(data)

                return processed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        processed_at = _parse_processed_at(d.pop("processed_at"))

        provider = d.pop("provider")

        received_at = datetime.datetime.fromisoformat(d.pop("received_at"))

        def _parse_routed_source_id(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                routed_source_id_type_0 = UUID(data)

                return routed_source_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        routed_source_id = _parse_routed_source_id(d.pop("routed_source_id"))

        def _parse_routed_workspace_id(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                routed_workspace_id_type_0 = UUID(data)

                return routed_workspace_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        routed_workspace_id = _parse_routed_workspace_id(d.pop("routed_workspace_id"))

        routing = InboxEntryOutRouting.from_dict(d.pop("routing"))

        source_id = UUID(d.pop("source_id"))

        status = InboxEntryOutStatus(d.pop("status"))

        inbox_entry_out = cls(
            actions=actions,
            attempts=attempts,
            body_bytes=body_bytes,
            dedupe_id=dedupe_id,
            event_type=event_type,
            headers=headers,
            id=id,
            last_error=last_error,
            processed_at=processed_at,
            provider=provider,
            received_at=received_at,
            routed_source_id=routed_source_id,
            routed_workspace_id=routed_workspace_id,
            routing=routing,
            source_id=source_id,
            status=status,
        )

        inbox_entry_out.additional_properties = d
        return inbox_entry_out

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
