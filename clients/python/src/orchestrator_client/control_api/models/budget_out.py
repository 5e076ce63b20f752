from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="BudgetOut")


@_attrs_define
class BudgetOut:
    """
    Attributes:
        monthly_calls (int | None):
        period (str):
        remaining (int | None):
        resets_at (datetime.datetime):
        used (int | None):
        warning_at (int | None):
    """

    monthly_calls: int | None
    period: str
    remaining: int | None
    resets_at: datetime.datetime
    used: int | None
    warning_at: int | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        monthly_calls: int | None
        monthly_calls = self.monthly_calls

        period = self.period

        remaining: int | None
        remaining = self.remaining

        resets_at = self.resets_at.isoformat()

        used: int | None
        used = self.used

        warning_at: int | None
        warning_at = self.warning_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "monthly_calls": monthly_calls,
                "period": period,
                "remaining": remaining,
                "resets_at": resets_at,
                "used": used,
                "warning_at": warning_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_monthly_calls(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        monthly_calls = _parse_monthly_calls(d.pop("monthly_calls"))

        period = d.pop("period")

        def _parse_remaining(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        remaining = _parse_remaining(d.pop("remaining"))

        resets_at = datetime.datetime.fromisoformat(d.pop("resets_at"))

        def _parse_used(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        used = _parse_used(d.pop("used"))

        def _parse_warning_at(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        warning_at = _parse_warning_at(d.pop("warning_at"))

        budget_out = cls(
            monthly_calls=monthly_calls,
            period=period,
            remaining=remaining,
            resets_at=resets_at,
            used=used,
            warning_at=warning_at,
        )

        budget_out.additional_properties = d
        return budget_out

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
