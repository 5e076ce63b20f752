from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="DeadJobFilter")


@_attrs_define
class DeadJobFilter:
    """
    Attributes:
        connector (None | str | Unset):
        dead_since (None | str | Unset): An RFC 3339 date-time with its offset (`2026-11-25T10:00:00Z`).
        ids (list[UUID] | None | Unset):
        limit (int | Unset):  Default: 100.
        operation (None | str | Unset):
    """

    connector: None | str | Unset = UNSET
    dead_since: None | str | Unset = UNSET
    ids: list[UUID] | None | Unset = UNSET
    limit: int | Unset = 100
    operation: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        connector: None | str | Unset
        if isinstance(self.connector, Unset):
            connector = UNSET
        else:
            connector = self.connector

        dead_since: None | str | Unset
        if isinstance(self.dead_since, Unset):
            dead_since = UNSET
        else:
            dead_since = self.dead_since

        ids: list[str] | None | Unset
        if isinstance(self.ids, Unset):
            ids = UNSET
        elif isinstance(self.ids, list):
            ids = []
            for ids_type_0_item_data in self.ids:
                ids_type_0_item = str(ids_type_0_item_data)
                ids.append(ids_type_0_item)

        else:
            ids = self.ids

        limit = self.limit

        operation: None | str | Unset
        if isinstance(self.operation, Unset):
            operation = UNSET
        else:
            operation = self.operation

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if connector is not UNSET:
            field_dict["connector"] = connector
        if dead_since is not UNSET:
            field_dict["dead_since"] = dead_since
        if ids is not UNSET:
            field_dict["ids"] = ids
        if limit is not UNSET:
            field_dict["limit"] = limit
        if operation is not UNSET:
            field_dict["operation"] = operation

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_connector(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        connector = _parse_connector(d.pop("connector", UNSET))

        def _parse_dead_since(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        dead_since = _parse_dead_since(d.pop("dead_since", UNSET))

        def _parse_ids(data: object) -> list[UUID] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                ids_type_0 = []
                _ids_type_0 = data
                for ids_type_0_item_data in _ids_type_0:
                    ids_type_0_item = UUID(ids_type_0_item_data)

                    ids_type_0.append(ids_type_0_item)

                return ids_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[UUID] | None | Unset, data)

        ids = _parse_ids(d.pop("ids", UNSET))

        limit = d.pop("limit", UNSET)

        def _parse_operation(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        operation = _parse_operation(d.pop("operation", UNSET))

        dead_job_filter = cls(
            connector=connector,
            dead_since=dead_since,
            ids=ids,
            limit=limit,
            operation=operation,
        )

        return dead_job_filter
