from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.job_create_payload import JobCreatePayload


T = TypeVar("T", bound="JobCreate")


@_attrs_define
class JobCreate:
    """
    Attributes:
        connector (str):
        operation (str):
        callback_url (None | str | Unset):
        delay_ms (int | Unset):  Default: 0.
        payload (JobCreatePayload | Unset):
    """

    connector: str
    operation: str
    callback_url: None | str | Unset = UNSET
    delay_ms: int | Unset = 0
    payload: JobCreatePayload | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        connector = self.connector

        operation = self.operation

        callback_url: None | str | Unset
        if isinstance(self.callback_url, Unset):
            callback_url = UNSET
        else:
            callback_url = self.callback_url

        delay_ms = self.delay_ms

        payload: dict[str, Any] | Unset = UNSET
        if not isinstance(self.payload, Unset):
            payload = self.payload.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "connector": connector,
                "operation": operation,
            }
        )
        if callback_url is not UNSET:
            field_dict["callback_url"] = callback_url
        if delay_ms is not UNSET:
            field_dict["delay_ms"] = delay_ms
        if payload is not UNSET:
            field_dict["payload"] = payload

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.job_create_payload import JobCreatePayload

        d = dict(src_dict)
        connector = d.pop("connector")

        operation = d.pop("operation")

        def _parse_callback_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        callback_url = _parse_callback_url(d.pop("callback_url", UNSET))

        delay_ms = d.pop("delay_ms", UNSET)

        _payload = d.pop("payload", UNSET)
        payload: JobCreatePayload | Unset
        if isinstance(_payload, Unset):
            payload = UNSET
        else:
            payload = JobCreatePayload.from_dict(_payload)

        job_create = cls(
            connector=connector,
            operation=operation,
            callback_url=callback_url,
            delay_ms=delay_ms,
            payload=payload,
        )

        return job_create
