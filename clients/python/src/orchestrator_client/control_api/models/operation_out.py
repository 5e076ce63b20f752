from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.breaker_out import BreakerOut
    from ..models.rate_limit_out import RateLimitOut


T = TypeVar("T", bound="OperationOut")


@_attrs_define
class OperationOut:
    """
    Attributes:
        breaker (BreakerOut | None):
        name (str):
        rate_limit (None | RateLimitOut):
    """

    breaker: BreakerOut | None
    name: str
    rate_limit: None | RateLimitOut
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.breaker_out import BreakerOut
        from ..models.rate_limit_out import RateLimitOut

        breaker: dict[str, Any] | None
        if isinstance(self.breaker, BreakerOut):
            breaker = self.breaker.to_dict()
        else:
            breaker = self.breaker

        name = self.name

        rate_limit: dict[str, Any] | None
        if isinstance(self.rate_limit, RateLimitOut):
            rate_limit = self.rate_limit.to_dict()
        else:
            rate_limit = self.rate_limit

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "breaker": breaker,
                "name": name,
                "rate_limit": rate_limit,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.breaker_out import BreakerOut
        from ..models.rate_limit_out import RateLimitOut

        d = dict(src_dict)

        def _parse_breaker(data: object) -> BreakerOut | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                breaker_type_0 = BreakerOut.from_dict(data)

                return breaker_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(BreakerOut | None, data)

        breaker = _parse_breaker(d.pop("breaker"))

        name = d.pop("name")

        def _parse_rate_limit(data: object) -> None | RateLimitOut:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                rate_limit_type_0 = RateLimitOut.from_dict(data)

                return rate_limit_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RateLimitOut, data)

        rate_limit = _parse_rate_limit(d.pop("rate_limit"))

        operation_out = cls(
            breaker=breaker,
            name=name,
            rate_limit=rate_limit,
        )

        operation_out.additional_properties = d
        return operation_out

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
