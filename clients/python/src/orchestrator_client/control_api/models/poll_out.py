from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="PollOut")


@_attrs_define
class PollOut:
    """
    Attributes:
        choices (list[str]):
        created_at (datetime.datetime):
        created_by (str):
        name (str):
    """

    choices: list[str]
    created_at: datetime.datetime
    created_by: str
    name: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        choices = self.choices

        created_at = self.created_at.isoformat()

        created_by = self.created_by

        name = self.name

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "choices": choices,
                "created_at": created_at,
                "created_by": created_by,
                "name": name,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        choices = cast(list[str], d.pop("choices"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        created_by = d.pop("created_by")

        name = d.pop("name")

        poll_out = cls(
            choices=choices,
            created_at=created_at,
            created_by=created_by,
            name=name,
        )

        poll_out.additional_properties = d
        return poll_out

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
