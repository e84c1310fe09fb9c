#!/usr/bin/env bash
# End-to-end suite (docs/architecture.md §8): the worker under `wrangler dev`, fed by software
# nobody here wrote, asked by clients nobody here wrote.
#
#   knotd  knot-a ─┐ tcp://
#   knotd  knot-b ─┤ tcp://
#   nsd    nsd-c  ─┤ tcp://
#   dnsdist ───────┘ http:// DoH, in front of nsd-c
#        └─> wrangler dev (HTTP/1.1) <─ nghttpx (TLS + HTTP/2) <─ kdig, curl, dnspython GET
#                  ^─ straight over plain HTTP: dnspython POST, httpx on /resolve
#
#   Real TLS and real clients (e2e/lib/tls-servers.sh, one tenant each, so the
#   default tenant above stays as measured):
#   stunnel (DoT) in front of knot-a, dnsdist (DoH over TLS) in front of nsd-c,
#   each behind a good, a wrong-name and an expired certificate, and a server
#   that stalls the handshake ─> wrangler dev, which trusts the run's CA
#   Chromium, Firefox ESR, dnsdist (UDP in, DoH out) ─> nghttpx ─> wrangler dev
#
# Everything listens on 127.0.0.1 on free high ports and lives in one temp folder.
# Every process is stopped by its PID on exit, also when a check fails.
# Env: CI=true       a missing tool fails the run instead of skipping it
#      E2E_KEEP=1    keep the temp folder (logs, configs) even when green
#      E2E_WORKER_SCRIPT=path  serve this prebuilt worker module instead of
#                    bundling the checkout (for bisecting a bundle)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
# shellcheck source=lib/tools.sh
source e2e/lib/tools.sh
# shellcheck source=lib/processes.sh
source e2e/lib/processes.sh
# shellcheck source=lib/ca.sh
source e2e/lib/ca.sh
# shellcheck source=lib/tls-servers.sh
source e2e/lib/tls-servers.sh

# The project pins node 22 in node_modules; wrangler refuses older ones.
PATH="$ROOT/node_modules/.bin:$PATH"
export CLOUDFLARE_CF_FETCH_ENABLED=false WRANGLER_SEND_METRICS=false
export PYTHONDONTWRITEBYTECODE=1

STARTED_AT=$SECONDS
missing=$(e2e_missing_tools | tr '\n' ' ')
if [[ -n $missing ]]; then
  if [[ ${CI:-} == true ]]; then
    echo "e2e: FAIL: missing tools: $missing(run scripts/e2e-install-deps.sh)" >&2
    echo "0 passed, 1 failed"
    exit 1
  fi
  echo "e2e: SKIPPED: missing tools: $missing(run scripts/e2e-install-deps.sh as root)"
  echo "0 passed, 0 failed"
  exit 0
fi

E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/edge-resolver-e2e.XXXXXX")
SUITE_RAN=false

finish() {
  local rc=$? passed=0 failed=0
  trap - EXIT INT TERM
  stop_all
  if [[ -s $E2E_TMP/result ]]; then
    read -r passed failed <"$E2E_TMP/result"
  elif ! $SUITE_RAN || ((rc != 0)); then
    failed=1 # setup failed, or the suite itself crashed
  fi
  if ((rc != 0 && failed == 0)); then
    echo "FAIL  the run ends normally (exit status $rc: interrupted or crashed)"
    failed=1
  fi
  if ((E2E_STOP_FAILURES > 0)); then
    echo "FAIL  every process stops on its signal ($E2E_STOP_FAILURES needed SIGKILL)"
    failed=$((failed + 1))
  fi
  if ((failed > 0)); then
    show_logs
    echo "e2e: logs and configs kept in $E2E_TMP"
  elif [[ -n ${E2E_KEEP:-} ]]; then
    echo "e2e: logs and configs kept in $E2E_TMP"
  else
    rm -rf "$E2E_TMP"
  fi
  echo "e2e: $((SECONDS - STARTED_AT)) s"
  echo "$passed passed, $failed failed"
  ((failed == 0)) && exit 0
  exit 1
}
trap finish EXIT
trap 'exit 130' INT TERM

strip_colours() { sed -e $'s/\x1b\\[[0-9;]*m//g'; }

show_logs() {
  local log
  for log in "$E2E_TMP"/*.log; do
    [[ -s $log ]] || continue
    echo "----- last lines of ${log##*/}"
    tail -n 15 "$log" | strip_colours | cut -c1-400
  done
}

