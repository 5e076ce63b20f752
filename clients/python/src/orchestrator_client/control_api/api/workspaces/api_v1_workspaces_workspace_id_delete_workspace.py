from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.deletion_out import DeletionOut
from ...models.problem_details import ProblemDetails
from ...types import UNSET, Response, Unset


def _get_kwargs(
    workspace_id: UUID,
    *,
    reason: str,
    operation_id: None | str | Unset = UNSET,
    force: bool | Unset = False,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["reason"] = reason

    json_operation_id: None | str | Unset
    if isinstance(operation_id, Unset):
        json_operation_id = UNSET
    else:
        json_operation_id = operation_id
    params["operation_id"] = json_operation_id

    params["force"] = force

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "delete",
        "url": "/api/v1/workspaces/{workspace_id}".format(
            workspace_id=quote(str(workspace_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> DeletionOut | ProblemDetails | None:
    if response.status_code == 202:
        response_202 = DeletionOut.from_dict(response.json())

        return response_202

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
) -> Response[DeletionOut | ProblemDetails]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    workspace_id: UUID,
    *,
    client: AuthenticatedClient,
    reason: str,
    operation_id: None | str | Unset = UNSET,
    force: bool | Unset = False,
) -> Response[DeletionOut | ProblemDetails]:
    """DeleteWorkspace

    Args:
        workspace_id (UUID):
        reason (str): Why this change is made; recorded in the audit log.
        operation_id (None | str | Unset): Keys the deletion: repeating it answers the same one.
            Without one, a new one is made (as for a creation), and a repeat is a 409 naming the
            first.
        force (bool | Unset): Cancel the workspace's queued and running jobs and active workflow
            runs first, instead of refusing with 409 while there are any. Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DeletionOut | ProblemDetails]
    """

    kwargs = _get_kwargs(
        workspace_id=workspace_id,
        reason=reason,
        operation_id=operation_id,
        force=force,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    workspace_id: UUID,
    *,
    client: AuthenticatedClient,
    reason: str,
    operation_id: None | str | Unset = UNSET,
    force: bool | Unset = False,
) -> DeletionOut | ProblemDetails | None:
    """DeleteWorkspace

    Args:
        workspace_id (UUID):
        reason (str): Why this change is made; recorded in the audit log.
        operation_id (None | str | Unset): Keys the deletion: repeating it answers the same one.
            Without one, a new one is made (as for a creation), and a repeat is a 409 naming the
            first.
        force (bool | Unset): Cancel the workspace's queued and running jobs and active workflow
            runs first, instead of refusing with 409 while there are any. Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DeletionOut | ProblemDetails
    """

    return sync_detailed(
        workspace_id=workspace_id,
        client=client,
        reason=reason,
        operation_id=operation_id,
        force=force,
    ).parsed


async def asyncio_detailed(
    workspace_id: UUID,
    *,
    client: AuthenticatedClient,
    reason: str,
    operation_id: None | str | Unset = UNSET,
    force: bool | Unset = False,
) -> Response[DeletionOut | ProblemDetails]:
    """DeleteWorkspace

    Args:
        workspace_id (UUID):
        reason (str): Why this change is made; recorded in the audit log.
        operation_id (None | str | Unset): Keys the deletion: repeating it answers the same one.
            Without one, a new one is made (as for a creation), and a repeat is a 409 naming the
            first.
        force (bool | Unset): Cancel the workspace's queued and running jobs and active workflow
            runs first, instead of refusing with 409 while there are any. Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DeletionOut | ProblemDetails]
    """

    kwargs = _get_kwargs(
        workspace_id=workspace_id,
        reason=reason,
        operation_id=operation_id,
        force=force,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    workspace_id: UUID,
    *,
    client: AuthenticatedClient,
    reason: str,
    operation_id: None | str | Unset = UNSET,
    force: bool | Unset = False,
) -> DeletionOut | ProblemDetails | None:
    """DeleteWorkspace

    Args:
        workspace_id (UUID):
        reason (str): Why this change is made; recorded in the audit log.
        operation_id (None | str | Unset): Keys the deletion: repeating it answers the same one.
            Without one, a new one is made (as for a creation), and a repeat is a 409 naming the
            first.
        force (bool | Unset): Cancel the workspace's queued and running jobs and active workflow
            runs first, instead of refusing with 409 while there are any. Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DeletionOut | ProblemDetails
    """

    return (
        await asyncio_detailed(
            workspace_id=workspace_id,
            client=client,
            reason=reason,
            operation_id=operation_id,
            force=force,
        )
    ).parsed
