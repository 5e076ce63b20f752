"""What each secret ref scheme may reach (core/secrets/scope.py), pure parts."""

from __future__ import annotations

import importlib
import uuid

import pytest
from yarl import URL

from orchestrator.core.configuration.validation import ref_errors
from orchestrator.core.errors import ConfigurationError
from orchestrator.core.secrets.refs import InvalidRef, ParsedRef, parse_ref
from orchestrator.core.secrets.scope import (
    TENANT_NAMESPACE,
    EnvVariable,
    OutOfScope,
    RefScope,
    StoredValue,
    VaultField,
    env_prefix_refusal,
    is_reserved,
    vault_location,
    vault_segments,
)
from orchestrator.core.secrets.vault import VaultSettings, VaultUnavailable, data_url
from orchestrator.core.settings import CoreSettings, SecretRefSettings, SettingsGroup

TENANT = uuid.UUID("0f3a5c1e-2b4d-4e6f-8a9b-0c1d2e3f4a5b")
OTHER = uuid.UUID("00000000-0000-4000-8000-000000000002")
DEPLOYMENT = RefScope()
PER_WORKSPACE = RefScope(env_scope="workspace")


def reach(scope: RefScope, ref: str, tenant: uuid.UUID = TENANT) -> object:
    return scope.reach(parse_ref(ref), tenant)


def test_env_reads_only_variables_under_the_tenant_prefix() -> None:
    assert reach(DEPLOYMENT, "env://ORCH_TENANT_SECRET_PSP_API_KEY") == EnvVariable(
        "ORCH_TENANT_SECRET_PSP_API_KEY"
    )
    assert reach(DEPLOYMENT, "db://") == StoredValue()
    assert reach(DEPLOYMENT, "vault://kv/app#token") == VaultField("kv/app", "token")


@pytest.mark.parametrize(
    "name",
    [
        "ORCH_KEK",
        "ORCH_KEK_PREVIOUS",
        "DATABASE_URL",
        "REDIS_URL",
        "ORCH_DATABASE_APP_URL",
        "ORCH_VAULT_TOKEN",
        "ORCH_DB_APP_PASSWORD",
        "PATH",
        "HOME",
        "AWS_SECRET_ACCESS_KEY",
        "ORCH_TENANT_SECRET_",  # the prefix alone names nothing
        "ORCH_TENANT_SECRETX",
        "orch_tenant_secret_psp",  # variable names are case-sensitive
        "ORCH_TENANT_OTHER_THING",
    ],
)
def test_env_refuses_the_deployments_own_variables(name: str) -> None:
    with pytest.raises(OutOfScope) as caught:
        reach(DEPLOYMENT, f"env://{name}")
    assert "ORCH_TENANT_SECRET_<NAME>" in str(caught.value)
    assert f"`{name}` is not one" in str(caught.value)


def test_per_workspace_env_reads_only_the_workspaces_own_variables() -> None:
    mine = f"ORCH_TENANT_SECRET_{TENANT.hex.upper()}_PSP_KEY"
    assert PER_WORKSPACE.env_prefix_of(TENANT) == f"ORCH_TENANT_SECRET_{TENANT.hex.upper()}_"
    assert reach(PER_WORKSPACE, f"env://{mine}") == EnvVariable(mine)
    for name in (
        "ORCH_TENANT_SECRET_PSP_KEY",  # the deployment-wide form
        f"ORCH_TENANT_SECRET_{OTHER.hex.upper()}_PSP_KEY",  # another workspace's
        f"ORCH_TENANT_SECRET_{TENANT.hex}_PSP_KEY",  # lower-case hex is another name
        f"ORCH_TENANT_SECRET_{TENANT.hex.upper()}_",
        "ORCH_KEK",
    ):
        with pytest.raises(OutOfScope, match=PER_WORKSPACE.env_prefix_of(TENANT)):
            reach(PER_WORKSPACE, f"env://{name}")
    with pytest.raises(OutOfScope):
        reach(PER_WORKSPACE, f"env://{mine}", OTHER)


