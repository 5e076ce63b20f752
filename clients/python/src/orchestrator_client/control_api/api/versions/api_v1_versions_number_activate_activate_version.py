from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem_details import ProblemDetails
from ...models.version_head import VersionHead
from ...types import UNSET, Response, Unset


def _get_kwargs(
    number: int,
    *,
    workspace: None | Unset | UUID = UNSET,
    reason: str,
    expected_active_version: int | None | Unset = UNSET,
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

    params["reason"] = reason

    json_expected_active_version: int | None | Unset
    if isinstance(expected_active_version, Unset):
        json_expected_active_version = UNSET
    else:
        json_expected_active_version = expected_active_version
    params["expected_active_version"] = json_expected_active_version

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/versions/{number}/activate".format(
            number=quote(str(number), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ProblemDetails | VersionHead | None:
    if response.status_code == 200:
        response_200 = VersionHead.from_dict(response.json())

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
) -> Response[ProblemDetails | VersionHead]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    number: int,
    *,
    client: AuthenticatedClient,
    workspace: None | Unset | UUID = UNSET,
    reason: str,
    expected_active_version: int | None | Unset = UNSET,
) -> Response[ProblemDetails | VersionHead]:
    """ActivateVersion

    Args:
        number (int): A version's number.
        workspace (None | Unset | UUID): A workspace of your organization (default: your token's
            workspace).
        reason (str): Why this change is made; recorded in the audit log.
        expected_active_version (int | None | Unset): Compare-and-set: refuse (409) unless this
            version is active.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ProblemDetails | VersionHead]
    """

    kwargs = _get_kwargs(
        number=number,
        workspace=workspace,
        reason=reason,
        expected_active_version=expected_active_version,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    number: int,
    *,
    client: AuthenticatedClient,
    workspace: None | Unset | UUID = UNSET,
    reason: str,
    expected_active_version: int | None | Unset = UNSET,
) -> ProblemDetails | VersionHead | None:
    """ActivateVersion

    Args:
        number (int): A version's number.
        workspace (None | Unset | UUID): A workspace of your organization (default: your token's
            workspace).
        reason (str): Why this change is made; recorded in the audit log.
        expected_active_version (int | None | Unset): Compare-and-set: refuse (409) unless this
            version is active.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ProblemDetails | VersionHead
    """

    return sync_detailed(
        number=number,
        client=client,
        workspace=workspace,
        reason=reason,
        expected_active_version=expected_active_version,
    ).parsed


async def asyncio_detailed(
    number: int,
    *,
    client: AuthenticatedClient,
    workspace: None | Unset | UUID = UNSET,
    reason: str,
    expected_active_version: int | None | Unset = UNSET,
) -> Response[ProblemDetails | VersionHead]:
    """ActivateVersion

    Args:
        number (int): A version's number.
        workspace (None | Unset | UUID): A workspace of your organization (default: your token's
            workspace).
        reason (str): Why this change is made; recorded in the audit log.
        expected_active_version (int | None | Unset): Compare-and-set: refuse (409) unless this
            version is active.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ProblemDetails | VersionHead]
    """

    kwargs = _get_kwargs(
        number=number,
        workspace=workspace,
        reason=reason,
        expected_active_version=expected_active_version,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    number: int,
    *,
    client: AuthenticatedClient,
    workspace: None | Unset | UUID = UNSET,
    reason: str,
    expected_active_version: int | None | Unset = UNSET,
) -> ProblemDetails | VersionHead | None:
    """ActivateVersion

    Args:
        number (int): A version's number.
        workspace (None | Unset | UUID): A workspace of your organization (default: your token's
            workspace).
        reason (str): Why this change is made; recorded in the audit log.
        expected_active_version (int | None | Unset): Compare-and-set: refuse (409) unless this
            version is active.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ProblemDetails | VersionHead
    """

    return (
        await asyncio_detailed(
            number=number,
            client=client,
            workspace=workspace,
            reason=reason,
            expected_active_version=expected_active_version,
        )
    ).parsed
