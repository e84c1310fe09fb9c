#!/usr/bin/env bash
# The README's quick start, as a newcomer runs it, checked: `npm run dev:https`
# (which is `npm run dev:local` plus the TLS front) on free ports, the README's
# curl commands, kdig +https, curl --doh-url, dnspython, the tenant walkthrough
# (create, patch, list, rotate, pools, traces), and Ctrl-C stopping everything.
# The commands are the README's, with the ports substituted; keep them in sync.
#
# Env: CI=true  a missing tool fails the run instead of skipping it
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
# shellcheck source=lib/tools.sh
source e2e/lib/tools.sh
PATH="$ROOT/node_modules/.bin:$PATH"

missing=$(e2e_missing_tools | tr '\n' ' ')
if [[ -n $missing ]]; then
  if [[ ${CI:-} == true ]]; then
    echo "quickstart: FAIL: missing tools: $missing"
    exit 1
  fi
  echo "quickstart: SKIPPED: missing tools: $missing"
  exit 0
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/edge-resolver-quickstart.XXXXXX")
STARTED_AT=$SECONDS
PASSED=0
FAILED=0
DEV_PID=

# Free ports, all bound at once so the kernel hands out distinct ones.
pick_ports() {
  read -r P_WORKER P_TLS P_ZONE_TCP P_ZONE_DOH P_INSPECTOR < <(
    "$E2E_PYTHON" - <<'PY'
import socket
socks = [socket.socket() for _ in range(5)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))
PY
  )
  W="http://127.0.0.1:$P_WORKER"
}
pick_ports
ADMIN=dev-admin-token-for-local-use-only
CERT=.wrangler/dev-https/cert.pem

# Ctrl-C in a terminal signals the whole foreground process group: do the same.
stop_dev() {
  [[ -n $DEV_PID ]] || return 0
  kill -INT -- "-$DEV_PID" 2>/dev/null || true
  local tick
  for tick in $(seq 1 150); do
    kill -0 -- "-$DEV_PID" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 -- "-$DEV_PID" 2>/dev/null; then
    kill -KILL -- "-$DEV_PID" 2>/dev/null || true
    return 1
  fi
}

finish() {
  local rc=$?
  trap - EXIT INT TERM
  stop_dev || true
  if ((rc != 0 && FAILED == 0)); then
    echo "FAIL  the quick start ran to the end (exit status $rc)"
    FAILED=1
  fi
  if ((FAILED > 0)); then
    echo "----- last lines of dev-https.log"
    tail -n 30 "$TMP/dev-https.log" | sed -e $'s/\x1b\\[[0-9;]*m//g' | cut -c1-300
    echo "quickstart: log kept in $TMP"
  else
    rm -rf "$TMP"
  fi
  echo "quickstart: $((SECONDS - STARTED_AT)) s"
  echo "$PASSED passed, $FAILED failed"
  ((FAILED == 0))
}
trap finish EXIT
trap 'exit 130' INT TERM

# check TITLE COMMAND...: runs COMMAND; PASS if it exits 0.
check() {
  local title=$1
  shift
  if "$@" >"$TMP/check.out" 2>&1; then
    echo "PASS  $title"
    PASSED=$((PASSED + 1))
  else
    echo "FAIL  $title"
    sed 's/^/      /' "$TMP/check.out" | head -n 15
    FAILED=$((FAILED + 1))
  fi
}

# contains NEEDLE COMMAND...: COMMAND's output contains NEEDLE (shown when not).
contains() {
  local needle=$1 out
  shift
  out=$("$@" 2>&1) || true
  [[ $out == *"$needle"* ]] || {
    echo "expected: $needle"
    echo "got: $out"
    return 1
  }
}

json_field() { "$E2E_PYTHON" -c "import json,sys; print(json.load(sys.stdin)$1)"; }

# --- npm run dev:https, as the README starts it --------------------------------
# The ports are free when picked, but another process may take one before
# wrangler binds it ("Address already in use"): that start is retried on fresh ports.
START_ATTEMPTS=3
for attempt in $(seq 1 "$START_ATTEMPTS"); do
  echo "quickstart: npm run dev:https on $W and https://127.0.0.1:$P_TLS"
  DEV_PORT=$P_WORKER DEV_HTTPS_PORT=$P_TLS DEV_ZONE_TCP_PORT=$P_ZONE_TCP DEV_ZONE_DOH_PORT=$P_ZONE_DOH \
    setsid npm run dev:https -- --inspector-port "$P_INSPECTOR" --persist-to "$TMP/state" \
    </dev/null >"$TMP/dev-https.log" 2>&1 &
  DEV_PID=$!
  for _ in $(seq 1 600); do
    grep -q 'Ctrl-C stops everything' "$TMP/dev-https.log" && break
    kill -0 "$DEV_PID" 2>/dev/null || break
    sleep 0.2
  done
  grep -q 'Ctrl-C stops everything' "$TMP/dev-https.log" && break
  grep -q 'Address already in use' "$TMP/dev-https.log" || break
  [[ $attempt -lt $START_ATTEMPTS ]] || break
  echo "quickstart: a port was taken before wrangler bound it; starting again on fresh ports"
  stop_dev || true
  DEV_PID=
  pick_ports
