from http import HTTPStatus
from typing import Any
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.event_page_out import EventPageOut
from ...models.problem_details import ProblemDetails
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    after: None | str | Unset = UNSET,
    job_id: None | Unset | UUID = UNSET,
    limit: int | Unset = 100,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_after: None | str | Unset
    if isinstance(after, Unset):
        json_after = UNSET
    else:
        json_after = after
    params["after"] = json_after

    json_job_id: None | str | Unset
    if isinstance(job_id, Unset):
        json_job_id = UNSET
    elif isinstance(job_id, UUID):
        json_job_id = str(job_id)
    else:
        json_job_id = job_id
    params["job_id"] = json_job_id

    params["limit"] = limit

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/events",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> EventPageOut | ProblemDetails | None:
    if response.status_code == 200:
        response_200 = EventPageOut.from_dict(response.json())

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

    if response.status_code == 410:
        response_410 = ProblemDetails.from_dict(response.json())

        return response_410

    if response.status_code == 503:
        response_503 = ProblemDetails.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[EventPageOut | ProblemDetails]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    after: None | str | Unset = UNSET,
    job_id: None | Unset | UUID = UNSET,
    limit: int | Unset = 100,
) -> Response[EventPageOut | ProblemDetails]:
    """ListEvents

    Args:
        after (None | str | Unset): Return events after this one (an event `id`); from the start
            when absent.
        job_id (None | Unset | UUID):
        limit (int | Unset):  Default: 100.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[EventPageOut | ProblemDetails]
    """

    kwargs = _get_kwargs(
        after=after,
        job_id=job_id,
        limit=limit,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    after: None | str | Unset = UNSET,
    job_id: None | Unset | UUID = UNSET,
    limit: int | Unset = 100,
) -> EventPageOut | ProblemDetails | None:
    """ListEvents

    Args:
        after (None | str | Unset): Return events after this one (an event `id`); from the start
            when absent.
        job_id (None | Unset | UUID):
        limit (int | Unset):  Default: 100.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        EventPageOut | ProblemDetails
    """

    return sync_detailed(
        client=client,
        after=after,
        job_id=job_id,
        limit=limit,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    after: None | str | Unset = UNSET,
    job_id: None | Unset | UUID = UNSET,
    limit: int | Unset = 100,
) -> Response[EventPageOut | ProblemDetails]:
    """ListEvents

    Args:
        after (None | str | Unset): Return events after this one (an event `id`); from the start
            when absent.
        job_id (None | Unset | UUID):
        limit (int | Unset):  Default: 100.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[EventPageOut | ProblemDetails]
    """

    kwargs = _get_kwargs(
        after=after,
        job_id=job_id,
        limit=limit,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    after: None | str | Unset = UNSET,
    job_id: None | Unset | UUID = UNSET,
    limit: int | Unset = 100,
) -> EventPageOut | ProblemDetails | None:
    """ListEvents

    Args:
        after (None | str | Unset): Return events after this one (an event `id`); from the start
            when absent.
        job_id (None | Unset | UUID):
        limit (int | Unset):  Default: 100.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        EventPageOut | ProblemDetails
    """

    return (
        await asyncio_detailed(
            client=client,
            after=after,
            job_id=job_id,
            limit=limit,
        )
    ).parsed
