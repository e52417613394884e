#!/usr/bin/env bash
# Schemathesis against a live gateway: uvicorn on a free local port, a fresh SQLite database
# with the demo dataset in a temporary directory. CONEX_ENV=dev, whose development payment
# processor lets the card and payment mutations run (in prod they answer SERVICE_UNAVAILABLE
# by design); an unexpected error is INTERNAL_SERVER_ERROR in either environment, and the
# prod masking is fuzzed by tests/fuzz/.
# GraphQL mode: every Query and Mutation field, positive and negative documents, sent as an
# anonymous caller, as a demo customer (alice) and as staff.
#
#   scripts/schemathesis.sh                        # 50 examples per field and caller
#   SCHEMATHESIS_EXAMPLES=300 SCHEMATHESIS_SEED=7 scripts/schemathesis.sh
#
# Check: `conex_error_contract` (defined below): no 5xx, a JSON body, every GraphQL error
# typed with a code the gateway documents (the allow-list of tests/fuzz/support.py, which
# excludes INTERNAL_SERVER_ERROR), no internals (SQL, tracebacks, hashes) in the body.
# Schemathesis's own `not_a_server_error` is not used alone: in GraphQL mode it counts every
# error with a `path` (FORBIDDEN, UNAUTHENTICATED, NOT_FOUND...) as a server error; ours
# covers 5xx and INTERNAL_SERVER_ERROR, which is what it means here.
#
# Needs .venv with the test extra (`make test-deps`). Exit status 0 when every run passed, 1
# when a check failed (schemathesis's report above names the field, the document, the
# response and a curl command to replay it) or the gateway logged an unexpected error, 2 when
# the gateway could not be started.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
ST=.venv/bin/schemathesis
if [[ ! -x $PY || ! -x $ST ]]; then
    echo "schemathesis.sh: .venv or schemathesis missing: run 'make test-deps' first" >&2
    exit 2
fi
EXAMPLES=${SCHEMATHESIS_EXAMPLES:-50}
SEED=${SCHEMATHESIS_SEED:-20261126}

