from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.api_v1_jobs_list_jobs_status_type_1 import ApiV1JobsListJobsStatusType1
from ...models.api_v1_jobs_list_jobs_status_type_2_type_1 import (
    ApiV1JobsListJobsStatusType2Type1,
)
from ...models.api_v1_jobs_list_jobs_status_type_3_type_1 import (
    ApiV1JobsListJobsStatusType3Type1,
)
from ...models.job_list import JobList
from ...models.problem_details import ProblemDetails
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    status: ApiV1JobsListJobsStatusType1
    | ApiV1JobsListJobsStatusType2Type1
    | ApiV1JobsListJobsStatusType3Type1
    | None
    | Unset = UNSET,
    cursor: None | str | Unset = UNSET,
    limit: int | Unset = 50,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_status: None | str | Unset
    if isinstance(status, Unset):
        json_status = UNSET
    elif (
        isinstance(status, ApiV1JobsListJobsStatusType1)
        or isinstance(status, ApiV1JobsListJobsStatusType2Type1)
        or isinstance(status, ApiV1JobsListJobsStatusType3Type1)
    ):
        json_status = status.value
    else:
        json_status = status
    params["status"] = json_status

    json_cursor: None | str | Unset
    if isinstance(cursor, Unset):
        json_cursor = UNSET
    else:
        json_cursor = cursor
    params["cursor"] = json_cursor

    params["limit"] = limit

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/jobs",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> JobList | ProblemDetails | None:
    if response.status_code == 200:
        response_200 = JobList.from_dict(response.json())

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

    if response.status_code == 503:
        response_503 = ProblemDetails.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[JobList | ProblemDetails]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    status: ApiV1JobsListJobsStatusType1
    | ApiV1JobsListJobsStatusType2Type1
    | ApiV1JobsListJobsStatusType3Type1
    | None
    | Unset = UNSET,
    cursor: None | str | Unset = UNSET,
    limit: int | Unset = 50,
) -> Response[JobList | ProblemDetails]:
    """ListJobs

    Args:
        status (ApiV1JobsListJobsStatusType1 | ApiV1JobsListJobsStatusType2Type1 |
            ApiV1JobsListJobsStatusType3Type1 | None | Unset):
        cursor (None | str | Unset):
        limit (int | Unset):  Default: 50.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[JobList | ProblemDetails]
    """

    kwargs = _get_kwargs(
        status=status,
        cursor=cursor,
        limit=limit,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    status: ApiV1JobsListJobsStatusType1
    | ApiV1JobsListJobsStatusType2Type1
    | ApiV1JobsListJobsStatusType3Type1
    | None
    | Unset = UNSET,
    cursor: None | str | Unset = UNSET,
    limit: int | Unset = 50,
) -> JobList | ProblemDetails | None:
    """ListJobs

    Args:
        status (ApiV1JobsListJobsStatusType1 | ApiV1JobsListJobsStatusType2Type1 |
            ApiV1JobsListJobsStatusType3Type1 | None | Unset):
        cursor (None | str | Unset):
        limit (int | Unset):  Default: 50.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        JobList | ProblemDetails
    """

    return sync_detailed(
        client=client,
        status=status,
        cursor=cursor,
        limit=limit,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    status: ApiV1JobsListJobsStatusType1
    | ApiV1JobsListJobsStatusType2Type1
    | ApiV1JobsListJobsStatusType3Type1
    | None
    | Unset = UNSET,
    cursor: None | str | Unset = UNSET,
    limit: int | Unset = 50,
) -> Response[JobList | ProblemDetails]:
    """ListJobs

    Args:
        status (ApiV1JobsListJobsStatusType1 | ApiV1JobsListJobsStatusType2Type1 |
            ApiV1JobsListJobsStatusType3Type1 | None | Unset):
        cursor (None | str | Unset):
        limit (int | Unset):  Default: 50.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[JobList | ProblemDetails]
    """

    kwargs = _get_kwargs(
        status=status,
        cursor=cursor,
        limit=limit,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    status: ApiV1JobsListJobsStatusType1
    | ApiV1JobsListJobsStatusType2Type1
    | ApiV1JobsListJobsStatusType3Type1
    | None
    | Unset = UNSET,
    cursor: None | str | Unset = UNSET,
    limit: int | Unset = 50,
) -> JobList | ProblemDetails | None:
    """ListJobs

    Args:
        status (ApiV1JobsListJobsStatusType1 | ApiV1JobsListJobsStatusType2Type1 |
            ApiV1JobsListJobsStatusType3Type1 | None | Unset):
        cursor (None | str | Unset):
        limit (int | Unset):  Default: 50.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        JobList | ProblemDetails
    """

    return (
        await asyncio_detailed(
            client=client,
            status=status,
            cursor=cursor,
            limit=limit,
        )
    ).parsed
