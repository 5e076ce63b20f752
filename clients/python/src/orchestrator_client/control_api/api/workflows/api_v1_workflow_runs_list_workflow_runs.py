from http import HTTPStatus
from typing import Any
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.api_v1_workflow_runs_list_workflow_runs_status_type_1 import (
    ApiV1WorkflowRunsListWorkflowRunsStatusType1,
)
from ...models.api_v1_workflow_runs_list_workflow_runs_status_type_2_type_1 import (
    ApiV1WorkflowRunsListWorkflowRunsStatusType2Type1,
)
from ...models.api_v1_workflow_runs_list_workflow_runs_status_type_3_type_1 import (
    ApiV1WorkflowRunsListWorkflowRunsStatusType3Type1,
)
from ...models.problem_details import ProblemDetails
from ...models.run_list import RunList
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    workspace: None | Unset | UUID = UNSET,
    cursor: None | str | Unset = UNSET,
    limit: int | Unset = 50,
    workflow: None | str | Unset = UNSET,
    status: ApiV1WorkflowRunsListWorkflowRunsStatusType1
    | ApiV1WorkflowRunsListWorkflowRunsStatusType2Type1
    | ApiV1WorkflowRunsListWorkflowRunsStatusType3Type1
    | None
    | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_workspace: None | str | Unset
    if isinstance(workspace, Unset):
        json_workspace = UNSET
    elif isinstance(workspace, UUID):
        json_workspace = str(workspace)
    else:
        json_workspace = workspace
    params["workspace"] = json_workspace

    json_cursor: None | str | Unset
    if isinstance(cursor, Unset):
        json_cursor = UNSET
    else:
        json_cursor = cursor
    params["cursor"] = json_cursor

    params["limit"] = limit

    json_workflow: None | str | Unset
    if isinstance(workflow, Unset):
        json_workflow = UNSET
    else:
        json_workflow = workflow
    params["workflow"] = json_workflow

    json_status: None | str | Unset
    if isinstance(status, Unset):
        json_status = UNSET
    elif (
        isinstance(status, ApiV1WorkflowRunsListWorkflowRunsStatusType1)
        or isinstance(status, ApiV1WorkflowRunsListWorkflowRunsStatusType2Type1)
        or isinstance(status, ApiV1WorkflowRunsListWorkflowRunsStatusType3Type1)
    ):
        json_status = status.value
    else:
        json_status = status
    params["status"] = json_status

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/workflow-runs",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ProblemDetails | RunList | None:
    if response.status_code == 200:
        response_200 = RunList.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ProblemDetails.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ProblemDetails.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ProblemDetails.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = ProblemDetails.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = ProblemDetails.from_dict(response.json())

        return response_409

    if response.status_code == 503:
        response_503 = ProblemDetails.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ProblemDetails | RunList]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    workspace: None | Unset | UUID = UNSET,
    cursor: None | str | Unset = UNSET,
    limit: int | Unset = 50,
    workflow: None | str | Unset = UNSET,
    status: ApiV1WorkflowRunsListWorkflowRunsStatusType1
    | ApiV1WorkflowRunsListWorkflowRunsStatusType2Type1
    | ApiV1WorkflowRunsListWorkflowRunsStatusType3Type1
    | None
    | Unset = UNSET,
) -> Response[ProblemDetails | RunList]:
    """ListWorkflowRuns

    Args:
        workspace (None | Unset | UUID): A workspace of your organization (default: your token's
            workspace).
        cursor (None | str | Unset): The `next_cursor` of the previous page; omitted for the first
            page.
        limit (int | Unset): Rows a page holds, at most 500. Default: 50.
        workflow (None | str | Unset): Only runs of this workflow.
        status (ApiV1WorkflowRunsListWorkflowRunsStatusType1 |
            ApiV1WorkflowRunsListWorkflowRunsStatusType2Type1 |
            ApiV1WorkflowRunsListWorkflowRunsStatusType3Type1 | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ProblemDetails | RunList]
    """

    kwargs = _get_kwargs(
        workspace=workspace,
        cursor=cursor,
        limit=limit,
        workflow=workflow,
        status=status,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    workspace: None | Unset | UUID = UNSET,
    cursor: None | str | Unset = UNSET,
    limit: int | Unset = 50,
    workflow: None | str | Unset = UNSET,
    status: ApiV1WorkflowRunsListWorkflowRunsStatusType1
    | ApiV1WorkflowRunsListWorkflowRunsStatusType2Type1
    | ApiV1WorkflowRunsListWorkflowRunsStatusType3Type1
    | None
    | Unset = UNSET,
) -> ProblemDetails | RunList | None:
    """ListWorkflowRuns

    Args:
        workspace (None | Unset | UUID): A workspace of your organization (default: your token's
            workspace).
        cursor (None | str | Unset): The `next_cursor` of the previous page; omitted for the first
            page.
        limit (int | Unset): Rows a page holds, at most 500. Default: 50.
        workflow (None | str | Unset): Only runs of this workflow.
        status (ApiV1WorkflowRunsListWorkflowRunsStatusType1 |
            ApiV1WorkflowRunsListWorkflowRunsStatusType2Type1 |
            ApiV1WorkflowRunsListWorkflowRunsStatusType3Type1 | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ProblemDetails | RunList
    """

    return sync_detailed(
        client=client,
        workspace=workspace,
        cursor=cursor,
        limit=limit,
        workflow=workflow,
        status=status,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    workspace: None | Unset | UUID = UNSET,
    cursor: None | str | Unset = UNSET,
    limit: int | Unset = 50,
    workflow: None | str | Unset = UNSET,
    status: ApiV1WorkflowRunsListWorkflowRunsStatusType1
    | ApiV1WorkflowRunsListWorkflowRunsStatusType2Type1
    | ApiV1WorkflowRunsListWorkflowRunsStatusType3Type1
    | None
    | Unset = UNSET,
) -> Response[ProblemDetails | RunList]:
    """ListWorkflowRuns

    Args:
        workspace (None | Unset | UUID): A workspace of your organization (default: your token's
            workspace).
        cursor (None | str | Unset): The `next_cursor` of the previous page; omitted for the first
            page.
        limit (int | Unset): Rows a page holds, at most 500. Default: 50.
        workflow (None | str | Unset): Only runs of this workflow.
        status (ApiV1WorkflowRunsListWorkflowRunsStatusType1 |
            ApiV1WorkflowRunsListWorkflowRunsStatusType2Type1 |
            ApiV1WorkflowRunsListWorkflowRunsStatusType3Type1 | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ProblemDetails | RunList]
    """

    kwargs = _get_kwargs(
        workspace=workspace,
        cursor=cursor,
        limit=limit,
        workflow=workflow,
        status=status,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    workspace: None | Unset | UUID = UNSET,
    cursor: None | str | Unset = UNSET,
    limit: int | Unset = 50,
    workflow: None | str | Unset = UNSET,
    status: ApiV1WorkflowRunsListWorkflowRunsStatusType1
    | ApiV1WorkflowRunsListWorkflowRunsStatusType2Type1
    | ApiV1WorkflowRunsListWorkflowRunsStatusType3Type1
    | None
    | Unset = UNSET,
) -> ProblemDetails | RunList | None:
    """ListWorkflowRuns

    Args:
        workspace (None | Unset | UUID): A workspace of your organization (default: your token's
            workspace).
        cursor (None | str | Unset): The `next_cursor` of the previous page; omitted for the first
            page.
        limit (int | Unset): Rows a page holds, at most 500. Default: 50.
        workflow (None | str | Unset): Only runs of this workflow.
        status (ApiV1WorkflowRunsListWorkflowRunsStatusType1 |
            ApiV1WorkflowRunsListWorkflowRunsStatusType2Type1 |
            ApiV1WorkflowRunsListWorkflowRunsStatusType3Type1 | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ProblemDetails | RunList
    """

    return (
        await asyncio_detailed(
            client=client,
            workspace=workspace,
            cursor=cursor,
            limit=limit,
            workflow=workflow,
            status=status,
        )
    ).parsed
