"""Browsers as DoH clients: headless Chromium with the managed policy
(DnsOverHttpsMode "secure") and Firefox ESR in TRR-only mode (network.trr.mode
3), each trusting the run's CA in its own NSS database, each loading a page on
127.0.0.1 under www.e2e.test, a name only the resolver knows.

Each browser asks its own tenant (its background chatter about google.com or
mozilla.org is denied there, NXDOMAIN without an upstream, so it neither
reaches the default tenant nor spoils anyone's upstream health), and the
tenant's query log shows exactly which lookups the browser made.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import signal
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

from clients import env
from tenants import create_tenant, default_upstreams
from worker_log import HTTPS_TYPES, eventually, tenant_log

NAME = "www.e2e.test"
# Far above the ~4 s either browser needs here; a browser that hangs (Firefox
# does, on an error page, with --screenshot) fails the check, not the run.
BROWSER_TIMEOUT_S = 60
BEACON_WAIT_S = 5.0
# Browser background traffic, answered NXDOMAIN by the tenant's deny list.
BACKGROUND_SUFFIXES = ("com", "net", "org")
# Machine-global: Chromium on Linux reads managed policies only from here.
CHROMIUM_POLICY_DIR = Path("/etc/chromium/policies/managed")
CHROMIUM_POLICY_FILE = CHROMIUM_POLICY_DIR / "edge-resolver-e2e.json"
# Serializes e2e runs on one machine while the policy file exists.
CHROMIUM_POLICY_LOCK = Path("/tmp/edge-resolver-e2e-chromium-policy.lock")
CA_NICKNAME = "edge-resolver e2e CA"


def run(suite) -> None:
    tls_port = env("E2E_TLS_PORT")
    web_port = env("E2E_WEB_PORT")
    www = Path(env("E2E_PAGE")).parent
    work = Path(env("E2E_TMP"))

    for browser, launch in (("chromium", chromium), ("firefox", firefox)):
        tenant = f"browser-{browser}"
        token = f"{browser}-{secrets.token_hex(8)}"
        page = www / f"{browser}.html"
        # The script proves the page ran, and reads the token from the DOM it was served.
        page.write_text(
            f'<!doctype html><title>e2e</title><p id="token">{token}</p>\n'
            '<script>fetch("/beacon/" + document.getElementById("token").textContent)</script>\n'
        )
        url = f"http://{NAME}:{web_port}/{page.name}"
        home = work / browser
        home.mkdir()

        def loads_page(browser=browser, tenant=tenant, token=token, url=url, home=home, launch=launch) -> None:
            path = create_tenant(tenant, default_upstreams(), deny=BACKGROUND_SUFFIXES)
            template = f"https://localhost:{tls_port}{path}"
            shown = launch(home, template, url)
            if shown is not None:  # Chromium printed the DOM it rendered
                assert f'<p id="token">{token}</p>' in shown, f"{browser} showed: {shown[:300]!r}"
            else:  # Firefox only draws it: its script tells the server what it read
                assert beacon_seen(token), f"the page's script never reported {token} (see web.log, {browser}.log)"

        def asked(browser=browser, tenant=tenant) -> None:
            lookups = {(e["name"], e["type"]) for e in tenant_log(tenant)}
            # Off port 443 the HTTPS query is for _PORT._https.NAME (RFC 9460 §2.3).
            types = {t for n, t in lookups if n == NAME or n.endswith(f"._https.{NAME}")}
            missing = [t for t in ("A", "AAAA") if t not in types] + ([] if types & HTTPS_TYPES else ["HTTPS"])
            assert not missing, f"{browser} never asked {missing} for {NAME}; the tenant saw {sorted(lookups)}"

        suite.expect(f"{browser}: loads the page at {NAME} resolved over DoH by the resolver only", loads_page)
        suite.expect(f"{browser}: the resolver saw its A, AAAA and HTTPS queries for {NAME}",
                     lambda asked=asked: eventually(asked))  # fmt: skip


def chromium(home: Path, template: str, url: str) -> str:
    """Chromium with the managed policy; returns the DOM it rendered (--dump-dom)."""
    nss_db(home / ".pki" / "nssdb")
    policy = {
        "DnsOverHttpsMode": "secure",  # DoH only, never the system resolver
        "DnsOverHttpsTemplates": template + "{?dns}",  # RFC 8484 GET
        "BuiltInDnsClientEnabled": True,  # DoH needs Chromium's own resolver
    }
    argv = [
        "chromium", "--headless", "--disable-gpu", f"--user-data-dir={home / 'profile'}",
        "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--dump-dom", url,
    ]  # fmt: skip
    # --no-sandbox: the page is our own, on loopback; Chromium cannot sandbox itself as
    # root, nor in the many CI containers without user namespaces.
    argv.insert(1, "--no-sandbox")
    staged = home / "policy.json"
    staged.write_text(json.dumps(policy))
    with chromium_policy(staged):
        return run_browser("chromium", argv, home)


@contextmanager
def chromium_policy(staged: Path):
    """The policy file exists only while this run's Chromium does."""
    with CHROMIUM_POLICY_LOCK.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        as_root("mkdir", "-p", str(CHROMIUM_POLICY_DIR))
        try:
            as_root("cp", str(staged), str(CHROMIUM_POLICY_FILE))
            yield
        finally:
            as_root("rm", "-f", str(CHROMIUM_POLICY_FILE))