def test_env_refs_can_be_turned_off_leaving_db_and_vault() -> None:
    off = RefScope(env_scope="off")
    with pytest.raises(OutOfScope, match="turned off"):
        reach(off, "env://ORCH_TENANT_SECRET_PSP_KEY")
    assert reach(off, "db://") == StoredValue()
    assert reach(off, "vault://a#b") == VaultField("a", "b")


@pytest.mark.parametrize(
    ("prefix", "fragment"),
    [
        ("", "is empty"),
        ("ORCH_", "orchestrator's own settings"),
        ("ORCH_VAULT_", "orchestrator's own settings"),
        ("ORCH_KEK_", "orchestrator's own settings"),
        ("ORCH_DB_", "orchestrator's own settings"),
        ("ORCH_TENANT_SECRET", "ending with `_`"),
        ("O_", None),
        ("DATABASE_", "`DATABASE_URL`"),
        ("REDIS_", "`REDIS_URL`"),
        ("PG", "ending with `_`"),
        ("OTEL_", "`OTEL_`"),
        ("AWS_PROD_", "inside the deployment's `AWS_*`"),
        ("orch_tenant_", "upper-case"),
        ("ORCH__TENANT_", "single `_`"),
        ("_X_", "upper-case"),
    ],
)
def test_a_prefix_that_could_reach_the_deployment_is_refused(
    prefix: str, fragment: str | None
) -> None:
    why = env_prefix_refusal(prefix)
    if fragment is None:
        assert why is None
        return
    assert why is not None
    assert fragment in why
    with pytest.raises(ValueError, match="ORCH_SECRET_REFS_ENV_PREFIX"):
        RefScope(env_prefix=prefix)


@pytest.mark.parametrize("prefix", ["ORCH_TENANT_SECRET_", "ORCH_TENANT_", "ACME_SECRETS_"])
def test_a_sane_prefix_is_accepted(prefix: str) -> None:
    assert env_prefix_refusal(prefix) is None
    assert reach(RefScope(env_prefix=prefix), f"env://{prefix}X") == EnvVariable(f"{prefix}X")


def test_bad_settings_fail_at_start_up() -> None:
    for env, fragment in (
        ({"ORCH_SECRET_REFS_ENV_PREFIX": ""}, "is empty"),
        ({"ORCH_SECRET_REFS_ENV_PREFIX": "ORCH_"}, "orchestrator's own settings"),
        ({"ORCH_SECRET_REFS_ENV_PREFIX": "DATABASE_"}, "DATABASE_URL"),
        ({"ORCH_SECRET_REFS_ENV_SCOPE": "everything"}, "env_scope"),
    ):
        with pytest.raises(ConfigurationError, match=fragment):
            CoreSettings.from_env(env)
        with pytest.raises(ConfigurationError, match=fragment):
            RefScope.from_env(env)
    assert CoreSettings.from_env({}).secret_refs == SecretRefSettings()
    scope = RefScope.from_env(
        {"ORCH_SECRET_REFS_ENV_PREFIX": "ACME_SECRETS_", "ORCH_SECRET_REFS_ENV_SCOPE": "workspace"}
    )
    assert scope == RefScope(env_prefix="ACME_SECRETS_", env_scope="workspace")


def _every_setting_name() -> set[str]:
    for service in ("control_api", "exec_api", "webhook_ingress", "worker"):
        importlib.import_module(f"orchestrator.{service}.settings")
    names: set[str] = set()
    pending: list[type[SettingsGroup]] = [SettingsGroup]
    while pending:
        group = pending.pop()
        pending.extend(group.__subclasses__())
        for field in group.__struct_fields__:
            names.add(group.aliases.get(field, f"{group.prefix}{field.upper()}"))
    return names


