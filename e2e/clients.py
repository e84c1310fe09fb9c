"""The clients the suite drives, each reduced to one call: ask(name, rtype) -> Answer.

Every client is real, outside software or its library: kdig (Knot) over DoH
through nghttpx, dnspython's DoH client (httpx underneath), plain httpx on the
JSON API, and dnspython's TCP client for asking the authoritative servers
directly (the ground truth the worker's answers are compared with).
"""

from __future__ import annotations

import ipaddress
import os
import subprocess
from dataclasses import dataclass, field

import dns.edns
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import httpx

# Generous for loopback, short enough that a hung server fails a check, not the run.
TIMEOUT_S = 5.0
# Longer chains than any zone here has: a loop in a served answer ends the walk.
MAX_CHAIN = 8


@dataclass(frozen=True)
class Record:
    name: str  # lower case, no trailing dot
    rtype: str  # "A", "AAAA", "SOA", ...
    ttl: int
    data: str  # addresses in canonical form


@dataclass
class Answer:
    rcode: str
    answer: list[Record] = field(default_factory=list)
    authority: list[Record] = field(default_factory=list)
    note: str = ""  # client-specific detail worth showing in a failure
    wire_size: int | None = None  # bytes received, where the client reports it
    padding: int | None = None  # EDNS padding bytes in the response, where reported
    ede: list[int] = field(default_factory=list)  # Extended DNS Error codes (RFC 8914)

    def chain(self, name: str) -> list[str]:
        """The question's name, then each CNAME target in turn (just [name] without CNAMEs)."""
        names = [normal_name(name)]
        while len(names) <= MAX_CHAIN:
            targets = self.cnames(names[-1])
            if not targets:
                break
            names.append(targets[0])
        return names

    def cnames(self, owner: str) -> list[str]:
        return [normal_name(r.data) for r in self.answer if r.name == normal_name(owner) and r.rtype == "CNAME"]

    def addresses(self, name: str, rtype: str) -> list[str]:
        """Records of the chain's final owner in the order served (duplicates kept, to be caught)."""
        final = self.chain(name)[-1]
        return [r.data for r in self.answer if r.name == final and r.rtype == rtype]

    def ttls(self, name: str, rtype: str) -> list[int]:
        final = self.chain(name)[-1]
        return [r.ttl for r in self.answer if r.name == final and r.rtype == rtype]

    def soa(self) -> list[Record]:
        return [r for r in self.authority if r.rtype == "SOA"]


def normal_name(name: str) -> str:
    return name.lower().rstrip(".")


def canonical(rtype: str, data: str) -> str:
    """Addresses compared the way docs/architecture.md §3 merges them: compressed, lower case."""
    if rtype in ("A", "AAAA"):
        return ipaddress.ip_address(data).compressed
    return data


def _record(name: str, rtype: str, ttl: int, data: str) -> Record:
    return Record(normal_name(name), rtype, int(ttl), canonical(rtype, data))


def _from_message(message: dns.message.Message, note: str = "") -> Answer:
    def records(section: list) -> list[Record]:
        return [
            _record(rrset.name.to_text(), dns.rdatatype.to_text(rrset.rdtype), rrset.ttl, rdata.to_text())
            for rrset in section
            for rdata in rrset
        ]

    ede = [option.code for option in message.options if isinstance(option, dns.edns.EDEOption)]
    return Answer(
        dns.rcode.to_text(message.rcode()), records(message.answer), records(message.authority), note, ede=ede
    )


# --- the authoritative servers and dnsdist, asked directly -------------------


def authoritative_tcp(host: str, port: int):
    def ask(name: str, rtype: str) -> Answer:
        query = dns.message.make_query(name, rtype)
        return _from_message(dns.query.tcp(query, host, port=port, timeout=TIMEOUT_S))

    return ask


