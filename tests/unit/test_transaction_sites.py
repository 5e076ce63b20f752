"""Transactions begin only where ``core/db/unit_of_work.py`` lists, and never in a
repository: a new site fails here until it is listed with its kind (and reviewed)."""

from __future__ import annotations

import ast
from pathlib import Path

from orchestrator.core.db.unit_of_work import SITES

REPO = Path(__file__).resolve().parents[2]
ROOTS = [
    REPO / "libs/core/src",
    *(path / "src" for path in sorted((REPO / "services").iterdir()) if (path / "src").is_dir()),
    REPO / "cli/src",
]
METHODS = frozenset({"begin", "begin_nested", "transaction"})
"""Calls on a session, connection or engine that begin a transaction or a savepoint."""
FUNCTIONS = frozenset({"tenant_transaction"})
QUERY_MODULES = ("repository", "_queries", "queries")


class _Sites(ast.NodeVisitor):
    """The ``module:qualname`` of each function that begins a transaction."""

    def __init__(self, module: str) -> None:
        self.module = module
        self.scope: list[str] = []
        self.found: set[str] = set()

    def _enter(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _enter

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if (isinstance(func, ast.Attribute) and func.attr in METHODS) or (
            isinstance(func, ast.Name) and func.id in FUNCTIONS
        ):
            self.found.add(f"{self.module}:{'.'.join(self.scope) or '<module>'}")
        self.generic_visit(node)


def transaction_sites() -> set[str]:
    """Every function of the product's code that begins a transaction or a savepoint."""
    found: set[str] = set()
    for root in ROOTS:
        for path in root.rglob("*.py"):
            if "migrations" in path.parts:
                continue  # Alembic's own transaction per migration run
            module = ".".join(path.relative_to(root).with_suffix("").parts)
            visitor = _Sites(module)
            visitor.visit(ast.parse(path.read_text(), str(path)))
            found |= visitor.found
    return found


def test_every_transaction_begins_at_a_listed_site() -> None:
    unlisted = transaction_sites() - set(SITES)
    assert not unlisted, f"transactions begun at sites core/db/unit_of_work.py lacks: {unlisted}"


def test_every_listed_site_still_begins_one() -> None:
    stale = set(SITES) - transaction_sites()
    assert not stale, f"listed in core/db/unit_of_work.py but gone: {stale}"


def test_no_repository_begins_or_commits_a_transaction() -> None:
    in_queries = {site for site in SITES if site.split(":")[0].endswith(QUERY_MODULES)}
    assert not in_queries
    for root in ROOTS:
        for path in root.rglob("*.py"):
            if path.stem.endswith(QUERY_MODULES) and "migrations" not in path.parts:
                assert ".commit(" not in path.read_text(), path


def test_the_scanner_finds_what_it_looks_for() -> None:
    source = """
async def handler(sessions):
    async with sessions() as session, session.begin():
        pass
class Chore:
    async def run(self):
        async with tenant_transaction(self.sessions, 1):
            pass
"""
    visitor = _Sites("pkg.mod")
    visitor.visit(ast.parse(source))
    assert visitor.found == {"pkg.mod:handler", "pkg.mod:Chore.run"}