def test_no_setting_of_the_orchestrator_is_reachable_by_env_refs() -> None:
    names = _every_setting_name() | {
        "ORCH_VAULT_ADDR",
        "ORCH_VAULT_TOKEN",
        "ORCH_VAULT_TOKEN_FILE",
        "ORCH_VAULT_PATH_PREFIX",
        "ORCH_DATA_DIR",
    }
    assert {"ORCH_KEK", "DATABASE_URL", "REDIS_URL", "ORCH_SECRET_REFS_ENV_PREFIX"} <= names
    assert not [n for n in names if n.startswith(TENANT_NAMESPACE)]
    assert all(is_reserved(n) for n in names)
    for scope in (DEPLOYMENT, PER_WORKSPACE, RefScope(env_prefix="ORCH_TENANT_")):
        for name in names:
            with pytest.raises(OutOfScope):
                reach(scope, f"env://{name}")


def test_a_ref_out_of_scope_is_a_field_error_when_written() -> None:
    [error] = ref_errors("env://ORCH_KEK", "/ref", DEPLOYMENT, TENANT)
    assert error["key"] == "/ref"
    assert "ORCH_TENANT_SECRET_<NAME>" in error["message"]
    assert ref_errors("env://ORCH_TENANT_SECRET_K", "/ref", DEPLOYMENT, TENANT) == []
    [syntax] = ref_errors("file:///etc/passwd", "/ref", DEPLOYMENT, TENANT)
    assert "must be env://NAME" in syntax["message"]


ESCAPES = [
    "..",
    ".",
    "../other",
    "a/../../b",
    "a/./b",
    "a//b",
    "/absolute",
    "a/",
    "",
    "%2e%2e/x",
    "%2E%2E",
    "a%2Fb",
    "..%2fx",
    "a\\..\\b",
    "a/..\\b",
    "\uff5e/x",  # fullwidth tilde
    "\uff0e\uff0e/x",  # fullwidth full stops, which some servers fold to `..`
    "a b",
    "a?b",
    "a#b",
    "a\x00b",
    "a\nb",
]


@pytest.mark.parametrize("path", ESCAPES)
def test_no_vault_path_can_leave_the_workspaces_prefix(path: str) -> None:
    with pytest.raises(OutOfScope):
        vault_segments(path)
    with pytest.raises(OutOfScope):
        DEPLOYMENT.reach(ParsedRef(scheme="vault", target=path, field="f"), TENANT)
    with pytest.raises(InvalidRef):
        parse_ref(f"vault://{path}#field")
    settings = VaultSettings(addr="http://vault:8200", token="t")
    with pytest.raises(VaultUnavailable, match="will not read"):
        data_url(settings, TENANT, path)


@pytest.mark.parametrize("path", ["a", ".a/..b", "a..b/c.", "...x", "a-b_c.d/e", "-", "_"])
def test_an_accepted_vault_path_stays_under_the_prefix_after_url_normalisation(
    path: str,
) -> None:
    settings = VaultSettings(addr="http://vault:8200", token="t")
    url = URL(data_url(settings, TENANT, path))
    assert url.path.startswith(f"/v1/secret/data/orchestrator/{TENANT}/")
    assert url.path.removeprefix(f"/v1/secret/data/orchestrator/{TENANT}/") == path
    assert url.host == "vault"


@pytest.mark.parametrize(
    "template",
    ["orchestrator/", "shared", "{tenant_id}/{tenant_id}", "a/{tenant}/", "../{tenant_id}", "{0}"],
)
def test_a_vault_prefix_must_name_the_workspace(template: str) -> None:
    with pytest.raises(OutOfScope, match="ORCH_VAULT_PATH_PREFIX"):
        vault_location(template, TENANT, "payments")
    settings = VaultSettings(addr="http://v", token="t", prefix=template)
    with pytest.raises(VaultUnavailable, match="ORCH_VAULT_PATH_PREFIX"):
        data_url(settings, TENANT, "payments")


def test_two_workspaces_never_share_a_vault_location() -> None:
    for template in ("orchestrator/{tenant_id}/", "t{tenant_id}", "{tenant_id}x/"):
        mine = vault_location(template, TENANT, "payments")
        theirs = vault_location(template, OTHER, "payments")
        assert mine[: len(mine) - 1] != theirs[: len(theirs) - 1]
