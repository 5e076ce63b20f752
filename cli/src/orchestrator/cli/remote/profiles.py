"""Stored logins: ``$XDG_CONFIG_HOME/orchestrator/profiles.toml`` (``~/.config`` when
unset), one table per profile, readable by its owner only from its first byte. A profile
holds the services' URLs and an operator identity (control plane), optionally an exec
identity (exec plane). Secrets are written here and nowhere else: never printed."""

from __future__ import annotations

import json
import os
import shlex
import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path

DEFAULT_PROFILE = "default"
PROFILE_VARIABLE = "ORCH_PROFILE"


class ProfileError(Exception):
    """A profile that is missing or unusable: told in one line."""


@dataclass(frozen=True)
class Profile:
    """One stored login."""

    control_url: str
    exec_url: str
    client_id: str
    client_secret: str
    exec_client_id: str = ""
    exec_client_secret: str = ""

    def public(self) -> dict[str, str]:
        """What may be shown: everything but the secrets."""
        return {k: v for k, v in asdict(self).items() if not k.endswith("secret")}


def config_file(env: Mapping[str, str] | None = None) -> Path:
    """Where the profiles live."""
    env = os.environ if env is None else env
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "orchestrator" / "profiles.toml"


def chosen(name: str | None) -> str:
    """The profile a command uses: ``--profile``, else ``ORCH_PROFILE``, else ``default``."""
    return name or os.environ.get(PROFILE_VARIABLE) or DEFAULT_PROFILE


def load_all(path: Path | None = None) -> dict[str, Profile]:
    """Every stored profile (none when the file does not exist)."""
    path = path or config_file()
    try:
        raw = tomllib.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ProfileError(f"cannot read {path}: {exc}") from None
    known = {f.name for f in fields(Profile)}
    profiles: dict[str, Profile] = {}
    for name, table in raw.items():
        if not isinstance(table, dict):
            continue
        values = {k: str(v) for k, v in table.items() if k in known}
        try:
            profiles[name] = Profile(**values)
        except TypeError:
            raise ProfileError(f"profile {name!r} in {path} is incomplete: log in again") from None
    return profiles


def load(name: str | None) -> tuple[str, Profile]:
    """The chosen profile, or a one-line failure saying how to make it."""
    profile_name = chosen(name)
    profiles = load_all()
    if profile_name not in profiles:
        raise ProfileError(
            f"no profile {profile_name!r} in {config_file()}: run `orchestrator login"
            + ("" if profile_name == DEFAULT_PROFILE else f" --profile {profile_name}")
            + "`"
        )
    return profile_name, profiles[profile_name]


def _toml(profiles: Mapping[str, Profile]) -> str:
    # JSON's string escapes are valid TOML basic strings.
    lines: list[str] = []
    for name, profile in profiles.items():
        lines.append(f"[{json.dumps(name)}]")
        lines += [f"{key} = {json.dumps(value)}" for key, value in asdict(profile).items()]
        lines.append("")
    return "\n".join(lines)


def save_all(profiles: Mapping[str, Profile], path: Path | None = None) -> Path:
    """Write every profile, the file readable and writable by its owner only."""
    from orchestrator.cli.devstack import write_private

    path = path or config_file()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    return write_private(path, _toml(profiles))


def store(name: str, profile: Profile) -> Path:
    """Add or replace one profile."""
    return save_all({**load_all(), name: profile})


def forget(name: str) -> bool:
    """Remove one profile; whether it existed."""
    profiles = load_all()
    if profiles.pop(name, None) is None:
        return False
    save_all(profiles)
    return True


def from_dev_stack(text: str) -> Profile:
    """The demo workspace's login from ``.data/demo.env`` (``export NAME='value'`` lines)."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        words = shlex.split(line)
        if len(words) == 2 and words[0] == "export" and "=" in words[1]:
            key, _, value = words[1].partition("=")
            values[key] = value
    try:
        return Profile(
            control_url=values["CONTROL_API_URL"],
            exec_url=values["EXEC_API_URL"],
            client_id=values["OPERATOR_CLIENT_ID"],
            client_secret=values["OPERATOR_CLIENT_SECRET"],
            exec_client_id=values.get("EXEC_CLIENT_ID", ""),
            exec_client_secret=values.get("EXEC_CLIENT_SECRET", ""),
        )
    except KeyError as exc:
        raise ProfileError(f"the dev stack's credentials lack {exc.args[0]}") from None
