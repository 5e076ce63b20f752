# Sourced by the first block of every runbook (`source docs/runbooks/env.sh`, from the
# checkout): the URLs, identities and helpers the runbooks' commands use.
#
# Against `make run`, everything comes from `.data/demo.env` (the demo workspace). Against a
# deployment, export CONTROL_API_URL, EXEC_API_URL and WORKER_URL, and OPERATOR_CLIENT_ID /
# OPERATOR_CLIENT_SECRET (an OperatorAdmin of the workspace; EXEC_CLIENT_ID /
# EXEC_CLIENT_SECRET too for the exec-plane steps) from your secret store first, and log the
# CLI in once (`orchestrator login --control-url … --client-id …`, docs/cli.md).
if [ -f .data/demo.env ]; then
  source .data/demo.env
fi
: "${CONTROL_API_URL:?export CONTROL_API_URL (or run this from a checkout running make run)}"
: "${EXEC_API_URL:?export EXEC_API_URL}"
: "${OPERATOR_CLIENT_ID:?export OPERATOR_CLIENT_ID and OPERATOR_CLIENT_SECRET}"
if [ -x .venv/bin/orchestrator ]; then
  PATH="$PWD/.venv/bin:$PATH"   # the checkout's CLI, as `make run` installs it
fi

# `pick a.b.0`: that member of the JSON on stdin (text as is, anything else as JSON).
pick() {
  python3 -c 'import json, sys
value = json.load(sys.stdin)
for key in sys.argv[1].split("."):
    value = value[int(key)] if isinstance(value, list) else value[key]
print(value if isinstance(value, str) else json.dumps(value))' "$1"
}
token() {
  curl -sf "$CONTROL_API_URL/oauth/token" -d grant_type=client_credentials \
       -d client_id="$1" -d client_secret="$2" | pick access_token
}
OPERATOR_TOKEN=$(token "$OPERATOR_CLIENT_ID" "$OPERATOR_CLIENT_SECRET")
CONTROL=(-H "Authorization: Bearer $OPERATOR_TOKEN" -H "Content-Type: application/json")
if [ -n "${EXEC_CLIENT_ID:-}" ]; then
  TOKEN=$(token "$EXEC_CLIENT_ID" "$EXEC_CLIENT_SECRET")
  EXEC=(-H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json")
fi
if [ -f .data/demo.env ]; then
  orchestrator login --from-dev-stack >/dev/null   # the CLI's default profile: the demo workspace
fi
