from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.operation_type_output_schema import OperationTypeOutputSchema
    from ..models.operation_type_payload_schema import OperationTypePayloadSchema


T = TypeVar("T", bound="OperationType")


@_attrs_define
class OperationType:
    """
    Attributes:
        description (str | Unset):  Default: ''.
        idempotent (bool | Unset):  Default: False.
        output_schema (OperationTypeOutputSchema | Unset):
        payload_schema (OperationTypePayloadSchema | Unset):
    """

    description: str | Unset = ""
    idempotent: bool | Unset = False
    output_schema: OperationTypeOutputSchema | Unset = UNSET
    payload_schema: OperationTypePayloadSchema | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        description = self.description

        idempotent = self.idempotent

        output_schema: dict[str, Any] | Unset = UNSET
        if not isinstance(self.output_schema, Unset):
            output_schema = self.output_schema.to_dict()

        payload_schema: dict[str, Any] | Unset = UNSET
        if not isinstance(self.payload_schema, Unset):
            payload_schema = self.payload_schema.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if description is not UNSET:
            field_dict["description"] = description
        if idempotent is not UNSET:
            field_dict["idempotent"] = idempotent
        if output_schema is not UNSET:
            field_dict["output_schema"] = output_schema
        if payload_schema is not UNSET:
            field_dict["payload_schema"] = payload_schema

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.operation_type_output_schema import OperationTypeOutputSchema
        from ..models.operation_type_payload_schema import OperationTypePayloadSchema

        d = dict(src_dict)
        description = d.pop("description", UNSET)

        idempotent = d.pop("idempotent", UNSET)

        _output_schema = d.pop("output_schema", UNSET)
        output_schema: OperationTypeOutputSchema | Unset
        if isinstance(_output_schema, Unset):
            output_schema = UNSET
        else:
            output_schema = OperationTypeOutputSchema.from_dict(_output_schema)

        _payload_schema = d.pop("payload_schema", UNSET)
        payload_schema: OperationTypePayloadSchema | Unset
        if isinstance(_payload_schema, Unset):
            payload_schema = UNSET
        else:
            payload_schema = OperationTypePayloadSchema.from_dict(_payload_schema)

        operation_type = cls(
            description=description,
            idempotent=idempotent,
            output_schema=output_schema,
            payload_schema=payload_schema,
        )

        operation_type.additional_properties = d
        return operation_type

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
