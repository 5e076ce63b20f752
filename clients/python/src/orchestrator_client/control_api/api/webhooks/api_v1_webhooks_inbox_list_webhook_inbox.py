from http import HTTPStatus
from typing import Any
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.api_v1_webhooks_inbox_list_webhook_inbox_status_type_1 import (
    ApiV1WebhooksInboxListWebhookInboxStatusType1,
)
from ...models.api_v1_webhooks_inbox_list_webhook_inbox_status_type_2_type_1 import (
    ApiV1WebhooksInboxListWebhookInboxStatusType2Type1,
)
from ...models.api_v1_webhooks_inbox_list_webhook_inbox_status_type_3_type_1 import (
    ApiV1WebhooksInboxListWebhookInboxStatusType3Type1,
)
from ...models.inbox_list import InboxList
from ...models.problem_details import ProblemDetails
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    workspace: None | Unset | UUID = UNSET,
    status: ApiV1WebhooksInboxListWebhookInboxStatusType1
    | ApiV1WebhooksInboxListWebhookInboxStatusType2Type1
    | ApiV1WebhooksInboxListWebhookInboxStatusType3Type1
    | None
    | Unset = UNSET,
    source_id: None | Unset | UUID = UNSET,
    event_type: None | str | Unset = UNSET,
    received_after: None | str | Unset = UNSET,
    received_before: None | str | Unset = UNSET,
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

    json_status: None | str | Unset
    if isinstance(status, Unset):
        json_status = UNSET
    elif (
        isinstance(status, ApiV1WebhooksInboxListWebhookInboxStatusType1)
        or isinstance(status, ApiV1WebhooksInboxListWebhookInboxStatusType2Type1)
        or isinstance(status, ApiV1WebhooksInboxListWebhookInboxStatusType3Type1)
    ):
        json_status = status.value
    else:
        json_status = status
    params["status"] = json_status

    json_source_id: None | str | Unset
    if isinstance(source_id, Unset):
        json_source_id = UNSET
    elif isinstance(source_id, UUID):
        json_source_id = str(source_id)
    else:
        json_source_id = source_id
    params["source_id"] = json_source_id

    json_event_type: None | str | Unset
    if isinstance(event_type, Unset):
        json_event_type = UNSET
    else:
        json_event_type = event_type
    params["event_type"] = json_event_type

    json_received_after: None | str | Unset
    if isinstance(received_after, Unset):
        json_received_after = UNSET
    else:
        json_received_after = received_after
    params["received_after"] = json_received_after

    json_received_before: None | str | Unset
    if isinstance(received_before, Unset):
        json_received_before = UNSET
    else:
        json_received_before = received_before
    params["received_before"] = json_received_before

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
        "url": "/api/v1/webhooks/inbox",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> InboxList | ProblemDetails | None:
    if response.status_code == 200:
        response_200 = InboxList.from_dict(response.json())

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
) -> Response[InboxList | ProblemDetails]:
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
    status: ApiV1WebhooksInboxListWebhookInboxStatusType1
    | ApiV1WebhooksInboxListWebhookInboxStatusType2Type1
    | ApiV1WebhooksInboxListWebhookInboxStatusType3Type1
    | None
    | Unset = UNSET,
    source_id: None | Unset | UUID = UNSET,
    event_type: None | str | Unset = UNSET,
    received_after: None | str | Unset = UNSET,
    received_before: None | str | Unset = UNSET,
    cursor: None | str | Unset = UNSET,
    limit: int | Unset = 50,
) -> Response[InboxList | ProblemDetails]:
    """ListWebhookInbox

    Args:
        workspace (None | Unset | UUID): A workspace of your organization (default: your token's
            workspace).
        status (ApiV1WebhooksInboxListWebhookInboxStatusType1 |
            ApiV1WebhooksInboxListWebhookInboxStatusType2Type1 |
            ApiV1WebhooksInboxListWebhookInboxStatusType3Type1 | None | Unset):
        source_id (None | Unset | UUID):
        event_type (None | str | Unset):
        received_after (None | str | Unset): An RFC 3339 date-time with its offset
            (`2026-11-25T10:00:00Z`).
        received_before (None | str | Unset): An RFC 3339 date-time with its offset
            (`2026-11-25T10:00:00Z`).
        cursor (None | str | Unset):
        limit (int | Unset):  Default: 50.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[InboxList | ProblemDetails]
    """

    kwargs = _get_kwargs(
        workspace=workspace,
        status=status,
        source_id=source_id,
        event_type=event_type,
        received_after=received_after,
        received_before=received_before,
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
    status: ApiV1WebhooksInboxListWebhookInboxStatusType1
    | ApiV1WebhooksInboxListWebhookInboxStatusType2Type1
    | ApiV1WebhooksInboxListWebhookInboxStatusType3Type1
    | None
    | Unset = UNSET,
    source_id: None | Unset | UUID = UNSET,
    event_type: None | str | Unset = UNSET,
    received_after: None | str | Unset = UNSET,
    received_before: None | str | Unset = UNSET,
    cursor: None | str | Unset = UNSET,
    limit: int | Unset = 50,
) -> InboxList | ProblemDetails | None:
    """ListWebhookInbox

    Args:
        workspace (None | Unset | UUID): A workspace of your organization (default: your token's
            workspace).
        status (ApiV1WebhooksInboxListWebhookInboxStatusType1 |
            ApiV1WebhooksInboxListWebhookInboxStatusType2Type1 |
            ApiV1WebhooksInboxListWebhookInboxStatusType3Type1 | None | Unset):
        source_id (None | Unset | UUID):
        event_type (None | str | Unset):
        received_after (None | str | Unset): An RFC 3339 date-time with its offset
            (`2026-11-25T10:00:00Z`).
        received_before (None | str | Unset): An RFC 3339 date-time with its offset
            (`2026-11-25T10:00:00Z`).
        cursor (None | str | Unset):
        limit (int | Unset):  Default: 50.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        InboxList | ProblemDetails
    """

    return sync_detailed(
        client=client,
        workspace=workspace,
        status=status,
        source_id=source_id,
        event_type=event_type,
        received_after=received_after,
        received_before=received_before,
        cursor=cursor,
        limit=limit,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    workspace: None | Unset | UUID = UNSET,
    status: ApiV1WebhooksInboxListWebhookInboxStatusType1
    | ApiV1WebhooksInboxListWebhookInboxStatusType2Type1
    | ApiV1WebhooksInboxListWebhookInboxStatusType3Type1
    | None
    | Unset = UNSET,
    source_id: None | Unset | UUID = UNSET,
    event_type: None | str | Unset = UNSET,
    received_after: None | str | Unset = UNSET,
    received_before: None | str | Unset = UNSET,
    cursor: None | str | Unset = UNSET,
    limit: int | Unset = 50,
) -> Response[InboxList | ProblemDetails]:
    """ListWebhookInbox

    Args:
        workspace (None | Unset | UUID): A workspace of your organization (default: your token's
            workspace).
        status (ApiV1WebhooksInboxListWebhookInboxStatusType1 |
            ApiV1WebhooksInboxListWebhookInboxStatusType2Type1 |
            ApiV1WebhooksInboxListWebhookInboxStatusType3Type1 | None | Unset):
        source_id (None | Unset | UUID):
        event_type (None | str | Unset):
        received_after (None | str | Unset): An RFC 3339 date-time with its offset
            (`2026-11-25T10:00:00Z`).
        received_before (None | str | Unset): An RFC 3339 date-time with its offset
            (`2026-11-25T10:00:00Z`).
        cursor (None | str | Unset):
        limit (int | Unset):  Default: 50.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[InboxList | ProblemDetails]
    """

    kwargs = _get_kwargs(
        workspace=workspace,
        status=status,
        source_id=source_id,
        event_type=event_type,
        received_after=received_after,
        received_before=received_before,
        cursor=cursor,
        limit=limit,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    workspace: None | Unset | UUID = UNSET,
    status: ApiV1WebhooksInboxListWebhookInboxStatusType1
    | ApiV1WebhooksInboxListWebhookInboxStatusType2Type1
    | ApiV1WebhooksInboxListWebhookInboxStatusType3Type1
    | None
    | Unset = UNSET,
    source_id: None | Unset | UUID = UNSET,
    event_type: None | str | Unset = UNSET,
    received_after: None | str | Unset = UNSET,
    received_before: None | str | Unset = UNSET,
    cursor: None | str | Unset = UNSET,
    limit: int | Unset = 50,
) -> InboxList | ProblemDetails | None:
    """ListWebhookInbox

    Args:
        workspace (None | Unset | UUID): A workspace of your organization (default: your token's
            workspace).
        status (ApiV1WebhooksInboxListWebhookInboxStatusType1 |
            ApiV1WebhooksInboxListWebhookInboxStatusType2Type1 |
            ApiV1WebhooksInboxListWebhookInboxStatusType3Type1 | None | Unset):
        source_id (None | Unset | UUID):
        event_type (None | str | Unset):
        received_after (None | str | Unset): An RFC 3339 date-time with its offset
            (`2026-11-25T10:00:00Z`).
        received_before (None | str | Unset): An RFC 3339 date-time with its offset
            (`2026-11-25T10:00:00Z`).
        cursor (None | str | Unset):
        limit (int | Unset):  Default: 50.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        InboxList | ProblemDetails
    """

    return (
        await asyncio_detailed(
            client=client,
            workspace=workspace,
            status=status,
            source_id=source_id,
            event_type=event_type,
            received_after=received_after,
            received_before=received_before,
            cursor=cursor,
            limit=limit,
        )
    ).parsed