def as_root(*argv: str) -> None:
    """/etc is root's: as root directly, else through passwordless sudo (as CI runners have)."""
    prefix = [] if os.geteuid() == 0 else ["sudo", "-n"]
    done = subprocess.run([*prefix, *argv], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, (
        f"{' '.join([*prefix, *argv])}: {done.stderr.strip()} "
        f"(Chromium reads DoH policies only from {CHROMIUM_POLICY_DIR}: run as root or with sudo)"
    )


def firefox(home: Path, template: str, url: str) -> str | None:
    """Firefox ESR in TRR-only mode; the page's beacon is the proof it rendered."""
    profile = home / "profile"
    nss_db(profile)
    prefs = {
        "network.trr.mode": 3,  # TRR only: no fallback to the system resolver
        "network.trr.uri": template,  # RFC 8484 POST
        "network.trr.custom_uri": template,
        "network.trr.allow-rfc1918": True,  # www.e2e.test is 127.0.0.1
        "network.trr.confirmationNS": "skip",  # no confirmation lookup of example.com first
        "network.captive-portal-service.enabled": False,
        "network.connectivity-service.enabled": False,
        "browser.shell.checkDefaultBrowser": False,
        "datareporting.policy.dataSubmissionEnabled": False,
        "app.update.auto": False,
    }
    (profile / "user.js").write_text("".join(f"user_pref({json.dumps(k)}, {json.dumps(v)});\n" for k, v in prefs.items()))
    argv = ["firefox-esr", "--headless", "--no-remote", "--profile", str(profile),
            "--screenshot", str(home / "page.png"), url]  # fmt: skip
    run_browser("firefox", argv, home)
    assert (home / "page.png").stat().st_size > 0, "empty screenshot"
    return None


def nss_db(directory: Path) -> None:
    """An NSS database that trusts the run's CA for TLS servers (C,,), nothing else."""
    directory.mkdir(parents=True, exist_ok=True)
    db = f"sql:{directory}"
    for argv in (["certutil", "-N", "-d", db, "--empty-password"],
                 ["certutil", "-A", "-d", db, "-n", CA_NICKNAME, "-t", "C,,", "-i", env("E2E_CA")]):  # fmt: skip
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, f"{' '.join(argv)}: {done.stderr.strip()}"


def run_browser(browser: str, argv: list[str], home: Path) -> str:
    """Runs ARGV with HOME=home in its own process group, killed as a group on
    timeout; stderr goes to $E2E_TMP/<browser>.log. Returns stdout."""
    log = Path(env("E2E_TMP"), f"{browser}.log")
    with log.open("w") as stderr:
        process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=stderr, text=True,
                                   env={**os.environ, "HOME": str(home)}, start_new_session=True)  # fmt: skip
        try:
            out, _ = process.communicate(timeout=BROWSER_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise AssertionError(f"{browser} still running after {BROWSER_TIMEOUT_S} s (see {log.name})") from None
        finally:
            # Helpers (zygote, GPU, content processes) must not outlive the check.
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    assert process.returncode == 0, f"{browser} exited {process.returncode} (see {log.name})"
    return out


def beacon_seen(token: str) -> bool:
    """The page's script fetched /beacon/<token> (python's http.server logs every request)."""
    deadline = time.monotonic() + BEACON_WAIT_S
    while time.monotonic() < deadline:
        if f"GET /beacon/{token} " in Path(env("E2E_WEB_LOG")).read_text(errors="replace"):
            return True
        time.sleep(0.1)
    return False
