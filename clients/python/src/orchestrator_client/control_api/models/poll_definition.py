from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="PollDefinition")


@_attrs_define
class PollDefinition:
    """
    Attributes:
        choices (list[str]):
        name (str):
    """

    choices: list[str]
    name: str

    def to_dict(self) -> dict[str, Any]:
        choices = self.choices

        name = self.name

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "choices": choices,
                "name": name,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        choices = cast(list[str], d.pop("choices"))

        name = d.pop("name")

        poll_definition = cls(
            choices=choices,
            name=name,
        )

        return poll_definition
