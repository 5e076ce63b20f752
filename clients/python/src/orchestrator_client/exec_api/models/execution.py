from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.execution_status import ExecutionStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.output_error import OutputError


T = TypeVar("T", bound="Execution")


@_attrs_define
class Execution:
    """
    Attributes:
        attempts (int):
        duration_ms (float):
        output (Any):
        status (ExecutionStatus):
        upstream_status (int | None):
        output_errors (list[OutputError] | None | Unset):
    """

    attempts: int
    duration_ms: float
    output: Any
    status: ExecutionStatus
    upstream_status: int | None
    output_errors: list[OutputError] | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        attempts = self.attempts

        duration_ms = self.duration_ms

        output = self.output

        status = self.status.value

        upstream_status: int | None
        upstream_status = self.upstream_status

        output_errors: list[dict[str, Any]] | None | Unset
        if isinstance(self.output_errors, Unset):
            output_errors = UNSET
        elif isinstance(self.output_errors, list):
            output_errors = []
            for output_errors_type_0_item_data in self.output_errors:
                output_errors_type_0_item = output_errors_type_0_item_data.to_dict()
                output_errors.append(output_errors_type_0_item)

        else:
            output_errors = self.output_errors

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "attempts": attempts,
                "duration_ms": duration_ms,
                "output": output,
                "status": status,
                "upstream_status": upstream_status,
            }
        )
        if output_errors is not UNSET:
            field_dict["output_errors"] = output_errors

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.output_error import OutputError

        d = dict(src_dict)
        attempts = d.pop("attempts")

        duration_ms = d.pop("duration_ms")

        output = d.pop("output")

        status = ExecutionStatus(d.pop("status"))

        def _parse_upstream_status(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        upstream_status = _parse_upstream_status(d.pop("upstream_status"))

        def _parse_output_errors(data: object) -> list[OutputError] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                output_errors_type_0 = []
                _output_errors_type_0 = data
                for output_errors_type_0_item_data in _output_errors_type_0:
                    output_errors_type_0_item = OutputError.from_dict(
                        output_errors_type_0_item_data
                    )

                    output_errors_type_0.append(output_errors_type_0_item)

                return output_errors_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[OutputError] | None | Unset, data)

        output_errors = _parse_output_errors(d.pop("output_errors", UNSET))

        execution = cls(
            attempts=attempts,
            duration_ms=duration_ms,
            output=output,
            status=status,
            upstream_status=upstream_status,
            output_errors=output_errors,
        )

        execution.additional_properties = d
        return execution

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