done
check "npm run dev:https says it is ready" grep -q 'Ctrl-C stops everything' "$TMP/dev-https.log"

# --- the README's first commands -----------------------------------------------
check "README: curl /resolve?name=multi.test lists its three addresses" \
  contains '"data":"192.0.2.12"' curl -s "$W/resolve?name=multi.test"
check "README: curl the RFC 8484 GET for a.test answers 192.0.2.1 (c000 0201)" \
  contains 'c000 0201' bash -c "curl -s '$W/dns-query?dns=AAABAAABAAAAAAAAAWEEdGVzdAAAAQAB' | xxd"
check "README: /ready is ready with two upstreams" \
  contains '"status":"ready","upstreams":2' curl -s "$W/ready"

# --- DoH clients through the TLS front -----------------------------------------
check "README: kdig +https a.test answers 192.0.2.1 over HTTP/2" bash -c "
  out=\$(kdig @127.0.0.1 -p $P_TLS +https +tls-ca=$CERT +tls-hostname=localhost a.test)
  [[ \$out == *'HTTP/2-POST'* && \$out == *'192.0.2.1'* ]] || { echo \"\$out\"; exit 1; }"
check "README: curl --doh-url fetches http://loopback.test:<port>/health by name" \
  contains '{"status":"ok"}' curl -sS --doh-url "https://127.0.0.1:$P_TLS/dns-query" --cacert "$CERT" \
  "http://loopback.test:$P_WORKER/health"
check "README: dnspython over DoH answers v6.test AAAA" \
  contains '2001:db8::2' "$E2E_PYTHON" -c "import dns.message, dns.query; print(dns.query.https(dns.message.make_query('v6.test', 'AAAA'), 'https://127.0.0.1:$P_TLS/dns-query', verify='$CERT').answer[0])"

# --- the README's tenant walkthrough -------------------------------------------
created=$(curl -s -X POST "$W/admin/tenants" -H "authorization: Bearer $ADMIN" \
  -H 'content-type: application/json' \
  -d "{\"id\":\"acme\",\"config\":{\"upstreams\":[\"zone=tcp://127.0.0.1:$P_ZONE_TCP\"],\"deny\":[\"ads.test\"],\"fanout\":{\"activeTierSize\":1}}}")
ACME=$(json_field "['token']" <<<"$created" 2>/dev/null || true)
check "walkthrough: the admin creates tenant acme and gets its token" contains 'edt_' echo "$ACME"
check "walkthrough: acme answers a.test through /t/acme" \
  contains '"data":"192.0.2.1"' curl -s "$W/t/acme/resolve?name=a.test"
check "walkthrough: acme's deny list answers NXDOMAIN (Status 3)" \
  contains '"Status":3' curl -s "$W/t/acme/resolve?name=x.ads.test"
check "walkthrough: PATCH changes the fan-out and keeps the deny list" bash -c "
  out=\$(curl -s -X PATCH '$W/admin/tenants/acme' -H 'authorization: Bearer $ACME' \
    -H 'content-type: application/json' -d '{\"fanout\":{\"batchSize\":1}}')
  [[ \$out == *'\"deny\":[\"ads.test\"]'* && \$out == *'\"batchSize\":1'* ]] || { echo \"\$out\"; exit 1; }"
check "walkthrough: the admin lists tenants" \
  contains '"id":"acme"' curl -s "$W/admin/tenants" -H "authorization: Bearer $ADMIN"
rotated=$(curl -s -X POST "$W/admin/tenants/acme/token" -H "authorization: Bearer $ACME")
NEW=$(json_field "['token']" <<<"$rotated" 2>/dev/null || true)
check "walkthrough: the old token is 401 invalid token after rotating" \
  contains 'invalid token' curl -s "$W/admin/tenants/acme" -H "authorization: Bearer $ACME"
check "walkthrough: the new token reads acme's pool for a.test" \
  contains '192.0.2.1' curl -s "$W/admin/tenants/acme/pools/a.test/A" -H "authorization: Bearer $NEW"
traces=$(curl -s "$W/admin/tenants/acme/traces?name=a.test" -H "authorization: Bearer $NEW")
check "walkthrough: acme's trace of a.test links its SVG" contains 'timeline.svg' echo "$traces"
browser=$(json_field "['traces'][0]['links']['browserView']" <<<"$traces" 2>/dev/null || true)
check "walkthrough: the trace's browser link opens the page without a token" \
  contains '<svg xmlns=' curl -s "$browser"

# --- Ctrl-C stops everything it started -----------------------------------------
check "Ctrl-C stops npm run dev:https within 15 s" stop_dev
DEV_PID=
check "nothing listens on the worker, TLS and zone ports afterwards" bash -c "
  for port in $P_WORKER $P_TLS $P_ZONE_TCP $P_ZONE_DOH; do
    if (exec 3<>/dev/tcp/127.0.0.1/\$port) 2>/dev/null; then echo \"port \$port still open\"; exit 1; fi
  done"
