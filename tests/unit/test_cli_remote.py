"""The operator commands' plumbing: stored profiles, problem documents told in one line,
and the SSE parser ``events tail`` follows a stream with."""

from __future__ import annotations

import stat
from pathlib import Path

import httpx

from orchestrator.cli.remote.client import api_error
from orchestrator.cli.remote.events import messages
from orchestrator.cli.remote.profiles import Profile, from_dev_stack, load_all, save_all

TRICKY = 'quo"te\\back slash=é'


def test_profiles_round_trip_any_secret_in_a_private_file(tmp_path: Path) -> None:
    path = tmp_path / "orchestrator" / "profiles.toml"
    path.parent.mkdir()
    path.write_text("")
    path.chmod(0o644)  # a file there before keeps no mode of its own
    profiles = {
        "default": Profile("http://c", "http://e", "op_1", TRICKY),
        "two words": Profile("http://c2", "http://e2", "op_2", "s", "svc_2", TRICKY),
    }
    save_all(profiles, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_all(path) == profiles
    assert "client_secret" not in profiles["two words"].public()
    assert "exec_client_secret" not in profiles["two words"].public()


def test_the_dev_stacks_credentials_are_read_as_the_shell_reads_them() -> None:
    text = (
        "export TENANT_ID=t\nexport EXEC_CLIENT_ID=svc_1\nexport EXEC_CLIENT_SECRET='a b'\n"
        "export OPERATOR_CLIENT_ID=op_1\nexport OPERATOR_CLIENT_SECRET='it'\"'\"'s'\n"
        "export CONTROL_API_URL=http://c\nexport EXEC_API_URL=http://e\n"
    )
    assert from_dev_stack(text) == Profile("http://c", "http://e", "op_1", "it's", "svc_1", "a b")


def test_a_problem_document_is_one_line() -> None:
    problem = httpx.Response(
        404,
        json={"status": 404, "title": "Not Found", "detail": "no such\nconnector"},
        headers={"content-type": "application/problem+json"},
    )
    assert str(api_error(problem)) == "404 Not Found: no such connector"
    assert (
        str(api_error(httpx.Response(502, text="bad gateway\n"))) == "502 Bad Gateway: bad gateway"
    )


def test_sse_messages_skip_comments_keep_the_retry_and_drop_a_cut_message() -> None:
    lines = [
        ": connected",
        "retry: 2000",
        "",
        "id: a",
        "event: job.queued",
        "data: {",
        "data: }",
        "",
        ": keep-alive",
        "",
        "id: b",
        "data: cut off",
    ]
    (only,) = messages(lines)
    assert (only.id, only.event, only.data, only.retry_ms) == ("a", "job.queued", ["{", "}"], 2000)
