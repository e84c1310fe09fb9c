"""The resolver's TLS transports against real TLS servers (docs/architecture.md §2 transports):
`tls://` (DoT, RFC 7858) through stunnel in front of knot-a and `https://`
(DoH, RFC 8484) through dnsdist in front of nsd-c, with certificates from the
run's CA, which wrangler dev trusts through NODE_EXTRA_CA_CERTS.

Each server listens three times, behind a good, a wrong-name and an expired
certificate, so a failure can only be the certificate's doing; a fourth
"server" accepts TCP and never answers the handshake. Every upstream is the one
upstream of its own tenant: what the client gets is that upstream's outcome.
"""

from __future__ import annotations

import time

import httpx

import clients
from clients import env
from tenants import create_tenant
from worker_log import LOG_DELAY_S, eventually, expect_outcomes, tenant_log

NAME = "www.e2e.test"
ADDRESS = "127.0.0.1"  # www's address in every zone copy
EDE_NETWORK_ERROR = 23  # RFC 8914 §4.24: what a refused certificate is reported as
DEADLINE_S = 3.0  # DEADLINE_MS default (docs/architecture.md §2): the stalled handshake must end by then
LATE_S = 1.0  # slack for a busy 2-core CI box on top of the deadline
# The good upstream answers in milliseconds on loopback; 1 s leaves room for a busy CI.
ANSWER_BESIDE_STALL_S = 1.0
CONVERGE_WITHIN_S = 3.0
POLL_EVERY_S = 0.15
TRANSPORTS = {"dot": "tls:// (stunnel in front of knot-a)", "doh": "https:// (dnsdist in front of nsd-c)"}


def run(suite, truth) -> None:
    worker = env("E2E_WORKER")
    entries = dict(pair.split("=", 1) for pair in env("E2E_TLS_UPSTREAMS").split(","))
    asks = {}
    for name, url in entries.items():
        path = create_tenant(f"tls-{name}", [f"{name}={url}"])
        # EDNS on: the Extended DNS Error travels in the OPT record.
        asks[name] = clients.dnspython_doh(f"{worker}{path}", "POST", None, use_edns=0)

    for transport, label in TRANSPORTS.items():
        suite.expect(f"{label}: good certificate from the run's CA: answered, log says ok",
                     answered(asks, transport, "ok"))  # fmt: skip
        suite.expect(f"{label}: asked by address (127.0.0.1), matched to the certificate's IP SAN",
                     answered(asks, transport, "ip"))  # fmt: skip
        suite.expect(f"{label}: asked by address, a certificate without it: SERVFAIL + EDE 23, `network`",
                     refused(asks, transport, "ip-wrong-name"))  # fmt: skip
        for kind in ("wrong-name", "expired"):
            suite.expect(f"{label}: {kind} certificate: SERVFAIL + EDE 23, a typed `network` failure",
                         refused(asks, transport, kind))  # fmt: skip
        suite.expect(f"{label}: a handshake that never completes: SERVFAIL within the {DEADLINE_S:g} s deadline",
                     stalled(asks, transport))  # fmt: skip

    def merged_over_tls() -> None:
        # knot-a and nsd-c hold different halves of the pool: only both together give the union.
        name = "json.e2e.test"
        per = truth.per_upstream(name, "A")
        union = set(per["knot-a"].addresses(name, "A")) | set(per["nsd-c"].addresses(name, "A"))
        path = create_tenant("tls-fleet", [f"dot={entries['dot-ok']}", f"doh={entries['doh-ok']}"])
        ask = clients.dnspython_doh(f"{worker}{path}", "POST", None)
        deadline = time.monotonic() + CONVERGE_WITHIN_S
        addresses = ask(name, "A").addresses(name, "A")
        while set(addresses) != union and time.monotonic() < deadline:
            time.sleep(POLL_EVERY_S)
            addresses = ask(name, "A").addresses(name, "A")
        assert set(addresses) == union, f"{addresses}, expected the union {sorted(union)}"

        def both_ok() -> None:
            seen = {a["upstream"]: a["outcome"] for e in tenant_log("tls-fleet") for a in e.get("upstreams", [])}
            assert seen == {"dot": "ok", "doh": "ok"}, f"worker log: {seen}"

        eventually(both_ok)

    suite.expect("a tenant with one tls:// and one https:// upstream: the pool is their union", merged_over_tls)

    def stall_beside_good() -> None:
        # Both in the active tier: the good one answers, the stalled one must not hold the client.
        path = create_tenant("tls-stall-beside-good", [f"stall={entries['dot-stall']}", f"doh={entries['doh-ok']}"])
        ask = clients.dnspython_doh(f"{worker}{path}", "POST", None)
        started = time.monotonic()
        answer = ask(NAME, "A")
        elapsed = time.monotonic() - started
        assert answer.addresses(NAME, "A") == [ADDRESS], f"rcode {answer.rcode}, answer {answer.answer}"
        assert elapsed < ANSWER_BESIDE_STALL_S, f"answer after {elapsed:.2f} s"

        def stall_cut_at_deadline() -> None:
            seen = {a["upstream"]: a["outcome"] for e in tenant_log("tls-stall-beside-good") for a in e["upstreams"]}
            assert seen == {"stall": "timeout", "doh": "ok"}, f"worker log: {seen}"

        # The log line is written when the fan-out ends: at the deadline, after the answer.
        eventually(stall_cut_at_deadline, DEADLINE_S + LOG_DELAY_S)

    suite.expect(f"a stalled tls:// upstream beside a good https:// one: answered within {ANSWER_BESIDE_STALL_S:g} s",
                 stall_beside_good)  # fmt: skip

    def still_serving() -> None:
        health = httpx.get(f"{worker}/health", timeout=clients.TIMEOUT_S)
        assert health.status_code == 200, f"/health answered HTTP {health.status_code}"
        log = open(env("E2E_WORKER_LOG"), errors="replace").read()
        assert "Uncaught" not in log, "an uncaught exception in the worker log"

    suite.expect("after every TLS failure the worker still serves, with no uncaught exception", still_serving)


def answered(asks: dict, transport: str, variant: str):
    def check() -> None:
        answer = asks[f"{transport}-{variant}"](NAME, "A")
        assert answer.rcode == "NOERROR", f"rcode {answer.rcode}, EDE {answer.ede}"
        assert answer.addresses(NAME, "A") == [ADDRESS], f"answer {answer.answer}"
        expect_outcomes(f"tls-{transport}-{variant}", NAME, ["ok"])

    return check


def refused(asks: dict, transport: str, kind: str):
    """The same server as the good case, another certificate: only it can be at fault."""

    def check() -> None:
        answer = asks[f"{transport}-{kind}"](NAME, "A")
        assert answer.rcode == "SERVFAIL", f"rcode {answer.rcode}, answer {answer.answer}"
        assert EDE_NETWORK_ERROR in answer.ede, f"EDE {answer.ede}"
        expect_outcomes(f"tls-{transport}-{kind}", NAME, ["network"])

    return check


def stalled(asks: dict, transport: str):
    def check() -> None:
        started = time.monotonic()
        answer = asks[f"{transport}-stall"](NAME, "A")
        elapsed = time.monotonic() - started
        assert answer.rcode == "SERVFAIL", f"rcode {answer.rcode}"
        assert elapsed < DEADLINE_S + LATE_S, f"SERVFAIL after {elapsed:.2f} s"
        expect_outcomes(f"tls-{transport}-stall", NAME, ["timeout"])

    return check
