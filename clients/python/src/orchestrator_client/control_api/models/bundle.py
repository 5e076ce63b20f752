from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.bundle_config import BundleConfig
    from ..models.bundle_connector import BundleConnector
    from ..models.bundle_policy import BundlePolicy
    from ..models.bundle_schedule import BundleSchedule
    from ..models.bundle_secret_ref import BundleSecretRef
    from ..models.bundle_tenant import BundleTenant
    from ..models.bundle_webhook_source import BundleWebhookSource
    from ..models.bundle_workflow import BundleWorkflow


T = TypeVar("T", bound="Bundle")


@_attrs_define
class Bundle:
    """
    Attributes:
        configs (list[BundleConfig] | Unset):
        connectors (list[BundleConnector] | Unset):
        policies (list[BundlePolicy] | Unset):
        schedules (list[BundleSchedule] | None | Unset):
        secret_refs (list[BundleSecretRef] | Unset):
        tenant (BundleTenant | Unset):
        webhook_sources (list[BundleWebhookSource] | None | Unset):
        workflows (list[BundleWorkflow] | None | Unset):
    """

    configs: list[BundleConfig] | Unset = UNSET
    connectors: list[BundleConnector] | Unset = UNSET
    policies: list[BundlePolicy] | Unset = UNSET
    schedules: list[BundleSchedule] | None | Unset = UNSET
    secret_refs: list[BundleSecretRef] | Unset = UNSET
    tenant: BundleTenant | Unset = UNSET
    webhook_sources: list[BundleWebhookSource] | None | Unset = UNSET
    workflows: list[BundleWorkflow] | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        configs: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.configs, Unset):
            configs = []
            for configs_item_data in self.configs:
                configs_item = configs_item_data.to_dict()
                configs.append(configs_item)

        connectors: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.connectors, Unset):
            connectors = []
            for connectors_item_data in self.connectors:
                connectors_item = connectors_item_data.to_dict()
                connectors.append(connectors_item)

        policies: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.policies, Unset):
            policies = []
            for policies_item_data in self.policies:
                policies_item = policies_item_data.to_dict()
                policies.append(policies_item)

        schedules: list[dict[str, Any]] | None | Unset
        if isinstance(self.schedules, Unset):
            schedules = UNSET
        elif isinstance(self.schedules, list):
            schedules = []
            for schedules_type_0_item_data in self.schedules:
                schedules_type_0_item = schedules_type_0_item_data.to_dict()
                schedules.append(schedules_type_0_item)

        else:
            schedules = self.schedules

        secret_refs: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.secret_refs, Unset):
            secret_refs = []
            for secret_refs_item_data in self.secret_refs:
                secret_refs_item = secret_refs_item_data.to_dict()
                secret_refs.append(secret_refs_item)

        tenant: dict[str, Any] | Unset = UNSET
        if not isinstance(self.tenant, Unset):
            tenant = self.tenant.to_dict()

        webhook_sources: list[dict[str, Any]] | None | Unset
        if isinstance(self.webhook_sources, Unset):
            webhook_sources = UNSET
        elif isinstance(self.webhook_sources, list):
            webhook_sources = []
            for webhook_sources_type_0_item_data in self.webhook_sources:
                webhook_sources_type_0_item = webhook_sources_type_0_item_data.to_dict()
                webhook_sources.append(webhook_sources_type_0_item)

        else:
            webhook_sources = self.webhook_sources

        workflows: list[dict[str, Any]] | None | Unset
        if isinstance(self.workflows, Unset):
            workflows = UNSET
        elif isinstance(self.workflows, list):
            workflows = []
            for workflows_type_0_item_data in self.workflows:
                workflows_type_0_item = workflows_type_0_item_data.to_dict()
                workflows.append(workflows_type_0_item)

        else:
            workflows = self.workflows

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if configs is not UNSET:
            field_dict["configs"] = configs
        if connectors is not UNSET:
            field_dict["connectors"] = connectors
        if policies is not UNSET:
            field_dict["policies"] = policies
        if schedules is not UNSET:
            field_dict["schedules"] = schedules
        if secret_refs is not UNSET:
            field_dict["secret_refs"] = secret_refs
        if tenant is not UNSET:
            field_dict["tenant"] = tenant
        if webhook_sources is not UNSET:
            field_dict["webhook_sources"] = webhook_sources
        if workflows is not UNSET:
            field_dict["workflows"] = workflows

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.bundle_config import BundleConfig
        from ..models.bundle_connector import BundleConnector
        from ..models.bundle_policy import BundlePolicy
        from ..models.bundle_schedule import BundleSchedule
        from ..models.bundle_secret_ref import BundleSecretRef
        from ..models.bundle_tenant import BundleTenant
        from ..models.bundle_webhook_source import BundleWebhookSource
        from ..models.bundle_workflow import BundleWorkflow

        d = dict(src_dict)
        _configs = d.pop("configs", UNSET)
        configs: list[BundleConfig] | Unset = UNSET
        if _configs is not UNSET:
            configs = []
            for configs_item_data in _configs:
                configs_item = BundleConfig.from_dict(configs_item_data)

                configs.append(configs_item)

        _connectors = d.pop("connectors", UNSET)
        connectors: list[BundleConnector] | Unset = UNSET
        if _connectors is not UNSET:
            connectors = []
            for connectors_item_data in _connectors:
                connectors_item = BundleConnector.from_dict(connectors_item_data)

                connectors.append(connectors_item)

        _policies = d.pop("policies", UNSET)
        policies: list[BundlePolicy] | Unset = UNSET
        if _policies is not UNSET:
            policies = []
            for policies_item_data in _policies:
                policies_item = BundlePolicy.from_dict(policies_item_data)

                policies.append(policies_item)

        def _parse_schedules(data: object) -> list[BundleSchedule] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                schedules_type_0 = []
                _schedules_type_0 = data
                for schedules_type_0_item_data in _schedules_type_0:
                    schedules_type_0_item = BundleSchedule.from_dict(
                        schedules_type_0_item_data
                    )

                    schedules_type_0.append(schedules_type_0_item)

                return schedules_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[BundleSchedule] | None | Unset, data)

        schedules = _parse_schedules(d.pop("schedules", UNSET))

        _secret_refs = d.pop("secret_refs", UNSET)
        secret_refs: list[BundleSecretRef] | Unset = UNSET
        if _secret_refs is not UNSET:
            secret_refs = []
            for secret_refs_item_data in _secret_refs:
                secret_refs_item = BundleSecretRef.from_dict(secret_refs_item_data)

                secret_refs.append(secret_refs_item)

        _tenant = d.pop("tenant", UNSET)
        tenant: BundleTenant | Unset
        if isinstance(_tenant, Unset):
            tenant = UNSET
        else:
            tenant = BundleTenant.from_dict(_tenant)

        def _parse_webhook_sources(
            data: object,
        ) -> list[BundleWebhookSource] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                webhook_sources_type_0 = []
                _webhook_sources_type_0 = data
                for webhook_sources_type_0_item_data in _webhook_sources_type_0:
                    webhook_sources_type_0_item = BundleWebhookSource.from_dict(
                        webhook_sources_type_0_item_data
                    )

                    webhook_sources_type_0.append(webhook_sources_type_0_item)

                return webhook_sources_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[BundleWebhookSource] | None | Unset, data)

        webhook_sources = _parse_webhook_sources(d.pop("webhook_sources", UNSET))

        def _parse_workflows(data: object) -> list[BundleWorkflow] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                workflows_type_0 = []
                _workflows_type_0 = data
                for workflows_type_0_item_data in _workflows_type_0:
                    workflows_type_0_item = BundleWorkflow.from_dict(
                        workflows_type_0_item_data
                    )

                    workflows_type_0.append(workflows_type_0_item)

                return workflows_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[BundleWorkflow] | None | Unset, data)

        workflows = _parse_workflows(d.pop("workflows", UNSET))

        bundle = cls(
            configs=configs,
            connectors=connectors,
            policies=policies,
            schedules=schedules,
            secret_refs=secret_refs,
            tenant=tenant,
            webhook_sources=webhook_sources,
            workflows=workflows,
        )

        return bundle
