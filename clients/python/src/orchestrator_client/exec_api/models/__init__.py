"""Contains all the data models used in inputs/outputs"""

from .api_v1_jobs_list_jobs_status_type_1 import ApiV1JobsListJobsStatusType1
from .api_v1_jobs_list_jobs_status_type_2_type_1 import (
    ApiV1JobsListJobsStatusType2Type1,
)
from .api_v1_jobs_list_jobs_status_type_3_type_1 import (
    ApiV1JobsListJobsStatusType3Type1,
)
from .dead_job_filter import DeadJobFilter
from .event_out import EventOut
from .event_out_data import EventOutData
from .event_page_out import EventPageOut
from .execute_request import ExecuteRequest
from .execute_request_payload import ExecuteRequestPayload
from .execution import Execution
from .execution_status import ExecutionStatus
from .field_error import FieldError
from .health import Health
from .job_accepted import JobAccepted
from .job_accepted_status import JobAcceptedStatus
from .job_batch_accepted import JobBatchAccepted
from .job_batch_create import JobBatchCreate
from .job_create import JobCreate
from .job_create_payload import JobCreatePayload
from .job_list import JobList
from .job_out import JobOut
from .job_out_callback_state_type_1 import JobOutCallbackStateType1
from .job_out_callback_state_type_2_type_1 import JobOutCallbackStateType2Type1
from .job_out_callback_state_type_3_type_1 import JobOutCallbackStateType3Type1
from .job_out_status import JobOutStatus
from .jobs_retried import JobsRetried
from .output_error import OutputError
from .problem_details import ProblemDetails
from .readiness import Readiness
from .run_accepted import RunAccepted
from .run_create import RunCreate
from .run_create_input import RunCreateInput
from .run_out import RunOut
from .step_out import StepOut
from .step_out_compensation_type_0 import StepOutCompensationType0
from .workspace_out import WorkspaceOut
from .workspace_out_status import WorkspaceOutStatus

__all__ = (
    "ApiV1JobsListJobsStatusType1",
    "ApiV1JobsListJobsStatusType2Type1",
    "ApiV1JobsListJobsStatusType3Type1",
    "DeadJobFilter",
    "EventOut",
    "EventOutData",
    "EventPageOut",
    "ExecuteRequest",
    "ExecuteRequestPayload",
    "Execution",
    "ExecutionStatus",
    "FieldError",
    "Health",
    "JobAccepted",
    "JobAcceptedStatus",
    "JobBatchAccepted",
    "JobBatchCreate",
    "JobCreate",
    "JobCreatePayload",
    "JobList",
    "JobOut",
    "JobOutCallbackStateType1",
    "JobOutCallbackStateType2Type1",
    "JobOutCallbackStateType3Type1",
    "JobOutStatus",
    "JobsRetried",
    "OutputError",
    "ProblemDetails",
    "Readiness",
    "RunAccepted",
    "RunCreate",
    "RunCreateInput",
    "RunOut",
    "StepOut",
    "StepOutCompensationType0",
    "WorkspaceOut",
    "WorkspaceOutStatus",
)
