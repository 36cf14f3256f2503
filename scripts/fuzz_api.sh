#!/usr/bin/env bash
# Fuzz the whole REST API with schemathesis against a demo portal on a scratch SQLite database:
# every operation of /api/v1/schema/ gets generated requests, and any 5xx answer is reported.
# Usage: make fuzz [FUZZ_EXAMPLES=25]   (takes several minutes; not part of `make test`)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
work=$(mktemp -d)
port=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export DATABASE_URL="sqlite:///$work/fuzz.sqlite3" DJANGO_SETTINGS_MODULE=tumen_portal.settings.dev
unset CELERY_BROKER_URL
$PY manage.py migrate -v0
$PY manage.py seed_demo --quiet-logins >/dev/null
key=$($PY manage.py create_api_key --agency LOTL --name fuzz | tail -n 1)
$PY manage.py runserver "127.0.0.1:$port" --noreload >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 30); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 1; done
.venv/bin/schemathesis run "http://127.0.0.1:$port/api/v1/schema/" -H "Authorization: Api-Key $key" \
    --max-examples "${FUZZ_EXAMPLES:-25}" --checks not_a_server_error --phases coverage,fuzzing,stateful
