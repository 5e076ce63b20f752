"""No source file over 400 lines: past that a module holds more than one concept, and a
reader can no longer keep it in mind whole."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [ROOT / "libs", ROOT / "services", ROOT / "cli"]
MAX_LINES = 400


def test_no_source_file_is_over_400_lines() -> None:
    paths = [path for root in SOURCES for path in root.rglob("src/**/*.py")]
    paths += (ROOT / "bench").glob("*.py")
    sizes = {path.relative_to(ROOT): len(path.read_text().splitlines()) for path in paths}
    assert len(sizes) > 300  # the walk found the sources
    assert {str(path): n for path, n in sizes.items() if n > MAX_LINES} == {}
