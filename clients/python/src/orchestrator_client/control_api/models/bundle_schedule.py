from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="BundleSchedule")


@_attrs_define
class BundleSchedule:
    """
    Attributes:
        cron (str):
        name (str):
        callback_url (None | str | Unset):
        connector (None | str | Unset):
        enabled (bool | Unset):  Default: True.
        operation (None | str | Unset):
        payload (Any | Unset):
        timezone (str | Unset):  Default: 'UTC'.
        workflow (None | str | Unset):
    """

    cron: str
    name: str
    callback_url: None | str | Unset = UNSET
    connector: None | str | Unset = UNSET
    enabled: bool | Unset = True
    operation: None | str | Unset = UNSET
    payload: Any | Unset = UNSET
    timezone: str | Unset = "UTC"
    workflow: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        cron = self.cron

        name = self.name

        callback_url: None | str | Unset
        if isinstance(self.callback_url, Unset):
            callback_url = UNSET
        else:
            callback_url = self.callback_url

        connector: None | str | Unset
        if isinstance(self.connector, Unset):
            connector = UNSET
        else:
            connector = self.connector

        enabled = self.enabled

        operation: None | str | Unset
        if isinstance(self.operation, Unset):
            operation = UNSET
        else:
            operation = self.operation

        payload = self.payload

        timezone = self.timezone

        workflow: None | str | Unset
        if isinstance(self.workflow, Unset):
            workflow = UNSET
        else:
            workflow = self.workflow

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "cron": cron,
                "name": name,
            }
        )
        if callback_url is not UNSET:
            field_dict["callback_url"] = callback_url
        if connector is not UNSET:
            field_dict["connector"] = connector
        if enabled is not UNSET:
            field_dict["enabled"] = enabled
        if operation is not UNSET:
            field_dict["operation"] = operation
        if payload is not UNSET:
            field_dict["payload"] = payload
        if timezone is not UNSET:
            field_dict["timezone"] = timezone
        if workflow is not UNSET:
            field_dict["workflow"] = workflow

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        cron = d.pop("cron")

        name = d.pop("name")

        def _parse_callback_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        callback_url = _parse_callback_url(d.pop("callback_url", UNSET))

        def _parse_connector(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        connector = _parse_connector(d.pop("connector", UNSET))

        enabled = d.pop("enabled", UNSET)

        def _parse_operation(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        operation = _parse_operation(d.pop("operation", UNSET))

        payload = d.pop("payload", UNSET)

        timezone = d.pop("timezone", UNSET)

        def _parse_workflow(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        workflow = _parse_workflow(d.pop("workflow", UNSET))

        bundle_schedule = cls(
            cron=cron,
            name=name,
            callback_url=callback_url,
            connector=connector,
            enabled=enabled,
            operation=operation,
            payload=payload,
            timezone=timezone,
            workflow=workflow,
        )

        return bundle_schedule