def plain_doh(url: str):
    """dnsdist's DoH listener is plain HTTP; dnspython accepts a full URL for that."""

    def ask(name: str, rtype: str) -> Answer:
        query = dns.message.make_query(name, rtype)
        return _from_message(dns.query.https(query, url, timeout=TIMEOUT_S))

    return ask


# --- the worker, through real DoH clients ----------------------------------


def kdig(tls_port: int, ca_file: str, method: str, *options: str):
    """kdig +https (POST) or +https-get, HTTP/2 over TLS through nghttpx.

    +tls-ca verifies the self-signed certificate and +tls-hostname the name in it,
    so nothing here runs with verification off.
    """
    mode = "+https-get" if method == "GET" else "+https"

    def ask(name: str, rtype: str) -> Answer:
        argv = [
            "kdig", "@127.0.0.1", "-p", str(tls_port), mode,
            f"+tls-ca={ca_file}", "+tls-hostname=localhost",
            f"+timeout={int(TIMEOUT_S)}", "+retry=0", *options, name, rtype,
        ]  # fmt: skip
        run = subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT_S * 2)
        if run.returncode != 0:
            raise AssertionError(f"kdig exited {run.returncode}: {run.stderr.strip() or run.stdout.strip()}")
        return parse_kdig(run.stdout)

    return ask


def parse_kdig(text: str) -> Answer:
    rcode, section, session = "", "", ""
    wire_size: int | None = None
    padding: int | None = None
    answer: list[Record] = []
    authority: list[Record] = []
    for line in text.splitlines():
        if line.startswith(";; HTTP session"):
            session = line
        elif line.startswith(";; Received "):
            wire_size = int(line.split()[2])
        elif line.startswith(";; PADDING: "):
            padding = int(line.split()[2])
        elif ";; ->>HEADER<<-" in line:
            rcode = line.split("status:")[1].split(";")[0].strip()
        elif line.startswith(";; ") and line.endswith("SECTION:"):
            section = line[3:-len(" SECTION:")]
        elif line.strip() and not line.startswith(";"):
            owner, ttl, _class, rtype, data = line.split(None, 4)
            target = answer if section == "ANSWER" else authority if section == "AUTHORITY" else None
            if target is not None:
                target.append(_record(owner, rtype, int(ttl), data.strip()))
    if not rcode:
        raise AssertionError(f"kdig printed no header:\n{text}")
    return Answer(rcode, answer, authority, session, wire_size, padding)


def dnspython_doh(url: str, method: str, ca_file: str | None, use_edns: int | None = None):
    """dnspython 2.3 dns.query.https: a full URL, verify= a CA file path.

    With python3-httpx 0.23 and no h2 module it speaks HTTP/1.1; nghttpx takes both.
    Queries carry no OPT record unless use_edns is given (0: EDNS version 0).
    """

    def ask(name: str, rtype: str) -> Answer:
        query = dns.message.make_query(name, rtype, use_edns=use_edns)
        response = dns.query.https(
            query, url, timeout=TIMEOUT_S, post=(method == "POST"), verify=ca_file if ca_file else True
        )
        return _from_message(response)

    return ask


def json_api(base_url: str):
    """GET /resolve?name=&type= (the Google/Cloudflare JSON shape)."""

    def ask(name: str, rtype: str) -> Answer:
        response = httpx.get(f"{base_url}/resolve", params={"name": name, "type": rtype}, timeout=TIMEOUT_S)
        if response.status_code != 200:
            raise AssertionError(f"/resolve answered HTTP {response.status_code}: {response.text[:200]}")
        body = response.json()

        def records(key: str) -> list[Record]:
            return [
                _record(r["name"], dns.rdatatype.to_text(r["type"]), r["TTL"], r["data"]) for r in body.get(key, [])
            ]

        return Answer(dns.rcode.to_text(body["Status"]), records("Answer"), records("Authority"))

    return ask


def env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise SystemExit(f"e2e/suite.py: {name} is not set; run it through e2e/run.sh")
    return value
