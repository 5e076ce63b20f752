from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.job_out_callback_state_type_1 import JobOutCallbackStateType1
from ..models.job_out_callback_state_type_2_type_1 import JobOutCallbackStateType2Type1
from ..models.job_out_callback_state_type_3_type_1 import JobOutCallbackStateType3Type1
from ..models.job_out_status import JobOutStatus

T = TypeVar("T", bound="JobOut")


@_attrs_define
class JobOut:
    """
    Attributes:
        attempts (int):
        available_at (datetime.datetime):
        callback_state (JobOutCallbackStateType1 | JobOutCallbackStateType2Type1 | JobOutCallbackStateType3Type1 |
            None):
        callback_url (None | str):
        connector (str):
        created_at (datetime.datetime):
        error (None | str):
        finished_at (datetime.datetime | None):
        id (UUID):
        max_attempts (int):
        operation (str):
        output (Any):
        payload (Any):
        started_at (datetime.datetime | None):
        status (JobOutStatus):
        updated_at (datetime.datetime):
        upstream_status (int | None):
    """

    attempts: int
    available_at: datetime.datetime
    callback_state: (
        JobOutCallbackStateType1
        | JobOutCallbackStateType2Type1
        | JobOutCallbackStateType3Type1
        | None
    )
    callback_url: None | str
    connector: str
    created_at: datetime.datetime
    error: None | str
    finished_at: datetime.datetime | None
    id: UUID
    max_attempts: int
    operation: str
    output: Any
    payload: Any
    started_at: datetime.datetime | None
    status: JobOutStatus
    updated_at: datetime.datetime
    upstream_status: int | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        attempts = self.attempts

        available_at = self.available_at.isoformat()

        callback_state: None | str
        if (
            isinstance(self.callback_state, JobOutCallbackStateType1)
            or isinstance(self.callback_state, JobOutCallbackStateType2Type1)
            or isinstance(self.callback_state, JobOutCallbackStateType3Type1)
        ):
            callback_state = self.callback_state.value
        else:
            callback_state = self.callback_state

        callback_url: None | str
        callback_url = self.callback_url

        connector = self.connector

        created_at = self.created_at.isoformat()

        error: None | str
        error = self.error

        finished_at: None | str
        if isinstance(self.finished_at, datetime.datetime):
            finished_at = self.finished_at.isoformat()
        else:
            finished_at = self.finished_at

        id = str(self.id)

        max_attempts = self.max_attempts

        operation = self.operation

        output = self.output

        payload = self.payload

        started_at: None | str
        if isinstance(self.started_at, datetime.datetime):
            started_at = self.started_at.isoformat()
        else:
            started_at = self.started_at

        status = self.status.value

        updated_at = self.updated_at.isoformat()

        upstream_status: int | None
        upstream_status = self.upstream_status

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "attempts": attempts,
                "available_at": available_at,
                "callback_state": callback_state,
                "callback_url": callback_url,
                "connector": connector,
                "created_at": created_at,
                "error": error,
                "finished_at": finished_at,
                "id": id,
                "max_attempts": max_attempts,
                "operation": operation,
                "output": output,
                "payload": payload,
                "started_at": started_at,
                "status": status,
                "updated_at": updated_at,
                "upstream_status": upstream_status,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        attempts = d.pop("attempts")

        available_at = datetime.datetime.fromisoformat(d.pop("available_at"))

        def _parse_callback_state(
            data: object,
        ) -> (
            JobOutCallbackStateType1
            | JobOutCallbackStateType2Type1
            | JobOutCallbackStateType3Type1
            | None
        ):
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                callback_state_type_1 = JobOutCallbackStateType1(data)

                return callback_state_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, str):
                    raise TypeError()
                callback_state_type_2_type_1 = JobOutCallbackStateType2Type1(data)

                return callback_state_type_2_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, str):
                    raise TypeError()
                callback_state_type_3_type_1 = JobOutCallbackStateType3Type1(data)

                return callback_state_type_3_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(
                JobOutCallbackStateType1
                | JobOutCallbackStateType2Type1
                | JobOutCallbackStateType3Type1
                | None,
                data,
            )

        callback_state = _parse_callback_state(d.pop("callback_state"))

        def _parse_callback_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        callback_url = _parse_callback_url(d.pop("callback_url"))

        connector = d.pop("connector")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        error = _parse_error(d.pop("error"))

        def _parse_finished_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                finished_at_type_0 = datetime.datetime.fromisoformat(data)

                return finished_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        finished_at = _parse_finished_at(d.pop("finished_at"))

        id = UUID(d.pop("id"))

        max_attempts = d.pop("max_attempts")

        operation = d.pop("operation")

        output = d.pop("output")

        payload = d.pop("payload")

        def _parse_started_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                started_at_type_0 = datetime.datetime.fromisoformat(data)

                return started_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        started_at = _parse_started_at(d.pop("started_at"))

        status = JobOutStatus(d.pop("status"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        def _parse_upstream_status(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        upstream_status = _parse_upstream_status(d.pop("upstream_status"))

        job_out = cls(
            attempts=attempts,
            available_at=available_at,
            callback_state=callback_state,
            callback_url=callback_url,
            connector=connector,
            created_at=created_at,
            error=error,
            finished_at=finished_at,
            id=id,
            max_attempts=max_attempts,
            operation=operation,
            output=output,
            payload=payload,
            started_at=started_at,
            status=status,
            updated_at=updated_at,
            upstream_status=upstream_status,
        )

        job_out.additional_properties = d
        return job_out

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
