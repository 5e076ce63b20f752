"""The repository stands alone: it cites no file outside it, and the docs it cites exist."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHECKED = ("libs/", "services/", "cli/", "tests/", "deploy/", "docs/", "README.md")
SOURCES = ("libs/", "services/", "cli/")
# Built from pieces so that this file does not flag itself.
FORBIDDEN = ("specs" + "/", "DESIGN" + ".md", "STYLE" + ".md", "../" + "shared")
# A repository-relative docs path: not the tail of a URL or of another folder's name.
DOC_PATH = re.compile(rb"(?<![\w./-])docs/[\w.-]+\.md")


def tracked(*prefixes: str) -> list[Path]:
    """The files git tracks under ``prefixes`` that exist in the work tree."""
    git = shutil.which("git")
    if git is None or not (ROOT / ".git").exists():
        pytest.skip("needs a git checkout")
    listed = subprocess.run(
        [git, "-C", str(ROOT), "ls-files", "-z", "--", *prefixes],
        check=True,
        capture_output=True,
    ).stdout
    paths = (ROOT / name for name in listed.decode().split("\0") if name)
    return [path for path in paths if path.is_file()]


def lines_with(path: Path, needle: bytes) -> list[int]:
    """The 1-based numbers of the lines of ``path`` that contain ``needle``."""
    return [n for n, line in enumerate(path.read_bytes().splitlines(), 1) if needle in line]


def test_no_file_cites_the_team_files_outside_the_repository() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}: mentions {word}"
        for path in tracked(*CHECKED)
        for word in FORBIDDEN
        for line in lines_with(path, word.encode())
    ]
    assert not found, "\n".join(found)


def test_every_docs_page_cited_by_the_source_exists() -> None:
    missing = sorted(
        f"{path.relative_to(ROOT)} cites {cited.decode()}"
        for path in tracked(*SOURCES)
        for cited in set(DOC_PATH.findall(path.read_bytes()))
        if not (ROOT / cited.decode()).is_file()
    )
    assert not missing, "\n".join(missing)


def test_the_docs_pattern_finds_citations_and_skips_urls() -> None:
    text = b'"""See docs/protocols.md \xc2\xa71 and (docs/secrets.md)."""  # https://x.io/docs/a.md'
    assert DOC_PATH.findall(text) == [b"docs/protocols.md", b"docs/secrets.md"]
