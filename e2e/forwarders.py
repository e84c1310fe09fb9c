"""Forwarders as clients: dnsdist takes plain DNS on UDP and sends every query
to the resolver over DoH (HTTP/2, TLS verified against the run's CA, through
nghttpx), the way a site puts a DoH resolver behind every device on its
network. kdig asks dnsdist over UDP; the answers must be the resolver's merged
pools. dnscrypt-proxy, the other usual choice, is not packaged in Debian 12.
"""

from __future__ import annotations

import subprocess

import clients
from clients import env
from tenants import create_tenant, default_upstreams
from worker_log import eventually, tenant_log

# dnsdist health-checks its backend every second and drops queries until a
# check passes; the tenant behind it only exists from here on.
BACKEND_UP_WITHIN_S = 10.0
PROBE_TIMEOUT_S = 1


def kdig_udp(port: int, timeout_s: float = clients.TIMEOUT_S):
    """kdig over plain UDP (+notcp), the way any stub resolver asks."""

    def ask(name: str, rtype: str) -> clients.Answer:
        argv = ["kdig", "@127.0.0.1", "-p", str(port), "+notcp", f"+timeout={int(timeout_s)}",
                "+retry=0", name, rtype]  # fmt: skip
        run = subprocess.run(argv, capture_output=True, text=True, timeout=timeout_s * 2)
        if run.returncode != 0:
            raise AssertionError(f"kdig exited {run.returncode}: {run.stderr.strip() or run.stdout.strip()}")
        return clients.parse_kdig(run.stdout)

    return ask


def run(suite, truth, pool_checks) -> None:
    tenant = env("E2E_DNSDIST_TENANT")
    ask = kdig_udp(int(env("E2E_STUB_PORT")))
    probe = kdig_udp(int(env("E2E_STUB_PORT")), PROBE_TIMEOUT_S)

    def backend_up() -> None:
        create_tenant(tenant, default_upstreams())

        def answers() -> None:
            rcode = probe("e2e.test", "SOA").rcode
            assert rcode == "NOERROR", f"dnsdist answers {rcode} (see dnsdist-stub.log)"

        eventually(answers, BACKEND_UP_WITHIN_S)

    suite.expect("dnsdist: its DoH backend (the resolver, TLS verified) comes up", backend_up)
    name = "kdig-get.e2e.test"
    pool_checks(suite, truth, "kdig over UDP -> dnsdist -> DoH -> resolver", ask, name)

    def reached_resolver() -> None:
        misses = [e for e in tenant_log(tenant) if e["name"] == name]
        assert misses, f"the tenant behind dnsdist never looked {name} up"
        access = open(f"{env('E2E_TMP')}/nghttpx-access.log", errors="replace").read()
        assert f"POST /t/{tenant}/dns-query HTTP/2" in access, "no HTTP/2 DoH POST from dnsdist at nghttpx"

    suite.expect("dnsdist's queries reached the resolver as HTTP/2 DoH and were fanned out there",
                 lambda: eventually(reached_resolver))  # fmt: skip