# die MESSAGE: a setup step failed; the EXIT trap stops what was started.
die() {
  echo "e2e: setup failed: $*" >&2
  exit 1
}

# wait_for NAME SECONDS CMD...: polls CMD every 0.2 s while NAME is running.
wait_for() {
  local name=$1 seconds=$2
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if ! is_running "$name"; then
      # The reason, if the log names one (wrangler prints it among a screenful).
      grep -m 5 -E 'ERROR|Uncaught|error:|fatal' "$E2E_TMP/$name.log" | strip_colours >&2 || true
      die "$name exited (see $name.log)"
    fi
    ((SECONDS < deadline)) || die "$name not ready after ${seconds}s"
    sleep 0.2
  done
}

# fill TEMPLATE OUT KEY=VALUE...: replaces @KEY@ in an e2e/config template.
fill() {
  local template=$1 out=$2 pair
  shift 2
  local args=()
  for pair in "$@"; do args+=(-e "s|@${pair%%=*}@|${pair#*=}|g"); done
  sed "${args[@]}" "e2e/config/$template" >"$out"
}

# Free ports, all bound at once so the kernel hands out distinct ones.
read -r P_KNOT_A P_KNOT_B P_NSD_C P_DNSDIST_DNS P_DNSDIST_DOH P_WORKER P_INSPECTOR P_TLS P_WEB < <(
  "$E2E_PYTHON" - <<'PY'
import socket
socks = [socket.socket() for _ in range(9)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))
PY
)

soa_ready() { kdig +tcp +timeout=1 +retry=0 @127.0.0.1 -p "$1" SOA e2e.test | grep -q 'status: NOERROR'; }

echo "e2e: temp folder $E2E_TMP"

# --- authoritative servers: same zone, different address subsets -------------
for copy in a b; do
  port_var=P_KNOT_${copy^^}
  mkdir -p "$E2E_TMP/knot-$copy"
  fill knot.conf.in "$E2E_TMP/knot-$copy/knot.conf" DIR="$E2E_TMP/knot-$copy" \
    PORT="${!port_var}" ZONE="$ROOT/e2e/zones/e2e.test.$copy.zone"
  start_process "knot-$copy" knotd -c "$E2E_TMP/knot-$copy/knot.conf"
done
mkdir -p "$E2E_TMP/nsd-c"
fill nsd.conf.in "$E2E_TMP/nsd-c/nsd.conf" DIR="$E2E_TMP/nsd-c" PORT="$P_NSD_C" \
  ZONE="$ROOT/e2e/zones/e2e.test.c.zone"
start_process nsd-c nsd -d -c "$E2E_TMP/nsd-c/nsd.conf"
wait_for knot-a 15 soa_ready "$P_KNOT_A"
wait_for knot-b 15 soa_ready "$P_KNOT_B"
wait_for nsd-c 15 soa_ready "$P_NSD_C"

# --- dnsdist: plain-HTTP DoH in front of nsd-c --------------------------------
fill dnsdist.conf.in "$E2E_TMP/dnsdist.conf" DNS_PORT="$P_DNSDIST_DNS" \
  BACKEND_PORT="$P_NSD_C" DOH_PORT="$P_DNSDIST_DOH"
start_process dnsdist dnsdist --supervised --disable-syslog -C "$E2E_TMP/dnsdist.conf"
# base64url of a query for e2e.test SOA (ID 0, RD).
wait_for dnsdist 15 curl -sf --max-time 2 -o /dev/null \
  "http://127.0.0.1:$P_DNSDIST_DOH/dns-query?dns=AAABAAABAAAAAAAAA2UyZQR0ZXN0AAAGAAE"

# --- the run's CA: every TLS server's certificate, trusted by every client ---
make_certificates "$E2E_TMP/ca"
# The admin API creates the tenants of the TLS and real-client checks.
E2E_ADMIN_TOKEN=e2e-$(openssl rand -hex 24)

# --- the worker ---------------------------------------------------------------
# Serve a bundle snapshot, not the live tree: `wrangler dev` would rebuild and
# restart the worker mid-run whenever someone saves a file in src/.
worker_script=${E2E_WORKER_SCRIPT:-}
if [[ -z $worker_script ]]; then
  # Its output goes to bundle.out, not *.log: a dozen lines of bindings, noise
  # in the failure report unless bundling itself failed.
  if ! wrangler deploy --dry-run --outdir "$E2E_TMP/bundle" >"$E2E_TMP/bundle.out" 2>&1; then
    tail -n 30 "$E2E_TMP/bundle.out"
    die "wrangler could not bundle the worker"
  fi
  worker_script=$E2E_TMP/bundle/index.js
