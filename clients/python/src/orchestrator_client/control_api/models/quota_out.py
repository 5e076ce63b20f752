from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="QuotaOut")


@_attrs_define
class QuotaOut:
    """
    Attributes:
        concurrency (int | None):
        events_keep_days (int | None):
        finished_jobs_keep_days (int | None):
        monthly_calls (int | None):
        queue_depth (int | None):
        rps (int | None):
        updated_at (datetime.datetime | None):
        version (int):
        versions_keep (int | None):
        versions_keep_days (int | None):
        webhook_inbox_keep_days (int | None):
    """

    concurrency: int | None
    events_keep_days: int | None
    finished_jobs_keep_days: int | None
    monthly_calls: int | None
    queue_depth: int | None
    rps: int | None
    updated_at: datetime.datetime | None
    version: int
    versions_keep: int | None
    versions_keep_days: int | None
    webhook_inbox_keep_days: int | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        concurrency: int | None
        concurrency = self.concurrency

        events_keep_days: int | None
        events_keep_days = self.events_keep_days

        finished_jobs_keep_days: int | None
        finished_jobs_keep_days = self.finished_jobs_keep_days

        monthly_calls: int | None
        monthly_calls = self.monthly_calls

        queue_depth: int | None
        queue_depth = self.queue_depth

        rps: int | None
        rps = self.rps

        updated_at: None | str
        if isinstance(self.updated_at, datetime.datetime):
            updated_at = self.updated_at.isoformat()
        else:
            updated_at = self.updated_at

        version = self.version

        versions_keep: int | None
        versions_keep = self.versions_keep

        versions_keep_days: int | None
        versions_keep_days = self.versions_keep_days

        webhook_inbox_keep_days: int | None
        webhook_inbox_keep_days = self.webhook_inbox_keep_days

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "concurrency": concurrency,
                "events_keep_days": events_keep_days,
                "finished_jobs_keep_days": finished_jobs_keep_days,
                "monthly_calls": monthly_calls,
                "queue_depth": queue_depth,
                "rps": rps,
                "updated_at": updated_at,
                "version": version,
                "versions_keep": versions_keep,
                "versions_keep_days": versions_keep_days,
                "webhook_inbox_keep_days": webhook_inbox_keep_days,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_concurrency(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        concurrency = _parse_concurrency(d.pop("concurrency"))

        def _parse_events_keep_days(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        events_keep_days = _parse_events_keep_days(d.pop("events_keep_days"))

        def _parse_finished_jobs_keep_days(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        finished_jobs_keep_days = _parse_finished_jobs_keep_days(
            d.pop("finished_jobs_keep_days")
        )

        def _parse_monthly_calls(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        monthly_calls = _parse_monthly_calls(d.pop("monthly_calls"))

        def _parse_queue_depth(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        queue_depth = _parse_queue_depth(d.pop("queue_depth"))

        def _parse_rps(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        rps = _parse_rps(d.pop("rps"))

        def _parse_updated_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                updated_at_type_0 = datetime.datetime.fromisoformat(data)

                return updated_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        updated_at = _parse_updated_at(d.pop("updated_at"))

        version = d.pop("version")

        def _parse_versions_keep(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        versions_keep = _parse_versions_keep(d.pop("versions_keep"))

        def _parse_versions_keep_days(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        versions_keep_days = _parse_versions_keep_days(d.pop("versions_keep_days"))

        def _parse_webhook_inbox_keep_days(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        webhook_inbox_keep_days = _parse_webhook_inbox_keep_days(
            d.pop("webhook_inbox_keep_days")
        )

        quota_out = cls(
            concurrency=concurrency,
            events_keep_days=events_keep_days,
            finished_jobs_keep_days=finished_jobs_keep_days,
            monthly_calls=monthly_calls,
            queue_depth=queue_depth,
            rps=rps,
            updated_at=updated_at,
            version=version,
            versions_keep=versions_keep,
            versions_keep_days=versions_keep_days,
            webhook_inbox_keep_days=webhook_inbox_keep_days,
        )

        quota_out.additional_properties = d
        return quota_out

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
