from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.operator_out import OperatorOut
from ...models.problem_details import ProblemDetails
from ...types import UNSET, Response


def _get_kwargs(
    operator_id: UUID,
    *,
    reason: str,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["reason"] = reason

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/operators/{operator_id}/disable".format(
            operator_id=quote(str(operator_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> OperatorOut | ProblemDetails | None:
    if response.status_code == 200:
        response_200 = OperatorOut.from_dict(response.json())

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
) -> Response[OperatorOut | ProblemDetails]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    operator_id: UUID,
    *,
    client: AuthenticatedClient,
    reason: str,
) -> Response[OperatorOut | ProblemDetails]:
    """Disable

    Args:
        operator_id (UUID):
        reason (str): Why this change is made; recorded in the audit log.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[OperatorOut | ProblemDetails]
    """

    kwargs = _get_kwargs(
        operator_id=operator_id,
        reason=reason,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    operator_id: UUID,
    *,
    client: AuthenticatedClient,
    reason: str,
) -> OperatorOut | ProblemDetails | None:
    """Disable

    Args:
        operator_id (UUID):
        reason (str): Why this change is made; recorded in the audit log.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        OperatorOut | ProblemDetails
    """

    return sync_detailed(
        operator_id=operator_id,
        client=client,
        reason=reason,
    ).parsed


async def asyncio_detailed(
    operator_id: UUID,
    *,
    client: AuthenticatedClient,
    reason: str,
) -> Response[OperatorOut | ProblemDetails]:
    """Disable

    Args:
        operator_id (UUID):
        reason (str): Why this change is made; recorded in the audit log.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[OperatorOut | ProblemDetails]
    """

    kwargs = _get_kwargs(
        operator_id=operator_id,
        reason=reason,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    operator_id: UUID,
    *,
    client: AuthenticatedClient,
    reason: str,
) -> OperatorOut | ProblemDetails | None:
    """Disable

    Args:
        operator_id (UUID):
        reason (str): Why this change is made; recorded in the audit log.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        OperatorOut | ProblemDetails
    """

    return (
        await asyncio_detailed(
            operator_id=operator_id,
            client=client,
            reason=reason,
        )
    ).parsed
