from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="ConfigActivate")


@_attrs_define
class ConfigActivate:
    """
    Attributes:
        version (int):
        expected_active_version (int | None | Unset):
    """

    version: int
    expected_active_version: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        version = self.version

        expected_active_version: int | None | Unset
        if isinstance(self.expected_active_version, Unset):
            expected_active_version = UNSET
        else:
            expected_active_version = self.expected_active_version

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "version": version,
            }
        )
        if expected_active_version is not UNSET:
            field_dict["expected_active_version"] = expected_active_version

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        version = d.pop("version")

        def _parse_expected_active_version(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        expected_active_version = _parse_expected_active_version(
            d.pop("expected_active_version", UNSET)
        )

        config_activate = cls(
            version=version,
            expected_active_version=expected_active_version,
        )

        return config_activate
