from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ScheduleOut")


@_attrs_define
class ScheduleOut:
    """
    Attributes:
        callback_url (None | str):
        connector (None | str):
        created_at (datetime.datetime):
        cron (str):
        enabled (bool):
        id (str):
        last_fired_at (datetime.datetime | None):
        name (str):
        next_run_at (datetime.datetime):
        operation (None | str):
        payload (Any):
        timezone (str):
        updated_at (datetime.datetime):
        version (int):
        workflow (None | str):
    """

    callback_url: None | str
    connector: None | str
    created_at: datetime.datetime
    cron: str
    enabled: bool
    id: str
    last_fired_at: datetime.datetime | None
    name: str
    next_run_at: datetime.datetime
    operation: None | str
    payload: Any
    timezone: str
    updated_at: datetime.datetime
    version: int
    workflow: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        callback_url: None | str
        callback_url = self.callback_url

        connector: None | str
        connector = self.connector

        created_at = self.created_at.isoformat()

        cron = self.cron

        enabled = self.enabled

        id = self.id

        last_fired_at: None | str
        if isinstance(self.last_fired_at, datetime.datetime):
            last_fired_at = self.last_fired_at.isoformat()
        else:
            last_fired_at = self.last_fired_at

        name = self.name

        next_run_at = self.next_run_at.isoformat()

        operation: None | str
        operation = self.operation

        payload = self.payload

        timezone = self.timezone

        updated_at = self.updated_at.isoformat()

        version = self.version

        workflow: None | str
        workflow = self.workflow

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "callback_url": callback_url,
                "connector": connector,
                "created_at": created_at,
                "cron": cron,
                "enabled": enabled,
                "id": id,
                "last_fired_at": last_fired_at,
                "name": name,
                "next_run_at": next_run_at,
                "operation": operation,
                "payload": payload,
                "timezone": timezone,
                "updated_at": updated_at,
                "version": version,
                "workflow": workflow,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_callback_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        callback_url = _parse_callback_url(d.pop("callback_url"))

        def _parse_connector(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        connector = _parse_connector(d.pop("connector"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        cron = d.pop("cron")

        enabled = d.pop("enabled")

        id = d.pop("id")

        def _parse_last_fired_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                last_fired_at_type_0 = datetime.datetime.fromisoformat(data)

                return last_fired_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        last_fired_at = _parse_last_fired_at(d.pop("last_fired_at"))

        name = d.pop("name")

        next_run_at = datetime.datetime.fromisoformat(d.pop("next_run_at"))

        def _parse_operation(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        operation = _parse_operation(d.pop("operation"))

        payload = d.pop("payload")

        timezone = d.pop("timezone")

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        version = d.pop("version")

        def _parse_workflow(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        workflow = _parse_workflow(d.pop("workflow"))

        schedule_out = cls(
            callback_url=callback_url,
            connector=connector,
            created_at=created_at,
            cron=cron,
            enabled=enabled,
            id=id,
            last_fired_at=last_fired_at,
            name=name,
            next_run_at=next_run_at,
            operation=operation,
            payload=payload,
            timezone=timezone,
            updated_at=updated_at,
            version=version,
            workflow=workflow,
        )

        schedule_out.additional_properties = d
        return schedule_out

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
