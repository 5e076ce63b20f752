from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="QuotaPut")


@_attrs_define
class QuotaPut:
    """
    Attributes:
        concurrency (int | None | Unset):
        events_keep_days (int | None | Unset):
        finished_jobs_keep_days (int | None | Unset):
        monthly_calls (int | None | Unset):
        queue_depth (int | None | Unset):
        rps (int | None | Unset):
        versions_keep (int | None | Unset):
        versions_keep_days (int | None | Unset):
        webhook_inbox_keep_days (int | None | Unset):
    """

    concurrency: int | None | Unset = UNSET
    events_keep_days: int | None | Unset = UNSET
    finished_jobs_keep_days: int | None | Unset = UNSET
    monthly_calls: int | None | Unset = UNSET
    queue_depth: int | None | Unset = UNSET
    rps: int | None | Unset = UNSET
    versions_keep: int | None | Unset = UNSET
    versions_keep_days: int | None | Unset = UNSET
    webhook_inbox_keep_days: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        concurrency: int | None | Unset
        if isinstance(self.concurrency, Unset):
            concurrency = UNSET
        else:
            concurrency = self.concurrency

        events_keep_days: int | None | Unset
        if isinstance(self.events_keep_days, Unset):
            events_keep_days = UNSET
        else:
            events_keep_days = self.events_keep_days

        finished_jobs_keep_days: int | None | Unset
        if isinstance(self.finished_jobs_keep_days, Unset):
            finished_jobs_keep_days = UNSET
        else:
            finished_jobs_keep_days = self.finished_jobs_keep_days

        monthly_calls: int | None | Unset
        if isinstance(self.monthly_calls, Unset):
            monthly_calls = UNSET
        else:
            monthly_calls = self.monthly_calls

        queue_depth: int | None | Unset
        if isinstance(self.queue_depth, Unset):
            queue_depth = UNSET
        else:
            queue_depth = self.queue_depth

        rps: int | None | Unset
        if isinstance(self.rps, Unset):
            rps = UNSET
        else:
            rps = self.rps

        versions_keep: int | None | Unset
        if isinstance(self.versions_keep, Unset):
            versions_keep = UNSET
        else:
            versions_keep = self.versions_keep

        versions_keep_days: int | None | Unset
        if isinstance(self.versions_keep_days, Unset):
            versions_keep_days = UNSET
        else:
            versions_keep_days = self.versions_keep_days

        webhook_inbox_keep_days: int | None | Unset
        if isinstance(self.webhook_inbox_keep_days, Unset):
            webhook_inbox_keep_days = UNSET
        else:
            webhook_inbox_keep_days = self.webhook_inbox_keep_days

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if concurrency is not UNSET:
            field_dict["concurrency"] = concurrency
        if events_keep_days is not UNSET:
            field_dict["events_keep_days"] = events_keep_days
        if finished_jobs_keep_days is not UNSET:
            field_dict["finished_jobs_keep_days"] = finished_jobs_keep_days
        if monthly_calls is not UNSET:
            field_dict["monthly_calls"] = monthly_calls
        if queue_depth is not UNSET:
            field_dict["queue_depth"] = queue_depth
        if rps is not UNSET:
            field_dict["rps"] = rps
        if versions_keep is not UNSET:
            field_dict["versions_keep"] = versions_keep
        if versions_keep_days is not UNSET:
            field_dict["versions_keep_days"] = versions_keep_days
        if webhook_inbox_keep_days is not UNSET:
            field_dict["webhook_inbox_keep_days"] = webhook_inbox_keep_days

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_concurrency(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        concurrency = _parse_concurrency(d.pop("concurrency", UNSET))

        def _parse_events_keep_days(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        events_keep_days = _parse_events_keep_days(d.pop("events_keep_days", UNSET))

        def _parse_finished_jobs_keep_days(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        finished_jobs_keep_days = _parse_finished_jobs_keep_days(
            d.pop("finished_jobs_keep_days", UNSET)
        )

        def _parse_monthly_calls(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        monthly_calls = _parse_monthly_calls(d.pop("monthly_calls", UNSET))

        def _parse_queue_depth(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        queue_depth = _parse_queue_depth(d.pop("queue_depth", UNSET))

        def _parse_rps(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        rps = _parse_rps(d.pop("rps", UNSET))

        def _parse_versions_keep(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        versions_keep = _parse_versions_keep(d.pop("versions_keep", UNSET))

        def _parse_versions_keep_days(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        versions_keep_days = _parse_versions_keep_days(
            d.pop("versions_keep_days", UNSET)
        )

        def _parse_webhook_inbox_keep_days(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        webhook_inbox_keep_days = _parse_webhook_inbox_keep_days(
            d.pop("webhook_inbox_keep_days", UNSET)
        )

        quota_put = cls(
            concurrency=concurrency,
            events_keep_days=events_keep_days,
            finished_jobs_keep_days=finished_jobs_keep_days,
            monthly_calls=monthly_calls,
            queue_depth=queue_depth,
            rps=rps,
            versions_keep=versions_keep,
            versions_keep_days=versions_keep_days,
            webhook_inbox_keep_days=webhook_inbox_keep_days,
        )

        return quota_put
