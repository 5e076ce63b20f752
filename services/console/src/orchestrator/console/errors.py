"""What can go wrong while serving a console page."""

from __future__ import annotations

from typing import Any


class SignInRequired(Exception):
    """No live session: the browser is sent to the sign-in page (with a notice)."""

    def __init__(self, notice: str = "") -> None:
        super().__init__(notice)
        self.notice = notice


class GuestRefused(Exception):
    """A guest's session asked for a page other than its workspace's channel (403)."""


class ApiProblem(Exception):
    """The control-api or exec-api refused a call with an RFC 9457 problem."""

    def __init__(
        self, *, status: int, title: str, detail: str, errors: list[dict[str, Any]]
    ) -> None:
        super().__init__(detail or title)
        self.status, self.title, self.detail, self.errors = status, title, detail, errors


class ApiUnavailable(Exception):
    """The control-api or exec-api did not answer (down, frozen or past the timeout)."""


class BadForm(Exception):
    """A form the console cannot act on (a missing field, an unreadable value)."""

    def __init__(self, detail: str, status: int = 400) -> None:
        super().__init__(detail)
        self.detail, self.status = detail, status


def refusal(problem: ApiProblem) -> str:
    """An API refusal as one line: its ``detail`` and the fields it names."""
    text = problem.detail or problem.title
    named = [
        f"{error.get('key') or 'field'}: {error.get('message', '')}".strip()
        for error in problem.errors
    ]
    return f"{text} ({'; '.join(named)})" if named else text


def detail_of(problem: ApiProblem | BadForm) -> str:
    """What to tell the operator about a refusal of the API or of the console."""
    return refusal(problem) if isinstance(problem, ApiProblem) else problem.detail