fi
upstreams="knot-a=tcp://127.0.0.1:$P_KNOT_A,knot-b=tcp://127.0.0.1:$P_KNOT_B"
upstreams+=",nsd-c=tcp://127.0.0.1:$P_NSD_C,dnsdist-c=http://127.0.0.1:$P_DNSDIST_DOH/dns-query"
# NODE_EXTRA_CA_CERTS: wrangler hands it to workerd, whose fetch() and connect()
# then trust the run's CA besides the system's (the `tls://`/`https://` upstreams).
start_process wrangler env NODE_EXTRA_CA_CERTS="$E2E_TMP/ca/ca.pem" \
  wrangler dev "$worker_script" --no-bundle --config "$ROOT/wrangler.toml" \
  --ip 127.0.0.1 --port "$P_WORKER" --inspector-port "$P_INSPECTOR" \
  --persist-to "$E2E_TMP/wrangler-state" --show-interactive-dev-session=false \
  --var "UPSTREAMS:$upstreams" --var ALLOW_LOOPBACK_UPSTREAMS:true \
  --var "ADMIN_TOKEN:$E2E_ADMIN_TOKEN"
# 90 s: workerd starts in ~5 s here, but a first run on a busy 2-core CI box is slower.
wait_for wrangler 90 curl -sf --max-time 2 -o /dev/null "http://127.0.0.1:$P_WORKER/health"

# --- TLS + HTTP/2 front (kdig +https and curl --doh-url need it) -------------
# --conf=/dev/null: ignore /etc/nghttpx/nghttpx.conf.
start_process nghttpx nghttpx --conf=/dev/null --frontend="127.0.0.1,$P_TLS" \
  --backend="127.0.0.1,$P_WORKER" --workers=1 --no-ocsp \
  --accesslog-file="$E2E_TMP/nghttpx-access.log" "$E2E_TMP/ca/localhost.key" "$E2E_TMP/ca/localhost.pem"
wait_for nghttpx 15 curl -sf --max-time 2 -o /dev/null --cacert "$E2E_TMP/ca/ca.pem" \
  "https://127.0.0.1:$P_TLS/health"

# --- a web page only reachable by the name the worker resolves ---------------
mkdir -p "$E2E_TMP/www"
echo "edge-resolver e2e page $RANDOM$RANDOM" >"$E2E_TMP/www/index.html"
start_process web "$E2E_PYTHON" -m http.server --bind 127.0.0.1 --directory "$E2E_TMP/www" "$P_WEB"
wait_for web 15 curl -sf --max-time 2 -o /dev/null "http://127.0.0.1:$P_WEB/"

# --- TLS upstreams and the dnsdist forwarder (e2e/lib/tls-servers.sh) --------
start_tls_upstreams "$P_KNOT_A" "$P_NSD_C"
start_dnsdist_stub "$P_TLS"

echo "e2e: servers up after $((SECONDS - STARTED_AT)) s"

# --- clients and assertions ---------------------------------------------------
SUITE_RAN=true
E2E_TMP=$E2E_TMP \
  E2E_AUTHORITATIVE="knot-a=127.0.0.1:$P_KNOT_A,knot-b=127.0.0.1:$P_KNOT_B,nsd-c=127.0.0.1:$P_NSD_C" \
  E2E_DNSDIST_DOH="http://127.0.0.1:$P_DNSDIST_DOH/dns-query" \
  E2E_UPSTREAM_NAMES="knot-a,knot-b,nsd-c,dnsdist-c" \
  E2E_WORKER="http://127.0.0.1:$P_WORKER" \
  E2E_TLS_PORT="$P_TLS" \
  E2E_CA="$E2E_TMP/ca/ca.pem" \
  E2E_WEB_PORT="$P_WEB" \
  E2E_PAGE="$E2E_TMP/www/index.html" \
  E2E_WORKER_LOG="$E2E_TMP/wrangler.log" \
  E2E_UPSTREAMS="$upstreams" \
  E2E_ADMIN_TOKEN="$E2E_ADMIN_TOKEN" \
  E2E_TLS_UPSTREAMS="$E2E_TLS_UPSTREAMS" \
  E2E_STUB_PORT="$E2E_STUB_PORT" \
  E2E_DNSDIST_TENANT="$E2E_DNSDIST_TENANT" \
  E2E_WEB_LOG="$E2E_TMP/web.log" \
  "$E2E_PYTHON" e2e/suite.py
