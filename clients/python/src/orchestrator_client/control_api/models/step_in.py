from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.compensation_in import CompensationIn


T = TypeVar("T", bound="StepIn")


@_attrs_define
class StepIn:
    """
    Attributes:
        connector (str):
        name (str):
        operation (str):
        compensation (CompensationIn | None | Unset):
        payload (Any | Unset): Literal JSON, except that a value {"$ref": "<JSON Pointer>"} is replaced by what the
            pointer names: /input/… (the run's input) or /steps/<earlier step>/output/… (an earlier step's output).
    """

    connector: str
    name: str
    operation: str
    compensation: CompensationIn | None | Unset = UNSET
    payload: Any | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.compensation_in import CompensationIn

        connector = self.connector

        name = self.name

        operation = self.operation

        compensation: dict[str, Any] | None | Unset
        if isinstance(self.compensation, Unset):
            compensation = UNSET
        elif isinstance(self.compensation, CompensationIn):
            compensation = self.compensation.to_dict()
        else:
            compensation = self.compensation

        payload = self.payload

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "connector": connector,
                "name": name,
                "operation": operation,
            }
        )
        if compensation is not UNSET:
            field_dict["compensation"] = compensation
        if payload is not UNSET:
            field_dict["payload"] = payload

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.compensation_in import CompensationIn

        d = dict(src_dict)
        connector = d.pop("connector")

        name = d.pop("name")

        operation = d.pop("operation")

        def _parse_compensation(data: object) -> CompensationIn | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                compensation_type_0 = CompensationIn.from_dict(data)

                return compensation_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CompensationIn | None | Unset, data)

        compensation = _parse_compensation(d.pop("compensation", UNSET))

        payload = d.pop("payload", UNSET)

        step_in = cls(
            connector=connector,
            name=name,
            operation=operation,
            compensation=compensation,
            payload=payload,
        )

        return step_in
