from http import HTTPStatus
from typing import Any
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.poll_definition import PollDefinition
from ...models.poll_out import PollOut
from ...models.problem_details import ProblemDetails
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: PollDefinition,
    reason: str,
    workspace: None | Unset | UUID = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    params: dict[str, Any] = {}

    params["reason"] = reason

    json_workspace: None | str | Unset
    if isinstance(workspace, Unset):
        json_workspace = UNSET
    elif isinstance(workspace, UUID):
        json_workspace = str(workspace)
    else:
        json_workspace = workspace
    params["workspace"] = json_workspace

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/channel/polls",
        "params": params,
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> PollOut | ProblemDetails | None:
    if response.status_code == 201:
        response_201 = PollOut.from_dict(response.json())

        return response_201

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

    if response.status_code == 413:
        response_413 = ProblemDetails.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = ProblemDetails.from_dict(response.json())

        return response_415

    if response.status_code == 422:
        response_422 = ProblemDetails.from_dict(response.json())

        return response_422

    if response.status_code == 503:
        response_503 = ProblemDetails.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[PollOut | ProblemDetails]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: PollDefinition,
    reason: str,
    workspace: None | Unset | UUID = UNSET,
) -> Response[PollOut | ProblemDetails]:
    """CreatePoll

    Args:
        reason (str): Why this change is made; recorded in the audit log.
        workspace (None | Unset | UUID): A workspace of your organization (default: your token's
            workspace).
        body (PollDefinition):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PollOut | ProblemDetails]
    """

    kwargs = _get_kwargs(
        body=body,
        reason=reason,
        workspace=workspace,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: PollDefinition,
    reason: str,
    workspace: None | Unset | UUID = UNSET,
) -> PollOut | ProblemDetails | None:
    """CreatePoll

    Args:
        reason (str): Why this change is made; recorded in the audit log.
        workspace (None | Unset | UUID): A workspace of your organization (default: your token's
            workspace).
        body (PollDefinition):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PollOut | ProblemDetails
    """

    return sync_detailed(
        client=client,
        body=body,
        reason=reason,
        workspace=workspace,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: PollDefinition,
    reason: str,
    workspace: None | Unset | UUID = UNSET,
) -> Response[PollOut | ProblemDetails]:
    """CreatePoll

    Args:
        reason (str): Why this change is made; recorded in the audit log.
        workspace (None | Unset | UUID): A workspace of your organization (default: your token's
            workspace).
        body (PollDefinition):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PollOut | ProblemDetails]
    """

    kwargs = _get_kwargs(
        body=body,
        reason=reason,
        workspace=workspace,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: PollDefinition,
    reason: str,
    workspace: None | Unset | UUID = UNSET,
) -> PollOut | ProblemDetails | None:
    """CreatePoll

    Args:
        reason (str): Why this change is made; recorded in the audit log.
        workspace (None | Unset | UUID): A workspace of your organization (default: your token's
            workspace).
        body (PollDefinition):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PollOut | ProblemDetails
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            reason=reason,
            workspace=workspace,
        )
    ).parsed
