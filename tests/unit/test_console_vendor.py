"""The console serves only the vendored files its manifest pins, byte for byte."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest

from orchestrator.console import vendor


def test_every_vendored_file_matches_its_pinned_digest() -> None:
    assert vendor.manifest()
    assert vendor.mismatches() == []


def test_a_changed_file_is_noticed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "json-editor"
    copy.mkdir()
    for member in vendor.manifest()["json-editor"]["files"]:
        source = vendor.target("json-editor", member)
        (copy / source.name).write_bytes(source.read_bytes())
    (copy / "jsoneditor.js").write_bytes(b"alert(1)")
    monkeypatch.setattr(vendor, "VENDOR", tmp_path)
    assert vendor.mismatches() == ["json-editor/jsoneditor.js"]


def test_the_npm_integrity_is_the_base64_sha512_of_the_tarball() -> None:
    data = b"tarball bytes"
    expected = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    assert vendor.integrity_of(data) == expected
