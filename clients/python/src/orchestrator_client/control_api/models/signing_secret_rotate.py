from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="SigningSecretRotate")


@_attrs_define
class SigningSecretRotate:
    """
    Attributes:
        grace_period_s (int | Unset): 0 ends them at once (a leaked secret); the default is a day. Default: 86400.
    """

    grace_period_s: int | Unset = 86400

    def to_dict(self) -> dict[str, Any]:
        grace_period_s = self.grace_period_s

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if grace_period_s is not UNSET:
            field_dict["grace_period_s"] = grace_period_s

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        grace_period_s = d.pop("grace_period_s", UNSET)

        signing_secret_rotate = cls(
            grace_period_s=grace_period_s,
        )

        return signing_secret_rotate
