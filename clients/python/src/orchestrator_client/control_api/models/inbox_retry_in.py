from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

from ..models.inbox_retry_in_status_type_0_item import InboxRetryInStatusType0Item
from ..types import UNSET, Unset

T = TypeVar("T", bound="InboxRetryIn")


@_attrs_define
class InboxRetryIn:
    """
    Attributes:
        event_type (None | str | Unset):
        limit (int | Unset):  Default: 1000.
        received_after (None | str | Unset): An RFC 3339 date-time with its offset (`2026-11-25T10:00:00Z`).
        received_before (None | str | Unset): An RFC 3339 date-time with its offset (`2026-11-25T10:00:00Z`).
        source_id (None | Unset | UUID):
        status (list[InboxRetryInStatusType0Item] | None | Unset):
    """

    event_type: None | str | Unset = UNSET
    limit: int | Unset = 1000
    received_after: None | str | Unset = UNSET
    received_before: None | str | Unset = UNSET
    source_id: None | Unset | UUID = UNSET
    status: list[InboxRetryInStatusType0Item] | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        event_type: None | str | Unset
        if isinstance(self.event_type, Unset):
            event_type = UNSET
        else:
            event_type = self.event_type

        limit = self.limit

        received_after: None | str | Unset
        if isinstance(self.received_after, Unset):
            received_after = UNSET
        else:
            received_after = self.received_after

        received_before: None | str | Unset
        if isinstance(self.received_before, Unset):
            received_before = UNSET
        else:
            received_before = self.received_before

        source_id: None | str | Unset
        if isinstance(self.source_id, Unset):
            source_id = UNSET
        elif isinstance(self.source_id, UUID):
            source_id = str(self.source_id)
        else:
            source_id = self.source_id

        status: list[str] | None | Unset
        if isinstance(self.status, Unset):
            status = UNSET
        elif isinstance(self.status, list):
            status = []
            for status_type_0_item_data in self.status:
                status_type_0_item = status_type_0_item_data.value
                status.append(status_type_0_item)

        else:
            status = self.status

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if event_type is not UNSET:
            field_dict["event_type"] = event_type
        if limit is not UNSET:
            field_dict["limit"] = limit
        if received_after is not UNSET:
            field_dict["received_after"] = received_after
        if received_before is not UNSET:
            field_dict["received_before"] = received_before
        if source_id is not UNSET:
            field_dict["source_id"] = source_id
        if status is not UNSET:
            field_dict["status"] = status

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_event_type(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        event_type = _parse_event_type(d.pop("event_type", UNSET))

        limit = d.pop("limit", UNSET)

        def _parse_received_after(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        received_after = _parse_received_after(d.pop("received_after", UNSET))

        def _parse_received_before(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        received_before = _parse_received_before(d.pop("received_before", UNSET))

        def _parse_source_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                source_id_type_0 = UUID(data)

                return source_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        source_id = _parse_source_id(d.pop("source_id", UNSET))

        def _parse_status(
            data: object,
        ) -> list[InboxRetryInStatusType0Item] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                status_type_0 = []
                _status_type_0 = data
                for status_type_0_item_data in _status_type_0:
                    status_type_0_item = InboxRetryInStatusType0Item(
                        status_type_0_item_data
                    )

                    status_type_0.append(status_type_0_item)

                return status_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[InboxRetryInStatusType0Item] | None | Unset, data)

        status = _parse_status(d.pop("status", UNSET))

        inbox_retry_in = cls(
            event_type=event_type,
            limit=limit,
            received_after=received_after,
            received_before=received_before,
            source_id=source_id,
            status=status,
        )

        return inbox_retry_in
