"""Compile the installed libraries' bytecode without docstrings and asserts (ADR 0109).

``python deploy/docker/optimize_bytecode.py`` rewrites the ``.pyc`` of every module in
this interpreter's ``site-packages``, except our own ``orchestrator`` packages, as
``python -OO`` would compile it, under the name a plain ``python`` loads. A service then
runs its libraries as under ``-OO`` (some 4.5 MiB less an API process: their docstrings
are never read) and its own code as written: our docstrings are the OpenAPI documents'
descriptions, and our asserts stay. The image build runs it after installing (the
Dockerfile: an image holds only what its service runs). ``make sync`` runs it in a
checkout with ``--only``, a requirements file (``uv export --no-dev``) naming what the
images may hold, so that a checkout runs a service as an image does while the
development tools keep their asserts (pytest checks its own). Only what was (re)written
since its last run is compiled again: a ``.pyc`` newer than the stamp it leaves.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import os
import py_compile
import re
import sys
import sysconfig
from collections.abc import Iterator
from pathlib import Path

OURS = "orchestrator"
"""Our namespace package: compiled as written (``make sync`` / the wheel install)."""
STAMP = ".orchestrator-optimized-bytecode"


def stale(source: Path, since: float) -> bool:
    """Whether ``source``'s bytecode is missing or was written after ``since``."""
    try:
        return Path(importlib.util.cache_from_source(str(source))).stat().st_mtime > since
    except OSError:
        return True


def normalized(name: str) -> str:
    """A distribution's name as PEP 503 compares it."""
    return re.sub(r"[-_.]+", "-", name).lower()


def named(requirements: Path) -> set[str]:
    """The distributions a requirements file pins (``name==version`` lines)."""
    found = set()
    for line in requirements.read_text().splitlines():
        match = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)==", line)
        if match:
            found.add(normalized(match[1]))
    return found


def sources(site_packages: Path, only: set[str] | None) -> Iterator[Path]:
    """The libraries' modules under ``site_packages``: all but ours, or those of ``only``."""
    if only is not None:
        for distribution in importlib.metadata.distributions(path=[str(site_packages)]):
            if normalized(distribution.metadata["Name"]) in only:
                for file in distribution.files or ():
                    if file.suffix == ".py" and file.parts[0] != OURS:
                        yield Path(str(distribution.locate_file(file)))
        return
    for directory, subdirectories, files in os.walk(site_packages):
        if Path(directory) == site_packages and OURS in subdirectories:
            subdirectories.remove(OURS)
        yield from (Path(directory) / name for name in files if name.endswith(".py"))


def optimize(site_packages: Path, only: set[str] | None) -> int:
    """Compile the stale libraries' modules of ``site_packages``; how many."""
    stamp = site_packages / STAMP
    since = stamp.stat().st_mtime if stamp.exists() else 0.0
    compiled = 0
    for source in sources(site_packages, only):
        if stale(source, since):
            target = importlib.util.cache_from_source(str(source))
            try:
                py_compile.compile(str(source), cfile=target, optimize=2, doraise=True)
            except (py_compile.PyCompileError, OSError):
                continue  # not Python 3.11 (a library's templates, tests): never imported
            compiled += 1
    stamp.touch()
    return compiled


def main() -> None:
    """Optimize every ``site-packages`` of this interpreter."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--only", type=Path, help="a requirements file: only these libraries")
    only = parser.parse_args().only
    paths = sysconfig.get_paths()
    for site_packages in sorted({Path(paths["purelib"]), Path(paths["platlib"])}):
        count = optimize(site_packages, named(only) if only else None)
        sys.stdout.write(f"{site_packages}: {count} modules compiled without docstrings\n")


if __name__ == "__main__":
    main()
