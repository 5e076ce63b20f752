"""The browser libraries the console serves, copied from the npm registry's tarballs.

``static/vendor/vendor.json`` pins each package's tarball, its registry integrity and the
SHA-256 of every file taken from it. ``python -m orchestrator.console.vendor`` fetches the
tarballs again, checks them and writes the files; ``check`` only compares what is on disk.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import sys
import tarfile
from pathlib import Path
from typing import Any

import httpx

VENDOR = Path(__file__).parent / "static" / "vendor"
MANIFEST = VENDOR / "vendor.json"


def manifest() -> dict[str, Any]:
    """What is vendored: package name to its pins."""
    loaded: dict[str, Any] = json.loads(MANIFEST.read_text())
    return loaded


def target(name: str, member: str) -> Path:
    """Where a tarball member is kept: ``vendor/<name>/<file name>``."""
    return VENDOR / name / Path(member).name


def mismatches() -> list[str]:
    """Vendored files missing or not matching their recorded SHA-256."""
    wrong: list[str] = []
    for name, pins in manifest().items():
        for member, digest in pins["files"].items():
            path = target(name, member)
            if not path.exists() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
                wrong.append(str(path.relative_to(VENDOR)))
    return wrong


def integrity_of(data: bytes) -> str:
    """The npm ``integrity`` of a tarball (Subresource Integrity form, SHA-512)."""
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def fetch() -> None:
    """Download each pinned tarball, check its integrity and every file's digest, write them."""
    for name, pins in manifest().items():
        data = httpx.get(pins["tarball"], timeout=60, follow_redirects=True).content
        if integrity_of(data) != pins["integrity"]:
            raise SystemExit(f"{name}: the tarball does not match its pinned integrity")
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            for member, digest in pins["files"].items():
                extracted = archive.extractfile(member)
                if extracted is None:
                    raise SystemExit(f"{name}: {member} is not in the tarball")
                content = extracted.read()
                if hashlib.sha256(content).hexdigest() != digest:
                    raise SystemExit(f"{name}: {member} does not match its pinned SHA-256")
                path = target(name, member)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(content)


if __name__ == "__main__":
    if sys.argv[1:] == ["check"]:
        wrong = mismatches()
        if wrong:
            raise SystemExit("vendored files differ from vendor.json: " + ", ".join(wrong))
    else:
        fetch()
