from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="RateLimitOut")


@_attrs_define
class RateLimitOut:
    """
    Attributes:
        burst (int):
        limit (int):
        period_s (float):
        remaining (int):
        reset_s (float):
    """

    burst: int
    limit: int
    period_s: float
    remaining: int
    reset_s: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        burst = self.burst

        limit = self.limit

        period_s = self.period_s

        remaining = self.remaining

        reset_s = self.reset_s

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "burst": burst,
                "limit": limit,
                "period_s": period_s,
                "remaining": remaining,
                "reset_s": reset_s,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        burst = d.pop("burst")

        limit = d.pop("limit")

        period_s = d.pop("period_s")

        remaining = d.pop("remaining")

        reset_s = d.pop("reset_s")

        rate_limit_out = cls(
            burst=burst,
            limit=limit,
            period_s=period_s,
            remaining=remaining,
            reset_s=reset_s,
        )

        rate_limit_out.additional_properties = d
        return rate_limit_out

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
