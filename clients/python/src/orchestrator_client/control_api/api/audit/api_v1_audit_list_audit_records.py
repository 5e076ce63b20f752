from http import HTTPStatus
from typing import Any
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.audit_list import AuditList
from ...models.problem_details import ProblemDetails
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    workspace: None | Unset | UUID = UNSET,
    actor: None | str | Unset = UNSET,
    action: None | str | Unset = UNSET,
    action_prefix: None | str | Unset = UNSET,
    target: None | str | Unset = UNSET,
    since: None | str | Unset = UNSET,
    until: None | str | Unset = UNSET,
    cursor: None | str | Unset = UNSET,
    limit: int | Unset = 50,
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

    json_actor: None | str | Unset
    if isinstance(actor, Unset):
        json_actor = UNSET
    else:
        json_actor = actor
    params["actor"] = json_actor

    json_action: None | str | Unset
    if isinstance(action, Unset):
        json_action = UNSET
    else:
        json_action = action
    params["action"] = json_action

    json_action_prefix: None | str | Unset
    if isinstance(action_prefix, Unset):
        json_action_prefix = UNSET
    else:
        json_action_prefix = action_prefix
    params["action_prefix"] = json_action_prefix

    json_target: None | str | Unset
    if isinstance(target, Unset):
        json_target = UNSET
    else:
        json_target = target
    params["target"] = json_target

    json_since: None | str | Unset
    if isinstance(since, Unset):
        json_since = UNSET
    else:
        json_since = since
    params["since"] = json_since

    json_until: None | str | Unset
    if isinstance(until, Unset):
        json_until = UNSET
    else:
        json_until = until
    params["until"] = json_until

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
        "url": "/api/v1/audit",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> AuditList | ProblemDetails | None:
    if response.status_code == 200:
        response_200 = AuditList.from_dict(response.json())

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
) -> Response[AuditList | ProblemDetails]:
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
    actor: None | str | Unset = UNSET,
    action: None | str | Unset = UNSET,
    action_prefix: None | str | Unset = UNSET,
    target: None | str | Unset = UNSET,
    since: None | str | Unset = UNSET,
    until: None | str | Unset = UNSET,
    cursor: None | str | Unset = UNSET,
    limit: int | Unset = 50,
) -> Response[AuditList | ProblemDetails]:
    """ListAuditRecords

    Args:
        workspace (None | Unset | UUID): A workspace of your organization (default: your token's
            workspace).
        actor (None | str | Unset):
        action (None | str | Unset):
        action_prefix (None | str | Unset): Actions starting with this text (`secret_ref.`).
        target (None | str | Unset):
        since (None | str | Unset): An RFC 3339 date-time with its offset
            (`2026-11-25T10:00:00Z`).
        until (None | str | Unset): An RFC 3339 date-time with its offset
            (`2026-11-25T10:00:00Z`).
        cursor (None | str | Unset):
        limit (int | Unset):  Default: 50.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AuditList | ProblemDetails]
    """

    kwargs = _get_kwargs(
        workspace=workspace,
        actor=actor,
        action=action,
        action_prefix=action_prefix,
        target=target,
        since=since,
        until=until,
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
    workspace: None | Unset | UUID = UNSET,
    actor: None | str | Unset = UNSET,
    action: None | str | Unset = UNSET,
    action_prefix: None | str | Unset = UNSET,
    target: None | str | Unset = UNSET,
    since: None | str | Unset = UNSET,
    until: None | str | Unset = UNSET,
    cursor: None | str | Unset = UNSET,
    limit: int | Unset = 50,
) -> AuditList | ProblemDetails | None:
    """ListAuditRecords

    Args:
        workspace (None | Unset | UUID): A workspace of your organization (default: your token's
            workspace).
        actor (None | str | Unset):
        action (None | str | Unset):
        action_prefix (None | str | Unset): Actions starting with this text (`secret_ref.`).
        target (None | str | Unset):
        since (None | str | Unset): An RFC 3339 date-time with its offset
            (`2026-11-25T10:00:00Z`).
        until (None | str | Unset): An RFC 3339 date-time with its offset
            (`2026-11-25T10:00:00Z`).
        cursor (None | str | Unset):
        limit (int | Unset):  Default: 50.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AuditList | ProblemDetails
    """

    return sync_detailed(
        client=client,
        workspace=workspace,
        actor=actor,
        action=action,
        action_prefix=action_prefix,
        target=target,
        since=since,
        until=until,
        cursor=cursor,
        limit=limit,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    workspace: None | Unset | UUID = UNSET,
    actor: None | str | Unset = UNSET,
    action: None | str | Unset = UNSET,
    action_prefix: None | str | Unset = UNSET,
    target: None | str | Unset = UNSET,
    since: None | str | Unset = UNSET,
    until: None | str | Unset = UNSET,
    cursor: None | str | Unset = UNSET,
    limit: int | Unset = 50,
) -> Response[AuditList | ProblemDetails]:
    """ListAuditRecords

    Args:
        workspace (None | Unset | UUID): A workspace of your organization (default: your token's
            workspace).
        actor (None | str | Unset):
        action (None | str | Unset):
        action_prefix (None | str | Unset): Actions starting with this text (`secret_ref.`).
        target (None | str | Unset):
        since (None | str | Unset): An RFC 3339 date-time with its offset
            (`2026-11-25T10:00:00Z`).
        until (None | str | Unset): An RFC 3339 date-time with its offset
            (`2026-11-25T10:00:00Z`).
        cursor (None | str | Unset):
        limit (int | Unset):  Default: 50.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AuditList | ProblemDetails]
    """

    kwargs = _get_kwargs(
        workspace=workspace,
        actor=actor,
        action=action,
        action_prefix=action_prefix,
        target=target,
        since=since,
        until=until,
        cursor=cursor,
        limit=limit,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    workspace: None | Unset | UUID = UNSET,
    actor: None | str | Unset = UNSET,
    action: None | str | Unset = UNSET,
    action_prefix: None | str | Unset = UNSET,
    target: None | str | Unset = UNSET,
    since: None | str | Unset = UNSET,
    until: None | str | Unset = UNSET,
    cursor: None | str | Unset = UNSET,
    limit: int | Unset = 50,
) -> AuditList | ProblemDetails | None:
    """ListAuditRecords

    Args:
        workspace (None | Unset | UUID): A workspace of your organization (default: your token's
            workspace).
        actor (None | str | Unset):
        action (None | str | Unset):
        action_prefix (None | str | Unset): Actions starting with this text (`secret_ref.`).
        target (None | str | Unset):
        since (None | str | Unset): An RFC 3339 date-time with its offset
            (`2026-11-25T10:00:00Z`).
        until (None | str | Unset): An RFC 3339 date-time with its offset
            (`2026-11-25T10:00:00Z`).
        cursor (None | str | Unset):
        limit (int | Unset):  Default: 50.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AuditList | ProblemDetails
    """

    return (
        await asyncio_detailed(
            client=client,
            workspace=workspace,
            actor=actor,
            action=action,
            action_prefix=action_prefix,
            target=target,
            since=since,
            until=until,
            cursor=cursor,
            limit=limit,
        )
    ).parsed
