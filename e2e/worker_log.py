"""The worker's own account of its lookups: the JSON query lines (docs/operations.md §5) in
wrangler's output, one per query (plain hits sampled by LOG_HIT_SAMPLE_RATE);
only the line of a query that started a fan-out has `upstreams`."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

from clients import env

DEFAULT_TENANT = "_default"
# dns-packet has no name for HTTPS (RFC 9460, type 65), so the log says this.
HTTPS_TYPES = frozenset({"HTTPS", "UNKNOWN_65", "TYPE65"})
# A line is written when its fan-out ends, after the response, and workerd's
# output reaches wrangler's log some time later: a reader polls this long.
LOG_DELAY_S = 3.0
POLL_EVERY_S = 0.1


def query_log() -> list[dict]:
    text = Path(env("E2E_WORKER_LOG")).read_text(errors="replace")
    # A reader polling the log may catch wrangler mid-line: that line is read next time.
    complete = text[: text.rfind("\n") + 1]
    entries = []
    for line in complete.splitlines():
        start = line.find('{"event":"query"')
        if start >= 0:
            entries.append(json.loads(line[start:]))
    return entries


def tenant_log(tenant: str) -> list[dict]:
    """One tenant's query lines, oldest first."""
    return [e for e in query_log() if e.get("tenant", DEFAULT_TENANT) == tenant]


def outcomes(tenant: str, name: str) -> list[str]:
    """Every upstream attempt's outcome (`ok`, `network`, `timeout`, …) for NAME in TENANT."""
    return [a["outcome"] for e in tenant_log(tenant) if e["name"] == name for a in e.get("upstreams", [])]


def eventually(check: Callable[[], None], within_s: float = LOG_DELAY_S) -> None:
    """Runs the assertions in CHECK until they pass; after WITHIN_S the last failure stands."""
    deadline = time.monotonic() + within_s
    while True:
        try:
            check()
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise
        time.sleep(POLL_EVERY_S)


def expect_outcomes(tenant: str, name: str, expected: list[str]) -> None:
    """Waits for the log to show exactly EXPECTED as NAME's attempt outcomes in TENANT."""

    def check() -> None:
        seen = outcomes(tenant, name)
        assert seen == expected, f"worker log, tenant {tenant}, {name}: outcomes {seen}, expected {expected}"

    eventually(check)
