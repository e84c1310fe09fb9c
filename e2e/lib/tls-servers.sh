# shellcheck shell=bash
# TLS servers of one e2e run, all with certificates of the run's own CA
# (lib/ca.sh): the resolver's `tls://` and `https://` upstreams (stunnel in
# front of knot-a, dnsdist in front of nsd-c, each behind a good, a wrong-name
# and an expired certificate, plus a server that stalls the handshake), and
# dnsdist as a UDP forwarder with the resolver as its DoH backend.
# Sourced by e2e/run.sh after its helpers (start_process, wait_for, fill, die).

# free_ports N: N distinct free TCP ports on 127.0.0.1, bound at once.
free_ports() {
  "$E2E_PYTHON" - "$1" <<'PY'
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))
PY
}

# make_certificates DIR: the CA (DIR/ca.pem, to be trusted by every client) and
# the leaves the servers present: localhost (also 127.0.0.1), a name nobody
# asks for, and localhost again but expired in 2020.
make_certificates() {
  local dir=$1
  {
    ca_init "$dir" &&
      ca_issue "$dir" localhost 'DNS:localhost,IP:127.0.0.1' &&
      ca_issue "$dir" wrong-name 'DNS:wrong-name.invalid' &&
      ca_issue "$dir" expired 'DNS:localhost,IP:127.0.0.1' 20200101000000Z 20200102000000Z
  } || die "openssl could not make the run's certificates (see ${dir##*/}/openssl.out)"
}

# dot_ready PORT / doh_ready PORT: the good-certificate front answers the zone apex.
dot_ready() {
  kdig +tls +tls-ca="$E2E_TMP/ca/ca.pem" +tls-hostname=localhost +timeout=1 +retry=0 \
    @127.0.0.1 -p "$1" SOA e2e.test | grep -q 'status: NOERROR'
}
doh_ready() {
  kdig +https +tls-ca="$E2E_TMP/ca/ca.pem" +tls-hostname=localhost +timeout=1 +retry=0 \
    @127.0.0.1 -p "$1" SOA e2e.test | grep -q 'status: NOERROR'
}
port_open() { "$E2E_PYTHON" -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$1"; }

# start_tls_upstreams KNOT_PORT NSD_PORT: sets E2E_TLS_UPSTREAMS, the
# name=url entries the suite turns into one tenant each.
start_tls_upstreams() {
  local knot_port=$1 nsd_port=$2 dot_ok dot_wrong dot_expired doh_ok doh_wrong doh_expired doh_dns stall
  read -r dot_ok dot_wrong dot_expired doh_ok doh_wrong doh_expired doh_dns stall < <(free_ports 8)

  fill stunnel.conf.in "$E2E_TMP/stunnel.conf" CA_DIR="$E2E_TMP/ca" BACKEND_PORT="$knot_port" \
    OK_PORT="$dot_ok" WRONG_NAME_PORT="$dot_wrong" EXPIRED_PORT="$dot_expired"
  start_process stunnel stunnel "$E2E_TMP/stunnel.conf"
  fill dnsdist-tls.conf.in "$E2E_TMP/dnsdist-tls.conf" CA_DIR="$E2E_TMP/ca" BACKEND_PORT="$nsd_port" \
    DNS_PORT="$doh_dns" OK_PORT="$doh_ok" WRONG_NAME_PORT="$doh_wrong" EXPIRED_PORT="$doh_expired"
  start_process dnsdist-tls dnsdist --supervised --disable-syslog -C "$E2E_TMP/dnsdist-tls.conf"
  start_process stall "$E2E_PYTHON" e2e/stalling_server.py "$stall"
  wait_for stunnel 15 dot_ready "$dot_ok"
  wait_for dnsdist-tls 15 doh_ready "$doh_ok"
  wait_for stall 15 port_open "$stall"

  # localhost, not 127.0.0.1: the name the certificates are checked against.
  E2E_TLS_UPSTREAMS="dot-ok=tls://localhost:$dot_ok,dot-wrong-name=tls://localhost:$dot_wrong"
  E2E_TLS_UPSTREAMS+=",dot-expired=tls://localhost:$dot_expired,dot-stall=tls://localhost:$stall"
  E2E_TLS_UPSTREAMS+=",doh-ok=https://localhost:$doh_ok/dns-query,doh-wrong-name=https://localhost:$doh_wrong/dns-query"
  E2E_TLS_UPSTREAMS+=",doh-expired=https://localhost:$doh_expired/dns-query,doh-stall=https://localhost:$stall/dns-query"
  # An address, as in tls://1.1.1.1:853: checked against the certificate's IP SAN.
  E2E_TLS_UPSTREAMS+=",dot-ip=tls://127.0.0.1:$dot_ok,doh-ip=https://127.0.0.1:$doh_ok/dns-query"
  E2E_TLS_UPSTREAMS+=",dot-ip-wrong-name=tls://127.0.0.1:$dot_wrong,doh-ip-wrong-name=https://127.0.0.1:$doh_wrong/dns-query"
}

# The tenant dnsdist forwards to: its own health and pools, so its health
# checks and queries never touch the default tenant the main suite measures.
E2E_DNSDIST_TENANT=dnsdist-stub

# start_dnsdist_stub TLS_PORT: dnsdist on E2E_STUB_PORT (UDP and TCP), its one
# backend the resolver's tenant $E2E_DNSDIST_TENANT over DoH through nghttpx.
# Its backend stays down until the suite creates that tenant.
start_dnsdist_stub() {
  E2E_STUB_PORT=$(free_ports 1)
  fill dnsdist-stub.conf.in "$E2E_TMP/dnsdist-stub.conf" CA_DIR="$E2E_TMP/ca" \
    DNS_PORT="$E2E_STUB_PORT" TLS_PORT="$1" DOH_PATH="/t/$E2E_DNSDIST_TENANT/dns-query"
  start_process dnsdist-stub dnsdist --supervised --disable-syslog -C "$E2E_TMP/dnsdist-stub.conf"
  wait_for dnsdist-stub 15 port_open "$E2E_STUB_PORT"
}
