from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.connector_type_config_schema import ConnectorTypeConfigSchema
    from ..models.connector_type_operations import ConnectorTypeOperations
    from ..models.connector_type_secret_schema import ConnectorTypeSecretSchema


T = TypeVar("T", bound="ConnectorType")


@_attrs_define
class ConnectorType:
    """
    Attributes:
        config_schema (ConnectorTypeConfigSchema):
        description (str):
        name (str):
        secret_schema (ConnectorTypeSecretSchema):
        title (str):
        operations (ConnectorTypeOperations | Unset):
        operations_in_config (bool | Unset):  Default: False.
    """

    config_schema: ConnectorTypeConfigSchema
    description: str
    name: str
    secret_schema: ConnectorTypeSecretSchema
    title: str
    operations: ConnectorTypeOperations | Unset = UNSET
    operations_in_config: bool | Unset = False
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        config_schema = self.config_schema.to_dict()

        description = self.description

        name = self.name

        secret_schema = self.secret_schema.to_dict()

        title = self.title

        operations: dict[str, Any] | Unset = UNSET
        if not isinstance(self.operations, Unset):
            operations = self.operations.to_dict()

        operations_in_config = self.operations_in_config

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "config_schema": config_schema,
                "description": description,
                "name": name,
                "secret_schema": secret_schema,
                "title": title,
            }
        )
        if operations is not UNSET:
            field_dict["operations"] = operations
        if operations_in_config is not UNSET:
            field_dict["operations_in_config"] = operations_in_config

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.connector_type_config_schema import ConnectorTypeConfigSchema
        from ..models.connector_type_operations import ConnectorTypeOperations
        from ..models.connector_type_secret_schema import ConnectorTypeSecretSchema

        d = dict(src_dict)
        config_schema = ConnectorTypeConfigSchema.from_dict(d.pop("config_schema"))

        description = d.pop("description")

        name = d.pop("name")

        secret_schema = ConnectorTypeSecretSchema.from_dict(d.pop("secret_schema"))

        title = d.pop("title")

        _operations = d.pop("operations", UNSET)
        operations: ConnectorTypeOperations | Unset
        if isinstance(_operations, Unset):
            operations = UNSET
        else:
            operations = ConnectorTypeOperations.from_dict(_operations)

        operations_in_config = d.pop("operations_in_config", UNSET)

        connector_type = cls(
            config_schema=config_schema,
            description=description,
            name=name,
            secret_schema=secret_schema,
            title=title,
            operations=operations,
            operations_in_config=operations_in_config,
        )

        connector_type.additional_properties = d
        return connector_type

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
