from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="RecentCallsOut")


@_attrs_define
class RecentCallsOut:
    """
    Attributes:
        attempts (int):
        error_rate (float | None):
        failed (int):
        max_ms (float | None):
        p50_ms (float | None):
        p95_ms (float | None):
        running (int):
        succeeded (int):
    """

    attempts: int
    error_rate: float | None
    failed: int
    max_ms: float | None
    p50_ms: float | None
    p95_ms: float | None
    running: int
    succeeded: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        attempts = self.attempts

        error_rate: float | None
        error_rate = self.error_rate

        failed = self.failed

        max_ms: float | None
        max_ms = self.max_ms

        p50_ms: float | None
        p50_ms = self.p50_ms

        p95_ms: float | None
        p95_ms = self.p95_ms

        running = self.running

        succeeded = self.succeeded

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "attempts": attempts,
                "error_rate": error_rate,
                "failed": failed,
                "max_ms": max_ms,
                "p50_ms": p50_ms,
                "p95_ms": p95_ms,
                "running": running,
                "succeeded": succeeded,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        attempts = d.pop("attempts")

        def _parse_error_rate(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        error_rate = _parse_error_rate(d.pop("error_rate"))

        failed = d.pop("failed")

        def _parse_max_ms(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        max_ms = _parse_max_ms(d.pop("max_ms"))

        def _parse_p50_ms(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        p50_ms = _parse_p50_ms(d.pop("p50_ms"))

        def _parse_p95_ms(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        p95_ms = _parse_p95_ms(d.pop("p95_ms"))

        running = d.pop("running")

        succeeded = d.pop("succeeded")

        recent_calls_out = cls(
            attempts=attempts,
            error_rate=error_rate,
            failed=failed,
            max_ms=max_ms,
            p50_ms=p50_ms,
            p95_ms=p95_ms,
            running=running,
            succeeded=succeeded,
        )

        recent_calls_out.additional_properties = d
        return recent_calls_out

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
