from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.bundle import Bundle
from ...models.draft_out import DraftOut
from ...models.problem_details import ProblemDetails
from ...types import UNSET, Response, Unset


def _get_kwargs(
    draft_id: UUID,
    *,
    body: Bundle,
    workspace: None | Unset | UUID = UNSET,
    reason: str,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    params: dict[str, Any] = {}

    json_workspace: None | str | Unset
    if isinstance(workspace, Unset):
        json_workspace = UNSET
    elif isinstance(workspace, UUID):
        json_workspace = str(workspace)
    else:
        json_workspace = workspace
    params["workspace"] = json_workspace

    params["reason"] = reason

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/api/v1/drafts/{draft_id}/content".format(
            draft_id=quote(str(draft_id), safe=""),
        ),
        "params": params,
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> DraftOut | ProblemDetails | None:
    if response.status_code == 200:
        response_200 = DraftOut.from_dict(response.json())

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
) -> Response[DraftOut | ProblemDetails]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    draft_id: UUID,
    *,
    client: AuthenticatedClient,
    body: Bundle,
    workspace: None | Unset | UUID = UNSET,
    reason: str,
) -> Response[DraftOut | ProblemDetails]:
    """ReplaceDraftContent

    Args:
        draft_id (UUID):
        workspace (None | Unset | UUID): A workspace of your organization (default: your token's
            workspace).
        reason (str): Why this change is made; recorded in the audit log.
        body (Bundle):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DraftOut | ProblemDetails]
    """

    kwargs = _get_kwargs(
        draft_id=draft_id,
        body=body,
        workspace=workspace,
        reason=reason,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    draft_id: UUID,
    *,
    client: AuthenticatedClient,
    body: Bundle,
    workspace: None | Unset | UUID = UNSET,
    reason: str,
) -> DraftOut | ProblemDetails | None:
    """ReplaceDraftContent

    Args:
        draft_id (UUID):
        workspace (None | Unset | UUID): A workspace of your organization (default: your token's
            workspace).
        reason (str): Why this change is made; recorded in the audit log.
        body (Bundle):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DraftOut | ProblemDetails
    """

    return sync_detailed(
        draft_id=draft_id,
        client=client,
        body=body,
        workspace=workspace,
        reason=reason,
    ).parsed


async def asyncio_detailed(
    draft_id: UUID,
    *,
    client: AuthenticatedClient,
    body: Bundle,
    workspace: None | Unset | UUID = UNSET,
    reason: str,
) -> Response[DraftOut | ProblemDetails]:
    """ReplaceDraftContent

    Args:
        draft_id (UUID):
        workspace (None | Unset | UUID): A workspace of your organization (default: your token's
            workspace).
        reason (str): Why this change is made; recorded in the audit log.
        body (Bundle):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DraftOut | ProblemDetails]
    """

    kwargs = _get_kwargs(
        draft_id=draft_id,
        body=body,
        workspace=workspace,
        reason=reason,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    draft_id: UUID,
    *,
    client: AuthenticatedClient,
    body: Bundle,
    workspace: None | Unset | UUID = UNSET,
    reason: str,
) -> DraftOut | ProblemDetails | None:
    """ReplaceDraftContent

    Args:
        draft_id (UUID):
        workspace (None | Unset | UUID): A workspace of your organization (default: your token's
            workspace).
        reason (str): Why this change is made; recorded in the audit log.
        body (Bundle):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DraftOut | ProblemDetails
    """

    return (
        await asyncio_detailed(
            draft_id=draft_id,
            client=client,
            body=body,
            workspace=workspace,
            reason=reason,
        )
    ).parsed
