from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.degradation_policy_mode import DegradationPolicyMode
from ..types import UNSET, Unset

T = TypeVar("T", bound="DegradationPolicy")


@_attrs_define
class DegradationPolicy:
    """
    Attributes:
        mode (DegradationPolicyMode | Unset):  Default: DegradationPolicyMode.FAIL_FAST.
        queue_delay_s (float | Unset):  Default: 30.0.
    """

    mode: DegradationPolicyMode | Unset = DegradationPolicyMode.FAIL_FAST
    queue_delay_s: float | Unset = 30.0

    def to_dict(self) -> dict[str, Any]:
        mode: str | Unset = UNSET
        if not isinstance(self.mode, Unset):
            mode = self.mode.value

        queue_delay_s = self.queue_delay_s

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if mode is not UNSET:
            field_dict["mode"] = mode
        if queue_delay_s is not UNSET:
            field_dict["queue_delay_s"] = queue_delay_s

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        _mode = d.pop("mode", UNSET)
        mode: DegradationPolicyMode | Unset
        if isinstance(_mode, Unset):
            mode = UNSET
        else:
            mode = DegradationPolicyMode(_mode)

        queue_delay_s = d.pop("queue_delay_s", UNSET)

        degradation_policy = cls(
            mode=mode,
            queue_delay_s=queue_delay_s,
        )

        return degradation_policy
