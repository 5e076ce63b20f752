"""The runbooks of ``docs/runbooks/`` run: every page's ```sh blocks, in order, in a shell
of their own (a clean environment; each page's first block sources ``env.sh`` for its
URLs, tokens and login), against one live ``orchestrator run`` started once for the
module, failing on any non-zero exit. Their drills make each incident happen (a dead job,
an open breaker, a broken configuration change, a leaked key), so the commands that
confirm, fix and verify it act on something real. ```console blocks (a cluster, a backup
bucket, a restart with a new KEK) are shown, not run. The static checks keep the pages,
their index and the alerts' ``runbook_url`` annotations in step."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.walkthrough import (
    ROOT,
    DevStack,
    commands,
    dev_stack,
    own_database,
    shell_blocks,
)

RUNBOOKS = ROOT / "docs" / "runbooks"
PAGES = (
    "deploy-and-rollback",
    "dlq-replay",
    "breaker-incident",
    "key-and-secret-rotation",
    "backup-restore",
    "configuration-rollback",
    "dead-worker",
)
SETUP = "source docs/runbooks/env.sh"
RUNBOOK_URL = re.compile(r"runbook_url:\s*\S*/docs/runbooks/([a-z-]+\.md)")
# What each page's run must have said, beyond exiting 0: the incident happened and the
# fix held.
SAID = {
    "deploy-and-rollback": [r"job [0-9a-f-]{36}: succeeded", r'"hello": "world"'],
    "dlq-replay": [
        r"replayed 1 dead job",
        r"purged 1 dead job",
        r"job [0-9a-f-]{36}: succeeded",
        r"job\.dead job\.replayed job\.running job\.succeeded",
    ],
    "breaker-incident": [r"\b503\b", r"payments charge open", r"charge: 200", r"charge closed"],
    "key-and-secret-rotation": [
        r"a token of the revoked key: 401",
        r"a fresh token: 200",
        r"old secret: 401",
        r"its token: 401",
        r"service-identity\.rotate-secret",
        r'(?m)^200 \{"status":"accepted"\}$',
        r"(?m)^401 ",
    ],
    "backup-restore": [r"database: \d+", r'"workspace": "demo-dev"'],
    "configuration-rollback": [r"upstream_status\s+404", r"active version \d+", r"hello"],
    "dead-worker": [r"jobs queued or running: 0", r"probe job [0-9a-f-]{36}: succeeded"],
}


def page(name: str) -> Path:
    return RUNBOOKS / f"{name}.md"


def alerts() -> dict[str, str | None]:
    """Every alert of ``alerts.yml`` and the runbook page its ``runbook_url`` names."""
    text = (ROOT / "deploy" / "prometheus" / "alerts.yml").read_text()
    rules = re.split(r"^\s*- alert:\s*", text, flags=re.MULTILINE)[1:]
    named = {}
    for rule in rules:
        url = RUNBOOK_URL.search(rule)
        named[rule.split()[0]] = url.group(1) if url else None
    return named


def test_the_index_lists_every_page_and_the_directory_holds_no_other() -> None:
    index = (RUNBOOKS / "README.md").read_text()
    assert sorted(p.stem for p in RUNBOOKS.glob("*.md") if p.name != "README.md") == sorted(PAGES)
    for name in PAGES:
        assert f"]({name}.md)" in index, name


def test_every_alert_is_answered_by_the_page_its_runbook_url_names() -> None:
    index = (RUNBOOKS / "README.md").read_text()
    pages = {name: page(name).read_text() for name in PAGES}
    for alert, linked in alerts().items():
        assert f"`{alert}`" in index, f"{alert} is not in the index"
        answering = [name for name, text in pages.items() if f"`{alert}`" in text]
        assert answering, f"no runbook names {alert}"
        if linked is not None:  # the annotation, once there, names a page that answers it
            assert linked.removesuffix(".md") in answering, f"{alert} links {linked}"


def test_every_page_begins_with_the_setup_and_hides_no_shell_block() -> None:
    for name in PAGES:
        text = page(name).read_text()
        blocks = shell_blocks(page(name))
        assert len(blocks) >= 3, name
        assert commands(blocks[0])[0] == SETUP, name
        # An indented fence (in a list) is not run: every ```sh starts its line.
        assert not re.search(r"^[ \t]+```sh", text, flags=re.MULTILINE), name
        assert "## Symptoms" in text, name
        assert "Verify" in text, name


@pytest.fixture(scope="module")
def live(
    database_url: str, service_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DevStack]:
    """One ``orchestrator run`` for every page, with ``docs`` in its checkout."""
    with (
        own_database(database_url, "orch_runbooks") as database,
        dev_stack(
            database,
            service_env["REDIS_URL"],
            tmp_path_factory.mktemp("runbooks"),
            links=("docs",),
        ) as stack,
    ):
        yield stack


@pytest.mark.integration
@pytest.mark.parametrize("name", PAGES)
def test_the_runbook_runs_against_a_live_stack(live: DevStack, name: str, tmp_path: Path) -> None:
    said = live.run("\n".join(shell_blocks(page(name))), home=tmp_path, timeout_s=90)
    for expected in SAID[name]:
        assert re.search(expected, said), f"{name} did not say {expected!r}:\n{said[-3000:]}"
