"""What a page's form posted, and the way back: every change carries a reason, and a
refusal of the API comes back as a notice on the page the form was on (Post/Redirect/Get)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any, Required, TypedDict, TypeVar

import msgspec
from litestar import Request
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect
from typing_extensions import Unpack

from orchestrator.console.context import Console
from orchestrator.console.errors import ApiProblem, BadForm, detail_of

REASON_MIN, REASON_MAX = 3, 1000
"""The bounds the control-api puts on ``?reason=`` (checked here to answer on the form)."""
NO_REASON = "Give a reason (3 to 1,000 characters): it is recorded in the audit log."
Answer = TypeVar("Answer")


async def posted(request: Request[Any, Any, Any]) -> FormMultiDict:
    """The submitted form (already parsed once for its CSRF token; parsing is cached)."""
    return await request.form()


def field(form: FormMultiDict, name: str) -> str:
    """One text field, trimmed; empty when absent or not text (a file)."""
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def fields(form: FormMultiDict, name: str) -> list[str]:
    """Every value of a repeated field (checkboxes), trimmed, blanks dropped."""
    return [value.strip() for value in form.getall(name, []) if isinstance(value, str) and value]


def reason_of(form: FormMultiDict) -> str | None:
    """The change's reason, or None when it is missing or out of bounds."""
    reason = field(form, "reason")
    return reason if REASON_MIN <= len(reason) <= REASON_MAX and "\x00" not in reason else None


def parse_document(text: str) -> dict[str, Any]:
    """The form's JSON document (an object), or a 400 naming the problem."""
    try:
        value = msgspec.json.decode(text.encode())
    except msgspec.DecodeError as exc:
        raise BadForm(f"The document is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise BadForm("The document must be a JSON object.")
    return value


async def back(console: Console, to: str, kind: str, text: str) -> Redirect:
    """A notice for the next page, and a 303 to it (a reload does not post again)."""
    await console.flash(kind, text)
    return Redirect(to, status_code=303)


def required_reason(form: FormMultiDict) -> str:
    """The change's reason; a refusal (422) shown on the page when it is missing."""
    reason = reason_of(form)
    if reason is None:
        raise BadForm(NO_REASON, 422)
    return reason


def chosen(form: FormMultiDict, *names: str) -> dict[str, str]:
    """The filter fields of a bulk action that were filled in."""
    return {name: field(form, name) for name in names if field(form, name)}


async def answer(
    console: Console, to: str, action: Callable[[], Awaitable[Answer]]
) -> Answer | Redirect:
    """What ``action`` answers; a refusal of the console or the API is a notice on ``to``."""
    try:
        return await action()
    except (ApiProblem, BadForm) as problem:
        return await back(console, to, "error", detail_of(problem))


async def act(console: Console, to: str, action: Callable[[], Awaitable[str]]) -> Redirect:
    """Run ``action`` (it answers the notice to show) and go to ``to``; a refusal of the
    console or the API is the notice instead."""

    async def done() -> Redirect:
        return await back(console, to, "ok", await action())

    return await answer(console, to, done)


class ControlCall(TypedDict, total=False):
    """What a change sends the control-api besides its method, path and reason."""

    workspace: Required[uuid.UUID | None]
    json: Any
    params: dict[str, Any] | None


async def send_with_reason(
    console: Console, form: FormMultiDict, call: tuple[str, str], **sent: Unpack[ControlCall]
) -> Any:
    """The control-api ``call`` (method, path) with the form's reason (and ``params``); its
    answer (a 422 refusal when the reason is missing)."""
    method, path = call
    params = {**(sent.get("params") or {}), "reason": required_reason(form)}
    return await console.control(
        method, path, workspace=sent["workspace"], params=params, json=sent.get("json")
    )


async def call_with_reason(
    console: Console,
    form: FormMultiDict,
    to: str,
    call: tuple[str, str],
    *,
    done: str | Callable[[Any], str],
    **sent: Unpack[ControlCall],
) -> Redirect:
    """The control-api ``call`` (method, path) with the form's reason (and ``params``), then
    ``to`` with the notice ``done`` (or what it makes of the API's answer); a refusal is the
    notice instead."""

    async def run() -> str:
        answered = await send_with_reason(console, form, call, **sent)
        return done(answered) if callable(done) else done

    return await act(console, to, run)


Made = tuple[tuple[str, str], ControlCall]
"""The control-api call (method, path) a form makes, and what it sends besides its reason."""


async def send_form(
    request: Request[Any, Any, Any],
    console: Console,
    right: str,
    to: str,
    make: Callable[[FormMultiDict], Made],
    *,
    done: str | Callable[[Any], str],
) -> Redirect:
    """A form's change, for an operator holding ``right``: the call ``make`` makes of the
    posted form (a ``BadForm`` it raises is a notice on ``to``), sent with the form's
    reason; then ``to`` with the notice ``done``."""
    console.may(right)
    form = await posted(request)
    try:
        call, sent = make(form)
    except BadForm as problem:
        return await back(console, to, "error", problem.detail)
    return await call_with_reason(console, form, to, call, done=done, **sent)
