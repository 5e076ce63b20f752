from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.job_create import JobCreate


T = TypeVar("T", bound="JobBatchCreate")


@_attrs_define
class JobBatchCreate:
    """
    Attributes:
        jobs (list[JobCreate]):
    """

    jobs: list[JobCreate]

    def to_dict(self) -> dict[str, Any]:
        jobs = []
        for jobs_item_data in self.jobs:
            jobs_item = jobs_item_data.to_dict()
            jobs.append(jobs_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "jobs": jobs,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.job_create import JobCreate

        d = dict(src_dict)
        jobs = []
        _jobs = d.pop("jobs")
        for jobs_item_data in _jobs:
            jobs_item = JobCreate.from_dict(jobs_item_data)

            jobs.append(jobs_item)

        job_batch_create = cls(
            jobs=jobs,
        )

        return job_batch_create
