"""Contains all the data models used in inputs/outputs"""

from .action_request import ActionRequest
from .action_request_action import ActionRequestAction
from .actor import Actor
from .actor_kind import ActorKind
from .admin_spec import AdminSpec
from .api_v1_drafts_draft_id_items_member_name_put_draft_item_body import (
    ApiV1DraftsDraftIdItemsMemberNamePutDraftItemBody,
)
from .api_v1_jobs_list_workspace_jobs_status_type_1 import (
    ApiV1JobsListWorkspaceJobsStatusType1,
)
from .api_v1_jobs_list_workspace_jobs_status_type_2_type_1 import (
    ApiV1JobsListWorkspaceJobsStatusType2Type1,
)
from .api_v1_jobs_list_workspace_jobs_status_type_3_type_1 import (
    ApiV1JobsListWorkspaceJobsStatusType3Type1,
)
from .api_v1_webhooks_inbox_list_webhook_inbox_status_type_1 import (
    ApiV1WebhooksInboxListWebhookInboxStatusType1,
)
from .api_v1_webhooks_inbox_list_webhook_inbox_status_type_2_type_1 import (
    ApiV1WebhooksInboxListWebhookInboxStatusType2Type1,
)
from .api_v1_webhooks_inbox_list_webhook_inbox_status_type_3_type_1 import (
    ApiV1WebhooksInboxListWebhookInboxStatusType3Type1,
)
from .api_v1_workflow_runs_list_workflow_runs_status_type_1 import (
    ApiV1WorkflowRunsListWorkflowRunsStatusType1,
)
from .api_v1_workflow_runs_list_workflow_runs_status_type_2_type_1 import (
    ApiV1WorkflowRunsListWorkflowRunsStatusType2Type1,
)
from .api_v1_workflow_runs_list_workflow_runs_status_type_3_type_1 import (
    ApiV1WorkflowRunsListWorkflowRunsStatusType3Type1,
)
from .attempt_out import AttemptOut
from .attempt_out_outcome_type_1 import AttemptOutOutcomeType1
from .attempt_out_outcome_type_2_type_1 import AttemptOutOutcomeType2Type1
from .attempt_out_outcome_type_3_type_1 import AttemptOutOutcomeType3Type1
from .audit_list import AuditList
from .audit_record_out import AuditRecordOut
from .audit_record_out_after_type_0 import AuditRecordOutAfterType0
from .audit_record_out_before_type_0 import AuditRecordOutBeforeType0
from .audit_record_out_impersonation_type_0 import AuditRecordOutImpersonationType0
from .breaker_out import BreakerOut
from .breaker_out_state import BreakerOutState
from .breaker_policy import BreakerPolicy
from .breaker_policy_window import BreakerPolicyWindow
from .budget_out import BudgetOut
from .bundle import Bundle
from .bundle_change import BundleChange
from .bundle_change_action import BundleChangeAction
from .bundle_change_kind import BundleChangeKind
from .bundle_config import BundleConfig
from .bundle_config_document import BundleConfigDocument
from .bundle_connector import BundleConnector
from .bundle_connector_config import BundleConnectorConfig
from .bundle_connector_secrets import BundleConnectorSecrets
from .bundle_policy import BundlePolicy
from .bundle_policy_spec import BundlePolicySpec
from .bundle_schedule import BundleSchedule
from .bundle_secret_ref import BundleSecretRef
from .bundle_tenant import BundleTenant
from .bundle_tenant_quotas_type_0 import BundleTenantQuotasType0
from .bundle_webhook_binding import BundleWebhookBinding
from .bundle_webhook_binding_payload_mapping_type_0 import (
    BundleWebhookBindingPayloadMappingType0,
)
from .bundle_webhook_source import BundleWebhookSource
from .bundle_webhook_source_options_type_0 import BundleWebhookSourceOptionsType0
from .bundle_webhook_source_routing import BundleWebhookSourceRouting
from .bundle_workflow import BundleWorkflow
from .bundle_workflow_steps_item import BundleWorkflowStepsItem
from .canned_action import CannedAction
from .channel_event import ChannelEvent
from .channel_event_figures_type_0 import ChannelEventFiguresType0
from .channel_event_type import ChannelEventType
from .channel_out import ChannelOut
from .compensation_in import CompensationIn
from .config_activate import ConfigActivate
from .config_list import ConfigList
from .config_out import ConfigOut
from .config_out_document import ConfigOutDocument
from .config_put import ConfigPut
from .config_put_document import ConfigPutDocument
from .config_summary import ConfigSummary
from .connector_create import ConnectorCreate
from .connector_create_config import ConnectorCreateConfig
from .connector_create_secrets import ConnectorCreateSecrets
from .connector_health_out import ConnectorHealthOut
from .connector_health_out_breaker_type_1 import ConnectorHealthOutBreakerType1
from .connector_health_out_breaker_type_2_type_1 import (
    ConnectorHealthOutBreakerType2Type1,
)
from .connector_health_out_breaker_type_3_type_1 import (
    ConnectorHealthOutBreakerType3Type1,
)
from .connector_list import ConnectorList
from .connector_out import ConnectorOut
from .connector_out_config import ConnectorOutConfig
from .connector_out_secrets import ConnectorOutSecrets
from .connector_replace import ConnectorReplace
from .connector_replace_config import ConnectorReplaceConfig
from .connector_replace_secrets import ConnectorReplaceSecrets
from .connector_type import ConnectorType
from .connector_type_config_schema import ConnectorTypeConfigSchema
from .connector_type_list import ConnectorTypeList
from .connector_type_operations import ConnectorTypeOperations
from .connector_type_secret_schema import ConnectorTypeSecretSchema
from .counter import Counter
from .dead_job_filter import DeadJobFilter
from .dead_job_list import DeadJobList
from .degradation_policy import DegradationPolicy
from .degradation_policy_mode import DegradationPolicyMode
from .deletion_out import DeletionOut
from .deletion_out_kind import DeletionOutKind
from .deletion_out_progress import DeletionOutProgress
from .deletion_out_status import DeletionOutStatus
from .dlq_purged import DlqPurged
from .dlq_replayed import DlqReplayed
from .draft_activated import DraftActivated
from .draft_diff import DraftDiff
from .draft_list import DraftList
from .draft_open import DraftOpen
from .draft_out import DraftOut
from .draft_out_content_type_0 import DraftOutContentType0
from .draft_refusal import DraftRefusal
from .draft_refusal_errors_type_0_item import DraftRefusalErrorsType0Item
from .event_out import EventOut
from .event_out_data import EventOutData
from .field_change import FieldChange
from .field_error import FieldError
from .first_workspace import FirstWorkspace
from .first_workspace_environment_type_1 import FirstWorkspaceEnvironmentType1
from .first_workspace_environment_type_2_type_1 import (
    FirstWorkspaceEnvironmentType2Type1,
)
from .first_workspace_environment_type_3_type_1 import (
    FirstWorkspaceEnvironmentType3Type1,
)
from .guest_token import GuestToken
from .health import Health
from .impersonation_start import ImpersonationStart
from .impersonation_start_scopes_type_0_item import ImpersonationStartScopesType0Item
from .impersonation_stopped import ImpersonationStopped
from .impersonation_token import ImpersonationToken
from .import_report import ImportReport
from .inbox_depths_out import InboxDepthsOut
from .inbox_entry_detail import InboxEntryDetail
from .inbox_entry_detail_headers import InboxEntryDetailHeaders
from .inbox_entry_detail_routing import InboxEntryDetailRouting
from .inbox_entry_detail_status import InboxEntryDetailStatus
from .inbox_entry_out import InboxEntryOut
from .inbox_entry_out_headers import InboxEntryOutHeaders
from .inbox_entry_out_routing import InboxEntryOutRouting
from .inbox_entry_out_status import InboxEntryOutStatus
from .inbox_list import InboxList
from .inbox_retried import InboxRetried
from .inbox_retry_in import InboxRetryIn
from .inbox_retry_in_status_type_0_item import InboxRetryInStatusType0Item
from .invite_created import InviteCreated
from .invite_list import InviteList
from .invite_out import InviteOut
from .invite_redeem import InviteRedeem
from .invite_revoked import InviteRevoked
from .issued_client import IssuedClient
from .job_depths_out import JobDepthsOut
from .job_detail import JobDetail
from .job_list import JobList
from .job_out import JobOut
from .job_out_callback_state_type_1 import JobOutCallbackStateType1
from .job_out_callback_state_type_2_type_1 import JobOutCallbackStateType2Type1
from .job_out_callback_state_type_3_type_1 import JobOutCallbackStateType3Type1
from .job_out_status import JobOutStatus
from .json_web_key_set import JsonWebKeySet
from .json_web_key_set_keys_item import JsonWebKeySetKeysItem
from .month_usage import MonthUsage
from .operation_out import OperationOut
from .operation_type import OperationType
from .operation_type_output_schema import OperationTypeOutputSchema
from .operation_type_payload_schema import OperationTypePayloadSchema
from .operator_create import OperatorCreate
from .operator_credentials import OperatorCredentials
from .operator_list import OperatorList
from .operator_out import OperatorOut
from .operator_role import OperatorRole
from .organization_create import OrganizationCreate
from .organization_created import OrganizationCreated
from .organization_list import OrganizationList
from .organization_out import OrganizationOut
from .organization_out_status import OrganizationOutStatus
from .overview_out import OverviewOut
from .policy_create import PolicyCreate
from .policy_create_spec import PolicyCreateSpec
from .policy_list import PolicyList
from .policy_out import PolicyOut
from .policy_replace import PolicyReplace
from .policy_replace_spec import PolicyReplaceSpec
from .policy_spec import PolicySpec
from .poll_definition import PollDefinition
from .poll_out import PollOut
from .problem_details import ProblemDetails
from .quota_out import QuotaOut
from .quota_put import QuotaPut
from .rate_limit_out import RateLimitOut
from .rate_limit_policy import RateLimitPolicy
from .readiness import Readiness
from .recent_calls_out import RecentCallsOut
from .recent_window_out import RecentWindowOut
from .resource_change import ResourceChange
from .resource_change_change import ResourceChangeChange
from .retry_policy import RetryPolicy
from .revoke_request import RevokeRequest
from .revoke_response import RevokeResponse
from .run_list import RunList
from .run_out import RunOut
from .run_summary import RunSummary
from .run_summary_status import RunSummaryStatus
from .schedule_create import ScheduleCreate
from .schedule_list import ScheduleList
from .schedule_out import ScheduleOut
from .schedule_replace import ScheduleReplace
from .secret_ref_create import SecretRefCreate
from .secret_ref_list import SecretRefList
from .secret_ref_out import SecretRefOut
from .secret_ref_out_scheme import SecretRefOutScheme
from .secret_ref_replace import SecretRefReplace
from .secret_value import SecretValue
from .service_identity_create import ServiceIdentityCreate
from .service_identity_credentials import ServiceIdentityCredentials
from .service_identity_list import ServiceIdentityList
from .service_identity_out import ServiceIdentityOut
from .session_opened import SessionOpened
from .signing_secret_list import SigningSecretList
from .signing_secret_out import SigningSecretOut
from .signing_secret_rotate import SigningSecretRotate
from .status_kind import StatusKind
from .step_in import StepIn
from .step_out import StepOut
from .step_out_compensation_type_0 import StepOutCompensationType0
from .timeout_policy import TimeoutPolicy
from .token_request import TokenRequest
from .token_request_grant_type import TokenRequestGrantType
from .token_response import TokenResponse
from .token_self import TokenSelf
from .usage_out import UsageOut
from .version_diff import VersionDiff
from .version_head import VersionHead
from .version_list import VersionList
from .version_out import VersionOut
from .version_out_snapshot_type_0 import VersionOutSnapshotType0
from .webhook_binding_in import WebhookBindingIn
from .webhook_binding_in_action import WebhookBindingInAction
from .webhook_binding_in_payload_mapping_type_0 import (
    WebhookBindingInPayloadMappingType0,
)
from .webhook_binding_list import WebhookBindingList
from .webhook_binding_out import WebhookBindingOut
from .webhook_binding_out_payload_mapping_type_0 import (
    WebhookBindingOutPayloadMappingType0,
)
from .webhook_source_in import WebhookSourceIn
from .webhook_source_in_options_type_0 import WebhookSourceInOptionsType0
from .webhook_source_in_provider import WebhookSourceInProvider
from .webhook_source_in_routing import WebhookSourceInRouting
from .webhook_source_list import WebhookSourceList
from .webhook_source_out import WebhookSourceOut
from .webhook_source_out_options_type_0 import WebhookSourceOutOptionsType0
from .webhook_source_out_routing import WebhookSourceOutRouting
from .workflow_create import WorkflowCreate
from .workflow_list import WorkflowList
from .workflow_out import WorkflowOut
from .workflow_out_steps_item import WorkflowOutStepsItem
from .workflow_replace import WorkflowReplace
from .workspace_create import WorkspaceCreate
from .workspace_create_environment import WorkspaceCreateEnvironment
from .workspace_list import WorkspaceList
from .workspace_out import WorkspaceOut
from .workspace_out_status import WorkspaceOutStatus

