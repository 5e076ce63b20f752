from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.attempt_out import AttemptOut
    from ..models.job_out import JobOut


T = TypeVar("T", bound="JobDetail")


@_attrs_define
class JobDetail:
    """
    Attributes:
        attempts (list[AttemptOut]):
        job (JobOut):
        workflow_run_id (None | UUID):
        workflow_step (None | str):
    """

    attempts: list[AttemptOut]
    job: JobOut
    workflow_run_id: None | UUID
    workflow_step: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        attempts = []
        for attempts_item_data in self.attempts:
            attempts_item = attempts_item_data.to_dict()
            attempts.append(attempts_item)

        job = self.job.to_dict()

        workflow_run_id: None | str
        if isinstance(self.workflow_run_id, UUID):
            workflow_run_id = str(self.workflow_run_id)
        else:
            workflow_run_id = self.workflow_run_id

        workflow_step: None | str
        workflow_step = self.workflow_step

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "attempts": attempts,
                "job": job,
                "workflow_run_id": workflow_run_id,
                "workflow_step": workflow_step,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.attempt_out import AttemptOut
        from ..models.job_out import JobOut

        d = dict(src_dict)
        attempts = []
        _attempts = d.pop("attempts")
        for attempts_item_data in _attempts:
            attempts_item = AttemptOut.from_dict(attempts_item_data)

            attempts.append(attempts_item)

        job = JobOut.from_dict(d.pop("job"))

        def _parse_workflow_run_id(data: object) -> None | UUID:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                workflow_run_id_type_0 = UUID(data)

                return workflow_run_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | UUID, data)

        workflow_run_id = _parse_workflow_run_id(d.pop("workflow_run_id"))

        def _parse_workflow_step(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        workflow_step = _parse_workflow_step(d.pop("workflow_step"))

        job_detail = cls(
            attempts=attempts,
            job=job,
            workflow_run_id=workflow_run_id,
            workflow_step=workflow_step,
        )

        job_detail.additional_properties = d
        return job_detail

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
