from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem_details import ProblemDetails
from ...models.revoke_response import RevokeResponse
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    reason: str | Unset = "signed out",
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["reason"] = reason

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "delete",
        "url": "/api/v1/tokens/self",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ProblemDetails | RevokeResponse | None:
    if response.status_code == 200:
        response_200 = RevokeResponse.from_dict(response.json())

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

    if response.status_code == 503:
        response_503 = ProblemDetails.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ProblemDetails | RevokeResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    reason: str | Unset = "signed out",
) -> Response[ProblemDetails | RevokeResponse]:
    """RevokeSelf

    Args:
        reason (str | Unset): Why this change is made; recorded in the audit log. Default: 'signed
            out'.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ProblemDetails | RevokeResponse]
    """

    kwargs = _get_kwargs(
        reason=reason,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    reason: str | Unset = "signed out",
) -> ProblemDetails | RevokeResponse | None:
    """RevokeSelf

    Args:
        reason (str | Unset): Why this change is made; recorded in the audit log. Default: 'signed
            out'.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ProblemDetails | RevokeResponse
    """

    return sync_detailed(
        client=client,
        reason=reason,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    reason: str | Unset = "signed out",
) -> Response[ProblemDetails | RevokeResponse]:
    """RevokeSelf

    Args:
        reason (str | Unset): Why this change is made; recorded in the audit log. Default: 'signed
            out'.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ProblemDetails | RevokeResponse]
    """

    kwargs = _get_kwargs(
        reason=reason,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    reason: str | Unset = "signed out",
) -> ProblemDetails | RevokeResponse | None:
    """RevokeSelf

    Args:
        reason (str | Unset): Why this change is made; recorded in the audit log. Default: 'signed
            out'.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ProblemDetails | RevokeResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            reason=reason,
        )
    ).parsed
