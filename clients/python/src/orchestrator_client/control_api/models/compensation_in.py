from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="CompensationIn")


@_attrs_define
class CompensationIn:
    """
    Attributes:
        operation (str):
        connector (None | str | Unset):
        payload (Any | Unset): Literal JSON, except that a value {"$ref": "<JSON Pointer>"} is replaced by what the
            pointer names: /input/… (the run's input) or /steps/<earlier step>/output/… (an earlier step's output).
    """

    operation: str
    connector: None | str | Unset = UNSET
    payload: Any | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        operation = self.operation

        connector: None | str | Unset
        if isinstance(self.connector, Unset):
            connector = UNSET
        else:
            connector = self.connector

        payload = self.payload

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "operation": operation,
            }
        )
        if connector is not UNSET:
            field_dict["connector"] = connector
        if payload is not UNSET:
            field_dict["payload"] = payload

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        operation = d.pop("operation")

        def _parse_connector(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        connector = _parse_connector(d.pop("connector", UNSET))

        payload = d.pop("payload", UNSET)

        compensation_in = cls(
            operation=operation,
            connector=connector,
            payload=payload,
        )

        return compensation_in
