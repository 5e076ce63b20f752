from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.breaker_policy import BreakerPolicy
    from ..models.degradation_policy import DegradationPolicy
    from ..models.rate_limit_policy import RateLimitPolicy
    from ..models.retry_policy import RetryPolicy
    from ..models.timeout_policy import TimeoutPolicy


T = TypeVar("T", bound="PolicySpec")


@_attrs_define
class PolicySpec:
    """
    Attributes:
        breaker (BreakerPolicy | None | Unset):
        degradation (DegradationPolicy | Unset):
        rate_limit (None | RateLimitPolicy | Unset):
        retry (RetryPolicy | Unset):
        timeout (TimeoutPolicy | Unset):
    """

    breaker: BreakerPolicy | None | Unset = UNSET
    degradation: DegradationPolicy | Unset = UNSET
    rate_limit: None | RateLimitPolicy | Unset = UNSET
    retry: RetryPolicy | Unset = UNSET
    timeout: TimeoutPolicy | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.breaker_policy import BreakerPolicy
        from ..models.rate_limit_policy import RateLimitPolicy

        breaker: dict[str, Any] | None | Unset
        if isinstance(self.breaker, Unset):
            breaker = UNSET
        elif isinstance(self.breaker, BreakerPolicy):
            breaker = self.breaker.to_dict()
        else:
            breaker = self.breaker

        degradation: dict[str, Any] | Unset = UNSET
        if not isinstance(self.degradation, Unset):
            degradation = self.degradation.to_dict()

        rate_limit: dict[str, Any] | None | Unset
        if isinstance(self.rate_limit, Unset):
            rate_limit = UNSET
        elif isinstance(self.rate_limit, RateLimitPolicy):
            rate_limit = self.rate_limit.to_dict()
        else:
            rate_limit = self.rate_limit

        retry: dict[str, Any] | Unset = UNSET
        if not isinstance(self.retry, Unset):
            retry = self.retry.to_dict()

        timeout: dict[str, Any] | Unset = UNSET
        if not isinstance(self.timeout, Unset):
            timeout = self.timeout.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if breaker is not UNSET:
            field_dict["breaker"] = breaker
        if degradation is not UNSET:
            field_dict["degradation"] = degradation
        if rate_limit is not UNSET:
            field_dict["rate_limit"] = rate_limit
        if retry is not UNSET:
            field_dict["retry"] = retry
        if timeout is not UNSET:
            field_dict["timeout"] = timeout

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.breaker_policy import BreakerPolicy
        from ..models.degradation_policy import DegradationPolicy
        from ..models.rate_limit_policy import RateLimitPolicy
        from ..models.retry_policy import RetryPolicy
        from ..models.timeout_policy import TimeoutPolicy

        d = dict(src_dict)

        def _parse_breaker(data: object) -> BreakerPolicy | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                breaker_type_0 = BreakerPolicy.from_dict(data)

                return breaker_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(BreakerPolicy | None | Unset, data)

        breaker = _parse_breaker(d.pop("breaker", UNSET))

        _degradation = d.pop("degradation", UNSET)
        degradation: DegradationPolicy | Unset
        if isinstance(_degradation, Unset):
            degradation = UNSET
        else:
            degradation = DegradationPolicy.from_dict(_degradation)

        def _parse_rate_limit(data: object) -> None | RateLimitPolicy | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                rate_limit_type_0 = RateLimitPolicy.from_dict(data)

                return rate_limit_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RateLimitPolicy | Unset, data)

        rate_limit = _parse_rate_limit(d.pop("rate_limit", UNSET))

        _retry = d.pop("retry", UNSET)
        retry: RetryPolicy | Unset
        if isinstance(_retry, Unset):
            retry = UNSET
        else:
            retry = RetryPolicy.from_dict(_retry)

        _timeout = d.pop("timeout", UNSET)
        timeout: TimeoutPolicy | Unset
        if isinstance(_timeout, Unset):
            timeout = UNSET
        else:
            timeout = TimeoutPolicy.from_dict(_timeout)

        policy_spec = cls(
            breaker=breaker,
            degradation=degradation,
            rate_limit=rate_limit,
            retry=retry,
            timeout=timeout,
        )

        return policy_spec