work=$(mktemp -d "${TMPDIR:-/tmp}/conex-schemathesis.XXXXXX")
server=""
cleanup() {
    if [[ -n $server ]] && kill -0 "$server" 2>/dev/null; then
        kill "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Only our own CONEX_ settings: nothing from the caller's environment (no Redis, no real DB).
while IFS= read -r name; do unset "$name"; done < <(env | grep -o '^CONEX_[A-Z_]*' || true)
export CONEX_ENV=dev
export CONEX_DATABASE_URL="sqlite+aiosqlite:///$work/conex.sqlite3"
export CONEX_SECRET_KEY="schemathesis-run-only-$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
export CONEX_MAIL_DIR="$work/mail"
export CONEX_ACCESS_TOKEN_MINUTES=60
export CONEX_RATE_LIMIT_CAPACITY=1000000000  # one fuzzing client: the rate limit is not tested
export CONEX_RATE_LIMIT_RESTORE_RATE=1000000

$PY -m gateway migrate >/dev/null
commands=$($PY -m gateway --help)
if [[ $commands == *demo-data* ]]; then
    $PY -m gateway demo-data --accounts 20 --seed 1 >/dev/null
else
    echo "schemathesis.sh: no demo-data command: fuzzing an empty database" >&2
fi
staff_token=$($PY -m gateway token staff --name schemathesis | grep -o 'cnxs_[A-Za-z0-9_-]*' | head -1 || true)

port=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
$PY -m gateway serve --host 127.0.0.1 --port "$port" >"$work/server.log" 2>&1 &
server=$!

ready=""
for _ in $(seq 1 100); do
    if $PY -c "import urllib.request as u; u.urlopen('$base/healthz', timeout=1)" 2>/dev/null; then
        ready=1
        break
    fi
    if ! kill -0 "$server" 2>/dev/null; then
        break
    fi
    sleep 0.2
done
if [[ -z $ready ]]; then
    echo "schemathesis.sh: the gateway did not answer $base/healthz; its log:" >&2
    cat "$work/server.log" >&2
    exit 2
fi

customer_token=$($PY - "$base" <<'PY'
import json
import sys
import urllib.request

query = """mutation { logIn(input: {email: "alice@example.com", password: "conex-demo-password"})
  { accessToken userErrors { code } } }"""
request = urllib.request.Request(
    sys.argv[1] + "/graphql",
    data=json.dumps({"query": query}).encode(),
    headers={"Content-Type": "application/json"},
)
with urllib.request.urlopen(request, timeout=10) as response:
    print(json.load(response)["data"]["logIn"]["accessToken"] or "")
PY
)

# The check, as a hooks module: the allow-list comes from tests/fuzz/support.py.
cat >"$work/conex_schemathesis_hooks.py" <<'PY'
import json

import schemathesis
from hypothesis import strategies as st
from schemathesis.graphql import nodes

from tests.fuzz.support import INTERNALS, KNOWN_CODES

# Date and DateTime are known to schemathesis; Decimal (fixed-point, as a string) is ours.
schemathesis.graphql.scalar(
    "Decimal",
    st.one_of(
        st.decimals(places=2, allow_nan=False, allow_infinity=False, max_value=10**9).map(str),
        st.sampled_from(["0", "-1", "0.001", "1e999999", "NaN", "Infinity", "abc", ""]),
    ).map(nodes.String),
)


@schemathesis.check
def conex_error_contract(ctx, response, case):
    """No 5xx; every GraphQL error typed with a documented code; nothing internal shown."""
    if response.status_code >= 500:
        raise AssertionError(f"HTTP {response.status_code}: {response.text[:2000]}")
    try:
        body = json.loads(response.text)
    except ValueError:
        raise AssertionError(f"not JSON: {response.text[:2000]}") from None
    for item in body if isinstance(body, list) else [body]:
        if not isinstance(item, dict) or not ("data" in item or "errors" in item):
            raise AssertionError(f"not a GraphQL response: {response.text[:2000]}")
        for error in item.get("errors") or []:
            code = (error.get("extensions") or {}).get("code")
            if code is None:
                raise AssertionError(f"an error without extensions.code: {error}")
            if code not in KNOWN_CODES:
                raise AssertionError(f"unexpected code {code}: {error}")
    found = INTERNALS.search(response.text)
    if found:
        raise AssertionError(f"internal detail {found.group(0)!r}: {response.text[:2000]}")
PY
export SCHEMATHESIS_HOOKS=conex_schemathesis_hooks
export PYTHONPATH="$work:$PWD${PYTHONPATH:+:$PYTHONPATH}"

status=0
run() {
    local who=$1
    shift
    echo "=== schemathesis as $who: $EXAMPLES examples per field, seed $SEED ==="
    if ! $ST run schema.graphql --url "$base/graphql" \
        --checks conex_error_contract \
        --max-examples "$EXAMPLES" --seed "$SEED" --workers 1 \
        --generation-database none --no-color --warnings off \
        "$@"; then
        status=1
        echo "schemathesis.sh: FAILED as $who: the gateway answered a generated operation" \
            "with a 5xx, an untyped or unknown error code, or internal details (see above)" >&2
    fi
}
run anonymous
if [[ -n $customer_token ]]; then
    run customer -H "Authorization: Bearer $customer_token"
else
    echo "schemathesis.sh: could not log in as alice@example.com: skipping the customer run" >&2
fi
if [[ -n $staff_token ]]; then
    run staff -H "Authorization: Bearer $staff_token"
else
    echo "schemathesis.sh: could not create a staff token: skipping the staff run" >&2
    status=1
fi

if grep -qE "unexpected error|Exception in ASGI application" "$work/server.log"; then
    echo "schemathesis.sh: the gateway logged unexpected errors:" >&2
    grep -EA30 "unexpected error|Exception in ASGI application" "$work/server.log" \
        | head -200 >&2
    status=1
fi
if [[ $status -ne 0 ]]; then
    echo "schemathesis.sh: FAILED (a bug in the gateway, not in this script: report the" \
        "document and response above)" >&2
fi
exit $status
