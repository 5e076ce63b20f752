from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.execute_request_payload import ExecuteRequestPayload


T = TypeVar("T", bound="ExecuteRequest")


@_attrs_define
class ExecuteRequest:
    """
    Attributes:
        connector (str):
        operation (str):
        payload (ExecuteRequestPayload | Unset):
    """

    connector: str
    operation: str
    payload: ExecuteRequestPayload | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        connector = self.connector

        operation = self.operation

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
        if payload is not UNSET:
            field_dict["payload"] = payload

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.execute_request_payload import ExecuteRequestPayload

        d = dict(src_dict)
        connector = d.pop("connector")

        operation = d.pop("operation")

        _payload = d.pop("payload", UNSET)
        payload: ExecuteRequestPayload | Unset
        if isinstance(_payload, Unset):
            payload = UNSET
        else:
            payload = ExecuteRequestPayload.from_dict(_payload)

        execute_request = cls(
            connector=connector,
            operation=operation,
            payload=payload,
        )

        return execute_request