__all__ = (
    "ActionRequest",
    "ActionRequestAction",
    "Actor",
    "ActorKind",
    "AdminSpec",
    "ApiV1DraftsDraftIdItemsMemberNamePutDraftItemBody",
    "ApiV1JobsListWorkspaceJobsStatusType1",
    "ApiV1JobsListWorkspaceJobsStatusType2Type1",
    "ApiV1JobsListWorkspaceJobsStatusType3Type1",
    "ApiV1WebhooksInboxListWebhookInboxStatusType1",
    "ApiV1WebhooksInboxListWebhookInboxStatusType2Type1",
    "ApiV1WebhooksInboxListWebhookInboxStatusType3Type1",
    "ApiV1WorkflowRunsListWorkflowRunsStatusType1",
    "ApiV1WorkflowRunsListWorkflowRunsStatusType2Type1",
    "ApiV1WorkflowRunsListWorkflowRunsStatusType3Type1",
    "AttemptOut",
    "AttemptOutOutcomeType1",
    "AttemptOutOutcomeType2Type1",
    "AttemptOutOutcomeType3Type1",
    "AuditList",
    "AuditRecordOut",
    "AuditRecordOutAfterType0",
    "AuditRecordOutBeforeType0",
    "AuditRecordOutImpersonationType0",
    "BreakerOut",
    "BreakerOutState",
    "BreakerPolicy",
    "BreakerPolicyWindow",
    "BudgetOut",
    "Bundle",
    "BundleChange",
    "BundleChangeAction",
    "BundleChangeKind",
    "BundleConfig",
    "BundleConfigDocument",
    "BundleConnector",
    "BundleConnectorConfig",
    "BundleConnectorSecrets",
    "BundlePolicy",
    "BundlePolicySpec",
    "BundleSchedule",
    "BundleSecretRef",
    "BundleTenant",
    "BundleTenantQuotasType0",
    "BundleWebhookBinding",
    "BundleWebhookBindingPayloadMappingType0",
    "BundleWebhookSource",
    "BundleWebhookSourceOptionsType0",
    "BundleWebhookSourceRouting",
    "BundleWorkflow",
    "BundleWorkflowStepsItem",
    "CannedAction",
    "ChannelEvent",
    "ChannelEventFiguresType0",
    "ChannelEventType",
    "ChannelOut",
    "CompensationIn",
    "ConfigActivate",
    "ConfigList",
    "ConfigOut",
    "ConfigOutDocument",
    "ConfigPut",
    "ConfigPutDocument",
    "ConfigSummary",
    "ConnectorCreate",
    "ConnectorCreateConfig",
    "ConnectorCreateSecrets",
    "ConnectorHealthOut",
    "ConnectorHealthOutBreakerType1",
    "ConnectorHealthOutBreakerType2Type1",
    "ConnectorHealthOutBreakerType3Type1",
    "ConnectorList",
    "ConnectorOut",
    "ConnectorOutConfig",
    "ConnectorOutSecrets",
    "ConnectorReplace",
    "ConnectorReplaceConfig",
    "ConnectorReplaceSecrets",
    "ConnectorType",
    "ConnectorTypeConfigSchema",
    "ConnectorTypeList",
    "ConnectorTypeOperations",
    "ConnectorTypeSecretSchema",
    "Counter",
    "DeadJobFilter",
    "DeadJobList",
    "DegradationPolicy",
    "DegradationPolicyMode",
    "DeletionOut",
    "DeletionOutKind",
    "DeletionOutProgress",
    "DeletionOutStatus",
    "DlqPurged",
    "DlqReplayed",
    "DraftActivated",
    "DraftDiff",
    "DraftList",
    "DraftOpen",
    "DraftOut",
    "DraftOutContentType0",
    "DraftRefusal",
    "DraftRefusalErrorsType0Item",
    "EventOut",
    "EventOutData",
    "FieldChange",
    "FieldError",
    "FirstWorkspace",
    "FirstWorkspaceEnvironmentType1",
    "FirstWorkspaceEnvironmentType2Type1",
    "FirstWorkspaceEnvironmentType3Type1",
    "GuestToken",
    "Health",
    "ImpersonationStart",
    "ImpersonationStartScopesType0Item",
    "ImpersonationStopped",
    "ImpersonationToken",
    "ImportReport",
    "InboxDepthsOut",
    "InboxEntryDetail",
    "InboxEntryDetailHeaders",
    "InboxEntryDetailRouting",
    "InboxEntryDetailStatus",
    "InboxEntryOut",
    "InboxEntryOutHeaders",
    "InboxEntryOutRouting",
    "InboxEntryOutStatus",
    "InboxList",
    "InboxRetried",
    "InboxRetryIn",
    "InboxRetryInStatusType0Item",
    "InviteCreated",
    "InviteList",
    "InviteOut",
    "InviteRedeem",
    "InviteRevoked",
    "IssuedClient",
    "JobDepthsOut",
    "JobDetail",
    "JobList",
    "JobOut",
    "JobOutCallbackStateType1",
    "JobOutCallbackStateType2Type1",
    "JobOutCallbackStateType3Type1",
    "JobOutStatus",
    "JsonWebKeySet",
    "JsonWebKeySetKeysItem",
    "MonthUsage",
    "OperationOut",
    "OperationType",
    "OperationTypeOutputSchema",
    "OperationTypePayloadSchema",
    "OperatorCreate",
    "OperatorCredentials",
    "OperatorList",
    "OperatorOut",
    "OperatorRole",
    "OrganizationCreate",
    "OrganizationCreated",
    "OrganizationList",
    "OrganizationOut",
    "OrganizationOutStatus",
    "OverviewOut",
    "PolicyCreate",
    "PolicyCreateSpec",
    "PolicyList",
    "PolicyOut",
    "PolicyReplace",
    "PolicyReplaceSpec",
    "PolicySpec",
    "PollDefinition",
    "PollOut",
    "ProblemDetails",
    "QuotaOut",
    "QuotaPut",
    "RateLimitOut",
    "RateLimitPolicy",
    "Readiness",
    "RecentCallsOut",
    "RecentWindowOut",
    "ResourceChange",
    "ResourceChangeChange",
    "RetryPolicy",
    "RevokeRequest",
    "RevokeResponse",
    "RunList",
    "RunOut",
    "RunSummary",
    "RunSummaryStatus",
    "ScheduleCreate",
    "ScheduleList",
    "ScheduleOut",
    "ScheduleReplace",
    "SecretRefCreate",
    "SecretRefList",
    "SecretRefOut",
    "SecretRefOutScheme",
    "SecretRefReplace",
    "SecretValue",
    "ServiceIdentityCreate",
    "ServiceIdentityCredentials",
    "ServiceIdentityList",
    "ServiceIdentityOut",
    "SessionOpened",
    "SigningSecretList",
    "SigningSecretOut",
    "SigningSecretRotate",
    "StatusKind",
    "StepIn",
    "StepOut",
    "StepOutCompensationType0",
    "TimeoutPolicy",
    "TokenRequest",
    "TokenRequestGrantType",
    "TokenResponse",
    "TokenSelf",
    "UsageOut",
    "VersionDiff",
    "VersionHead",
    "VersionList",
    "VersionOut",
    "VersionOutSnapshotType0",
    "WebhookBindingIn",
    "WebhookBindingInAction",
    "WebhookBindingInPayloadMappingType0",
    "WebhookBindingList",
    "WebhookBindingOut",
    "WebhookBindingOutPayloadMappingType0",
    "WebhookSourceIn",
    "WebhookSourceInOptionsType0",
    "WebhookSourceInProvider",
    "WebhookSourceInRouting",
    "WebhookSourceList",
    "WebhookSourceOut",
    "WebhookSourceOutOptionsType0",
    "WebhookSourceOutRouting",
    "WorkflowCreate",
    "WorkflowList",
    "WorkflowOut",
    "WorkflowOutStepsItem",
    "WorkflowReplace",
    "WorkspaceCreate",
    "WorkspaceCreateEnvironment",
    "WorkspaceList",
    "WorkspaceOut",
    "WorkspaceOutStatus",
)
