from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="TimeoutPolicy")


@_attrs_define
class TimeoutPolicy:
    """
    Attributes:
        connect_s (float | Unset):  Default: 2.0.
        read_s (float | Unset):  Default: 10.0.
        total_s (float | Unset):  Default: 30.0.
    """

    connect_s: float | Unset = 2.0
    read_s: float | Unset = 10.0
    total_s: float | Unset = 30.0

    def to_dict(self) -> dict[str, Any]:
        connect_s = self.connect_s

        read_s = self.read_s

        total_s = self.total_s

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if connect_s is not UNSET:
            field_dict["connect_s"] = connect_s
        if read_s is not UNSET:
            field_dict["read_s"] = read_s
        if total_s is not UNSET:
            field_dict["total_s"] = total_s

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        connect_s = d.pop("connect_s", UNSET)

        read_s = d.pop("read_s", UNSET)

        total_s = d.pop("total_s", UNSET)

        timeout_policy = cls(
            connect_s=connect_s,
            read_s=read_s,
            total_s=total_s,
        )

        return timeout_policy
