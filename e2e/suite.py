"""The end-to-end checks (run by e2e/run.sh, which starts the servers).

Prints one PASS/FAIL line per check and writes "passed failed" to
$E2E_TMP/result; run.sh prints the closing `N passed, N failed` line after it
has stopped every process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import traceback
from pathlib import Path

import dns.message
import httpx

import browsers
import clients
import console
import forwarders
import tls_upstreams
from clients import Answer, env
from worker_log import DEFAULT_TENANT, query_log

# docs/architecture.md §1/§2: the background tier runs right after the first answer and is done
# in ~200 ms on loopback; 3 s is the whole fan-out deadline.
CONVERGE_WITHIN_S = 3.0
POLL_EVERY_S = 0.15
REPEATS = 5
TTL_SLEEP_S = 2.0
PADDING_BLOCK = 468  # RFC 8467 §4.1, the block size for responses
FANOUT_DEADLINE_S = 3.0  # DEADLINE_MS default (docs/architecture.md §2)
# A refused connection fails at once, so the background tier starts at once
# (docs/architecture.md §2: errors do not wait for the 300 ms timer); 1 s leaves room for a busy CI.
FIRST_ANSWER_WITH_DEAD_UPSTREAM_S = 1.0
EDE_NO_REACHABLE_AUTHORITY = 22  # RFC 8914 §4.23
EDE_NETWORK_ERROR = 23  # RFC 8914 §4.24


def stop_server(name: str) -> None:
    """SIGTERM to a server run.sh started (its PID file), then wait until it is gone."""
    pid = int(Path(env("E2E_TMP"), f"{name}.pid").read_text())
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return
        if state == "Z":  # exited; run.sh reaps it later
            return
        time.sleep(0.05)
    raise AssertionError(f"{name} (pid {pid}) still running 10 s after SIGTERM")


class Suite:
    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0

    def expect(self, title: str, check) -> object:
        """Runs one check; any exception is a failure with its message shown."""
        started = time.monotonic()
        try:
            result = check()
        except AssertionError as error:
            self._fail(title, started, str(error) or "assertion failed")
            return None
        except Exception as error:  # a crash in a client is a failed check too
            self._fail(title, started, f"{type(error).__name__}: {error}\n{traceback.format_exc(limit=3)}")
            return None
        self.passed += 1
        print(f"PASS  {title}  ({time.monotonic() - started:.2f} s)", flush=True)
        return result

    def _fail(self, title: str, started: float, why: str) -> None:
        self.failed += 1
        print(f"FAIL  {title}  ({time.monotonic() - started:.2f} s)", flush=True)
        for line in why.rstrip().splitlines():
            print(f"        {line}", flush=True)


class Truth:
    """What each upstream says when asked directly: the sets the worker must merge."""

    def __init__(self) -> None:
        self.upstreams = {}
        for pair in env("E2E_AUTHORITATIVE").split(","):
            name, address = pair.split("=")
            host, port = address.rsplit(":", 1)
            self.upstreams[name] = clients.authoritative_tcp(host, int(port))
        self.upstreams["dnsdist-c"] = clients.plain_doh(env("E2E_DNSDIST_DOH"))

    def per_upstream(self, name: str, rtype: str) -> dict[str, Answer]:
        return {upstream: ask(name, rtype) for upstream, ask in self.upstreams.items()}

    def union(self, name: str, rtype: str) -> set[str]:
        return {a for answer in self.per_upstream(name, rtype).values() for a in answer.addresses(name, rtype)}

    def min_ttl(self, name: str, rtype: str) -> int:
        return min(t for answer in self.per_upstream(name, rtype).values() for t in answer.ttls(name, rtype))


def show(addresses) -> str:
    return "[" + ", ".join(addresses) + "]"


def pool_checks(suite: Suite, truth: Truth, label: str, ask, name: str, rtype: str = "A") -> list[str] | None:
    """First answer within the union, then exactly the union, then a stable order."""
    union = truth.union(name, rtype)
    state: dict[str, list[str]] = {}

    def answer_within_union() -> list[str]:
        answer = ask(name, rtype)
        assert answer.rcode == "NOERROR", f"rcode {answer.rcode}"
        addresses = answer.addresses(name, rtype)
        assert addresses, "no addresses"
        assert len(set(addresses)) == len(addresses), f"duplicates in {show(addresses)}"
        assert set(addresses) <= union, f"{show(addresses)} has {show(sorted(set(addresses) - union))} no upstream returned"
        return addresses

    def first() -> None:
        state["first"] = answer_within_union()

    def converges() -> None:
        deadline = time.monotonic() + CONVERGE_WITHIN_S
        addresses = state.get("first") or answer_within_union()
        while set(addresses) != union and time.monotonic() < deadline:
            time.sleep(POLL_EVERY_S)
            addresses = answer_within_union()
        assert set(addresses) == union, f"still {show(addresses)} after {CONVERGE_WITHIN_S} s; union is {show(sorted(union))}"
        state["final"] = addresses

    def stable() -> None:
        assert "final" in state, "never converged, nothing to compare"
        for i in range(REPEATS):
            addresses = answer_within_union()
            assert addresses == state["final"], f"query {i + 1}: {show(addresses)} != {show(state['final'])}"

    suite.expect(f"{label}: the first answer for {name} {rtype} is a subset of the upstreams' union", first)
    suite.expect(f"{label}: within {CONVERGE_WITHIN_S:g} s {name} {rtype} is exactly the union {show(sorted(union))}", converges)
    suite.expect(f"{label}: {REPEATS} more queries for {name} {rtype} return the same order", stable)
    return state.get("final")


def main() -> int:
    suite = Suite()
    # A crash between checks (say, an authoritative server gone) is one more
    # failure, and the counts still reach run.sh.
    suite.expect("the suite runs to the end", lambda: run(suite))
    Path(env("E2E_TMP"), "result").write_text(f"{suite.passed} {suite.failed}\n")
    return 0 if suite.failed == 0 else 1


def run(suite: Suite) -> None:
    tls_port = int(env("E2E_TLS_PORT"))
    ca_file = env("E2E_CA")
    worker = env("E2E_WORKER")
    https_url = f"https://127.0.0.1:{tls_port}/dns-query"
    truth = Truth()

    kdig_post = clients.kdig(tls_port, ca_file, "POST")
    kdig_get = clients.kdig(tls_port, ca_file, "GET")
    doh_get = clients.dnspython_doh(https_url, "GET", ca_file)
    doh_post = clients.dnspython_doh(f"{worker}/dns-query", "POST", None)
    json_api = clients.json_api(worker)

    # --- the fixture itself: otherwise a pass would prove nothing ------------
    def upstreams_disagree() -> None:
        for name in ("kdig-post", "kdig-get", "doh-get", "doh-post", "json", "v6"):
            rtype = "AAAA" if name == "v6" else "A"
            answers = truth.per_upstream(f"{name}.e2e.test", rtype)
            sets = {upstream: set(a.addresses(f"{name}.e2e.test", rtype)) for upstream, a in answers.items()}
            union = set().union(*sets.values())
            assert all(sets.values()), f"{name}: an upstream returned nothing: {sets}"
            assert all(s < union for s in sets.values()), f"{name}: some upstream already has the union: {sets}"

    suite.expect("each upstream (3 authoritative + dnsdist DoH) holds a different part of every pool", upstreams_disagree)

    # --- every client: first answer, merged pool, stable order ---------------
    pool_checks(suite, truth, "kdig +https (POST, HTTP/2, TLS)", kdig_post, "kdig-post.e2e.test")
    pool_checks(suite, truth, "kdig +https-get (GET, HTTP/2, TLS)", kdig_get, "kdig-get.e2e.test")
    pool_checks(suite, truth, "dnspython DoH GET (TLS via nghttpx)", doh_get, "doh-get.e2e.test")
    pool_checks(suite, truth, "dnspython DoH POST (plain HTTP to wrangler)", doh_post, "doh-post.e2e.test")
    pool_checks(suite, truth, "JSON API /resolve", json_api, "json.e2e.test")
    pool_checks(suite, truth, "dnspython DoH POST, AAAA", doh_post, "v6.e2e.test", "AAAA")
    pool_checks(suite, truth, "dnspython DoH POST, CNAME chain", doh_post, "alias.e2e.test")

    def one_cname() -> None:
        answer = doh_post("alias.e2e.test", "A")
        assert answer.cnames("alias.e2e.test") == ["alias-target.e2e.test"], f"answer {answer.answer}"

    suite.expect("alias-target and ALIAS-TARGET are one CNAME (targets compare case-insensitively)", one_cname)

    def chains_not_mixed() -> None:
        name = "split.e2e.test"
        by_chain: dict[tuple[str, ...], set[str]] = {}
        for upstream_answer in truth.per_upstream(name, "A").values():
            key = tuple(upstream_answer.chain(name))
            by_chain.setdefault(key, set()).update(upstream_answer.addresses(name, "A"))
        assert len(by_chain) == 2, f"fixture: expected two different chains, got {by_chain}"
        served: list[list[tuple[str, str, str]]] = []
        deadline = time.monotonic() + 1.0  # long enough for the background tier to write
        while True:
            answer = doh_post(name, "A")
            chain = tuple(answer.chain(name))
            assert len(answer.cnames(name)) == 1, f"{len(answer.cnames(name))} CNAMEs for {name}: {answer.answer}"
            assert chain in by_chain, f"chain {chain} is no upstream's"
            strays = [r for r in answer.answer if r.name not in chain]
            assert not strays, f"records outside the chain {chain}: {strays}"
            assert set(answer.addresses(name, "A")) <= by_chain[chain], f"{answer.answer} mixes chains {by_chain}"
            served.append([(r.name, r.rtype, r.data) for r in answer.answer])  # TTLs count down
            if time.monotonic() > deadline:
                break
            time.sleep(POLL_EVERY_S)
        for _ in range(REPEATS):
            again = [(r.name, r.rtype, r.data) for r in doh_post(name, "A").answer]
            assert again == served[-1], f"{again} != {served[-1]}"

    suite.expect("split.e2e.test (CNAMEs disagree): one coherent chain, never mixed, then stable", chains_not_mixed)

    def kdig_methods() -> None:
        for ask, method in ((kdig_post, "POST"), (kdig_get, "GET")):
            note = ask("kdig-post.e2e.test", "A").note
            assert f"HTTP/2-{method}" in note, f"kdig reported {note!r}"

    suite.expect("kdig really used HTTP/2 POST and HTTP/2 GET", kdig_methods)

    def padding() -> None:
        # kdig pads queries over TLS by default (its man page); RFC 8467 §4.1: 468-byte blocks.
        padded = kdig_post("kdig-post.e2e.test", "A")
        assert padded.padding is not None, "padded query, no padding option in the response"
        assert padded.wire_size and padded.wire_size % PADDING_BLOCK == 0, f"{padded.wire_size} B"
        plain = clients.kdig(tls_port, ca_file, "POST", "+nopadding")("kdig-post.e2e.test", "A")
        assert plain.padding is None, f"unpadded query, {plain.padding} B of padding in the response"

    suite.expect("padded queries get responses padded to 468-byte blocks, unpadded ones none", padding)

    def same_order_everywhere() -> None:
        name = "kdig-post.e2e.test"
        seen = {
            label: ask(name, "A").addresses(name, "A")
            for label, ask in (
                ("kdig POST", kdig_post), ("kdig GET", kdig_get), ("dnspython GET", doh_get),
                ("dnspython POST", doh_post), ("JSON API", json_api),
                ("mixed-case name", lambda n, t: kdig_post(n.upper(), t)),
            )
        }  # fmt: skip
        assert len({tuple(v) for v in seen.values()}) == 1, "\n".join(f"{k}: {show(v)}" for k, v in seen.items())

    suite.expect("every client (and a mixed-case query) gets the same pool in the same order", same_order_everywhere)

    # --- TTLs -----------------------------------------------------------------
    def ttl_counts_down() -> None:
        name = "ttl.e2e.test"
        union, lowest = truth.union(name, "A"), truth.min_ttl(name, "A")
        deadline = time.monotonic() + CONVERGE_WITHIN_S
        answer = doh_post(name, "A")
        while set(answer.addresses(name, "A")) != union and time.monotonic() < deadline:
            time.sleep(POLL_EVERY_S)
            answer = doh_post(name, "A")
        assert set(answer.addresses(name, "A")) == union, f"no union: {show(answer.addresses(name, 'A'))}"
        before = answer.ttls(name, "A")
        assert len(set(before)) == 1, f"one RRset, several TTLs: {before}"
        assert before[0] <= lowest, f"merged TTL {before[0]} > the lowest upstream TTL {lowest} (docs/architecture.md §3: never raised)"
        time.sleep(TTL_SLEEP_S)
        after = doh_post(name, "A").ttls(name, "A")
        assert after and after[0] < before[0], f"TTL {before[0]} then {after} after {TTL_SLEEP_S:g} s"
        assert before[0] - after[0] <= TTL_SLEEP_S + 2, f"TTL fell from {before[0]} to {after[0]} in {TTL_SLEEP_S:g} s"

    suite.expect("the merged TTL is the upstreams' minimum and counts down (query, 2 s, query)", ttl_counts_down)

    def cache_control() -> None:
        name = "doh-get.e2e.test"
        query = dns.message.make_query(name, "A")
        query.id = 0  # RFC 8484 §4.1: cache-friendly GETs
        response = httpx.post(
            f"{worker}/dns-query",
            content=query.to_wire(),
            headers={"content-type": "application/dns-message", "accept": "application/dns-message"},
            timeout=clients.TIMEOUT_S,
        )
        assert response.status_code == 200, f"HTTP {response.status_code}"
        assert response.headers.get("content-type", "").startswith("application/dns-message")
        ttls = [rrset.ttl for rrset in dns.message.from_wire(response.content).answer]
        header = response.headers.get("cache-control", "")
        assert header == f"max-age={min(ttls)}" or f"max-age={min(ttls)}," in header, (
            f"cache-control {header!r}, answer TTLs {ttls}"
        )
        assert response.headers.get("server-timing"), "no Server-Timing header"

    suite.expect("cache-control max-age equals the answer's minimum TTL; Server-Timing present", cache_control)

    # --- negative answers -----------------------------------------------------
    def nxdomain() -> None:
        name = "nope.e2e.test"
        soa_ttl = min(r.ttl for r in truth.per_upstream(name, "A")["knot-a"].soa())
        for label, ask in (("kdig POST", kdig_post), ("dnspython GET", doh_get), ("kdig POST, cached", kdig_post)):
            answer = ask(name, "A")
            assert answer.rcode == "NXDOMAIN", f"{label}: rcode {answer.rcode}"
            assert not answer.answer, f"{label}: answer section {answer.answer}"
            soa = answer.soa()
            assert soa and soa[0].name == "e2e.test", f"{label}: authority {answer.authority}"
            assert soa[0].ttl <= soa_ttl, f"{label}: SOA TTL {soa[0].ttl} > {soa_ttl}"

    suite.expect("NXDOMAIN carries the zone's SOA in authority (fresh and cached)", nxdomain)

    def nodata() -> None:
        for label, ask in (("kdig GET", kdig_get), ("kdig GET, cached", kdig_get)):
            answer = ask("www.e2e.test", "AAAA")
            assert answer.rcode == "NOERROR", f"{label}: rcode {answer.rcode}"
            assert not answer.addresses("www.e2e.test", "AAAA"), f"{label}: {answer.answer}"
            assert answer.soa(), f"{label}: no SOA in authority: {answer.authority}"

    suite.expect("NODATA (www.e2e.test AAAA) carries the SOA in authority", nodata)

    # --- curl resolving a web page's name through the worker -----------------
    web_port = env("E2E_WEB_PORT")
    page = Path(env("E2E_PAGE")).read_text()
    url = f"http://www.e2e.test:{web_port}/"

    def curl(*extra: str) -> subprocess.CompletedProcess:
        argv = ["curl", "-sS", "--max-time", "10", *extra, url]
        return subprocess.run(argv, capture_output=True, text=True, timeout=20)

    def curl_without_doh() -> None:
        run = curl()
        assert run.returncode != 0 and run.stdout != page, "www.e2e.test resolves without the worker; the curl test proves nothing"

    def curl_doh(*extra: str):
        def check() -> None:
            run = curl("--doh-url", https_url, *extra)
            assert run.returncode == 0, f"curl exited {run.returncode}: {run.stderr.strip()}"
            assert run.stdout == page, f"got {run.stdout[:200]!r}"

        return check

    suite.expect("without the worker, www.e2e.test does not resolve", curl_without_doh)
    suite.expect("curl --doh-url … --doh-insecure fetches the page at www.e2e.test", curl_doh("--doh-insecure"))
    suite.expect("curl --doh-url … --cacert (verified) fetches the page at www.e2e.test", curl_doh("--cacert", ca_file))

    # --- the worker's own account of the fan-outs (docs/operations.md §5 query log) -------
    def fanout_log() -> None:
        names = env("E2E_UPSTREAM_NAMES").split(",")
        entries = [e for e in query_log() if e.get("tenant", DEFAULT_TENANT) == DEFAULT_TENANT]
        misses = [e for e in entries if e.get("upstreams")]
        assert misses, f"no query log line with upstream attempts among {len(entries)} query lines"
        ok = {a["upstream"] for e in misses for a in e["upstreams"] if a["outcome"] == "ok"}
        assert set(names) <= ok, f"never answered ok: {sorted(set(names) - ok)}"
        failures = [f"{e['name']}: {a['upstream']} {a['outcome']}" for e in misses for a in e["upstreams"] if a["outcome"] != "ok"]
        assert not failures, "healthy upstreams failed:\n" + "\n".join(failures)
        bad_writes = [f"{e['name']} {e['type']}: {e.get('write')}" for e in misses if e.get("write") in ("failed", None)]
        assert not bad_writes, "pool writes that did not land:\n" + "\n".join(bad_writes)

    suite.expect("worker log: every upstream (incl. dnsdist over http://) answered ok; every pool write landed", fanout_log)

    # --- real TLS upstreams and real clients, each in a tenant of its own -----
    tls_upstreams.run(suite, truth)
    browsers.run(suite)
    console.run(suite)
    forwarders.run(suite, truth, pool_checks)

    # --- upstreams going away (last: this changes the fleet for good) --------
    def one_upstream_down() -> None:
        name = "late.e2e.test"
        answers = truth.per_upstream(name, "A")
        lost = set(answers.pop("knot-b").addresses(name, "A"))
        remaining = {a for answer in answers.values() for a in answer.addresses(name, "A")}
        assert lost and not lost & remaining, f"fixture: knot-b must hold an address of its own for {name}"
        stop_server("knot-b")
        started = time.monotonic()
        addresses = doh_post(name, "A").addresses(name, "A")
        first_s = time.monotonic() - started
        assert addresses and set(addresses) <= remaining, f"first answer {show(addresses)}"
        # Refused connections are failures at once; they must not wait for the 300 ms timer.
        assert first_s < FIRST_ANSWER_WITH_DEAD_UPSTREAM_S, f"first answer after {first_s:.2f} s"
        deadline = time.monotonic() + CONVERGE_WITHIN_S
        while set(addresses) != remaining and time.monotonic() < deadline:
            time.sleep(POLL_EVERY_S)
            addresses = doh_post(name, "A").addresses(name, "A")
        assert set(addresses) == remaining, f"{show(addresses)}, expected {show(sorted(remaining))}"
        outcomes = [a["outcome"] for e in query_log() if e["name"] == name for a in e.get("upstreams", [])
                    if a["upstream"] == "knot-b"]  # fmt: skip
        assert "ok" not in outcomes, f"the log says the stopped knot-b answered: {outcomes}"

    suite.expect("with knot-b stopped, answers come at once from the rest and the pool is their union", one_upstream_down)

    def all_down() -> None:
        for server in ("knot-a", "nsd-c"):  # dnsdist stays up, with nothing behind it
            stop_server(server)
        # EDE travels in the OPT record, which a response only has when the query had one.
        with_edns = clients.dnspython_doh(f"{worker}/dns-query", "POST", None, use_edns=0)
        started = time.monotonic()
        answer = with_edns("gone.e2e.test", "A")
        elapsed = time.monotonic() - started
        assert answer.rcode == "SERVFAIL", f"rcode {answer.rcode}, answer {answer.answer}"
        assert set(answer.ede) & {EDE_NO_REACHABLE_AUTHORITY, EDE_NETWORK_ERROR}, f"EDE codes {answer.ede}"
        assert elapsed < FANOUT_DEADLINE_S + 1.0, f"SERVFAIL after {elapsed:.2f} s"

    suite.expect("with every upstream down: SERVFAIL with EDE 22 or 23, within the 3 s deadline", all_down)


if __name__ == "__main__":
    sys.exit(main())
