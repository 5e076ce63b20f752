from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="RateLimitPolicy")


@_attrs_define
class RateLimitPolicy:
    """
    Attributes:
        limit (int):
        burst (int | None | Unset):
        period_s (float | Unset):  Default: 1.0.
    """

    limit: int
    burst: int | None | Unset = UNSET
    period_s: float | Unset = 1.0

    def to_dict(self) -> dict[str, Any]:
        limit = self.limit

        burst: int | None | Unset
        if isinstance(self.burst, Unset):
            burst = UNSET
        else:
            burst = self.burst

        period_s = self.period_s

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "limit": limit,
            }
        )
        if burst is not UNSET:
            field_dict["burst"] = burst
        if period_s is not UNSET:
            field_dict["period_s"] = period_s

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        limit = d.pop("limit")

        def _parse_burst(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        burst = _parse_burst(d.pop("burst", UNSET))

        period_s = d.pop("period_s", UNSET)

        rate_limit_policy = cls(
            limit=limit,
            burst=burst,
            period_s=period_s,
        )

        return rate_limit_policy
