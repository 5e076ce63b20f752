from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.step_out_compensation_type_0 import StepOutCompensationType0


T = TypeVar("T", bound="StepOut")


@_attrs_define
class StepOut:
    """
    Attributes:
        name (str):
        status (str):
        compensation (None | StepOutCompensationType0 | Unset):
        error (None | str | Unset):
        job_id (None | str | Unset):
        output (Any | Unset):
    """

    name: str
    status: str
    compensation: None | StepOutCompensationType0 | Unset = UNSET
    error: None | str | Unset = UNSET
    job_id: None | str | Unset = UNSET
    output: Any | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.step_out_compensation_type_0 import StepOutCompensationType0

        name = self.name

        status = self.status

        compensation: dict[str, Any] | None | Unset
        if isinstance(self.compensation, Unset):
            compensation = UNSET
        elif isinstance(self.compensation, StepOutCompensationType0):
            compensation = self.compensation.to_dict()
        else:
            compensation = self.compensation

        error: None | str | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        else:
            error = self.error

        job_id: None | str | Unset
        if isinstance(self.job_id, Unset):
            job_id = UNSET
        else:
            job_id = self.job_id

        output = self.output

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "status": status,
            }
        )
        if compensation is not UNSET:
            field_dict["compensation"] = compensation
        if error is not UNSET:
            field_dict["error"] = error
        if job_id is not UNSET:
            field_dict["job_id"] = job_id
        if output is not UNSET:
            field_dict["output"] = output

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.step_out_compensation_type_0 import StepOutCompensationType0

        d = dict(src_dict)
        name = d.pop("name")

        status = d.pop("status")

        def _parse_compensation(
            data: object,
        ) -> None | StepOutCompensationType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                compensation_type_0 = StepOutCompensationType0.from_dict(data)

                return compensation_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | StepOutCompensationType0 | Unset, data)

        compensation = _parse_compensation(d.pop("compensation", UNSET))

        def _parse_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error = _parse_error(d.pop("error", UNSET))

        def _parse_job_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        job_id = _parse_job_id(d.pop("job_id", UNSET))

        output = d.pop("output", UNSET)

        step_out = cls(
            name=name,
            status=status,
            compensation=compensation,
            error=error,
            job_id=job_id,
            output=output,
        )

        step_out.additional_properties = d
        return step_out

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
