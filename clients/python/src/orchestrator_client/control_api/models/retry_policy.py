from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="RetryPolicy")


@_attrs_define
class RetryPolicy:
    """
    Attributes:
        base_delay_s (float | Unset):  Default: 0.1.
        honour_retry_after (bool | Unset):  Default: True.
        max_attempts (int | Unset):  Default: 3.
        max_delay_s (float | Unset):  Default: 5.0.
        retry_on_connect_error (bool | Unset):  Default: True.
        retry_on_status (list[int] | Unset):
    """

    base_delay_s: float | Unset = 0.1
    honour_retry_after: bool | Unset = True
    max_attempts: int | Unset = 3
    max_delay_s: float | Unset = 5.0
    retry_on_connect_error: bool | Unset = True
    retry_on_status: list[int] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        base_delay_s = self.base_delay_s

        honour_retry_after = self.honour_retry_after

        max_attempts = self.max_attempts

        max_delay_s = self.max_delay_s

        retry_on_connect_error = self.retry_on_connect_error

        retry_on_status: list[int] | Unset = UNSET
        if not isinstance(self.retry_on_status, Unset):
            retry_on_status = self.retry_on_status

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if base_delay_s is not UNSET:
            field_dict["base_delay_s"] = base_delay_s
        if honour_retry_after is not UNSET:
            field_dict["honour_retry_after"] = honour_retry_after
        if max_attempts is not UNSET:
            field_dict["max_attempts"] = max_attempts
        if max_delay_s is not UNSET:
            field_dict["max_delay_s"] = max_delay_s
        if retry_on_connect_error is not UNSET:
            field_dict["retry_on_connect_error"] = retry_on_connect_error
        if retry_on_status is not UNSET:
            field_dict["retry_on_status"] = retry_on_status

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        base_delay_s = d.pop("base_delay_s", UNSET)

        honour_retry_after = d.pop("honour_retry_after", UNSET)

        max_attempts = d.pop("max_attempts", UNSET)

        max_delay_s = d.pop("max_delay_s", UNSET)

        retry_on_connect_error = d.pop("retry_on_connect_error", UNSET)

        retry_on_status = cast(list[int], d.pop("retry_on_status", UNSET))

        retry_policy = cls(
            base_delay_s=base_delay_s,
            honour_retry_after=honour_retry_after,
            max_attempts=max_attempts,
            max_delay_s=max_delay_s,
            retry_on_connect_error=retry_on_connect_error,
            retry_on_status=retry_on_status,
        )

        return retry_policy
