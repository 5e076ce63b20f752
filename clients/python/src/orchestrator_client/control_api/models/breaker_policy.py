from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.breaker_policy_window import BreakerPolicyWindow
from ..types import UNSET, Unset

T = TypeVar("T", bound="BreakerPolicy")


@_attrs_define
class BreakerPolicy:
    """
    Attributes:
        failure_rate_threshold (float | Unset):  Default: 50.0.
        half_open_calls (int | Unset):  Default: 10.
        minimum_calls (int | Unset):  Default: 100.
        slow_call_duration_s (float | Unset):  Default: 60.0.
        slow_call_rate_threshold (float | Unset):  Default: 100.0.
        wait_open_s (float | Unset):  Default: 60.0.
        window (BreakerPolicyWindow | Unset):  Default: BreakerPolicyWindow.COUNT.
        window_size (int | Unset):  Default: 100.
    """

    failure_rate_threshold: float | Unset = 50.0
    half_open_calls: int | Unset = 10
    minimum_calls: int | Unset = 100
    slow_call_duration_s: float | Unset = 60.0
    slow_call_rate_threshold: float | Unset = 100.0
    wait_open_s: float | Unset = 60.0
    window: BreakerPolicyWindow | Unset = BreakerPolicyWindow.COUNT
    window_size: int | Unset = 100

    def to_dict(self) -> dict[str, Any]:
        failure_rate_threshold = self.failure_rate_threshold

        half_open_calls = self.half_open_calls

        minimum_calls = self.minimum_calls

        slow_call_duration_s = self.slow_call_duration_s

        slow_call_rate_threshold = self.slow_call_rate_threshold

        wait_open_s = self.wait_open_s

        window: str | Unset = UNSET
        if not isinstance(self.window, Unset):
            window = self.window.value

        window_size = self.window_size

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if failure_rate_threshold is not UNSET:
            field_dict["failure_rate_threshold"] = failure_rate_threshold
        if half_open_calls is not UNSET:
            field_dict["half_open_calls"] = half_open_calls
        if minimum_calls is not UNSET:
            field_dict["minimum_calls"] = minimum_calls
        if slow_call_duration_s is not UNSET:
            field_dict["slow_call_duration_s"] = slow_call_duration_s
        if slow_call_rate_threshold is not UNSET:
            field_dict["slow_call_rate_threshold"] = slow_call_rate_threshold
        if wait_open_s is not UNSET:
            field_dict["wait_open_s"] = wait_open_s
        if window is not UNSET:
            field_dict["window"] = window
        if window_size is not UNSET:
            field_dict["window_size"] = window_size

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        failure_rate_threshold = d.pop("failure_rate_threshold", UNSET)

        half_open_calls = d.pop("half_open_calls", UNSET)

        minimum_calls = d.pop("minimum_calls", UNSET)

        slow_call_duration_s = d.pop("slow_call_duration_s", UNSET)

        slow_call_rate_threshold = d.pop("slow_call_rate_threshold", UNSET)

        wait_open_s = d.pop("wait_open_s", UNSET)

        _window = d.pop("window", UNSET)
        window: BreakerPolicyWindow | Unset
        if isinstance(_window, Unset):
            window = UNSET
        else:
            window = BreakerPolicyWindow(_window)

        window_size = d.pop("window_size", UNSET)

        breaker_policy = cls(
            failure_rate_threshold=failure_rate_threshold,
            half_open_calls=half_open_calls,
            minimum_calls=minimum_calls,
            slow_call_duration_s=slow_call_duration_s,
            slow_call_rate_threshold=slow_call_rate_threshold,
            wait_open_s=wait_open_s,
            window=window,
            window_size=window_size,
        )

        return breaker_policy
