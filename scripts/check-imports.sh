#!/usr/bin/env bash
# The layer contracts of .importlinter (issue #12): domain is pure, auth and loaders know no
# schema, actions no Strawberry, SQL only in db and the loaders, schema → resolvers →
# actions → (domain, db.queries, auth) and never upward. `make test` runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
exec "$BIN/lint-imports" --config .importlinter "$@"
