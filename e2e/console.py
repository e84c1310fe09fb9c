"""The operator console (README "Console") in headless Chromium at phone
width: sign in with the admin token, create a tenant through the form (a
field error first), send a query through the tenant, open its lookup's SVG
timeline and its pool, sign out. Screenshots land in $E2E_TMP/console/.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx

from cdp import Browser
from clients import TIMEOUT_S, env
from tenants import default_upstreams

TENANT = "console-e2e"
NAME = "www.e2e.test"
# An iPhone-sized viewport: the console must be usable there.
PHONE = (390, 844)
# The trace is stored when the fan-out's background ends, after the answer.
TRACE_WAIT_S = 5.0


def run(suite) -> None:
    worker = env("E2E_WORKER")
    shots = Path(env("E2E_TMP")) / "console"
    shots.mkdir()
    browser = Browser(shots / "chromium", *PHONE)
    try:
        drive(suite, browser, worker, shots)
    finally:
        browser.close()


def drive(suite, browser: Browser, worker: str, shots: Path) -> None:
    def path() -> str:
        return browser.evaluate("location.pathname + location.search")

    def text(selector: str) -> str:
        return browser.evaluate(f"document.querySelector({json.dumps(selector)})?.textContent ?? ''")

    def sign_in() -> None:
        browser.goto(f"{worker}/admin/")
        assert path() == "/admin/sign-in", f"/admin/ led to {path()}"
        browser.screenshot(shots / "01-sign-in.png")
        browser.submit('form[action="/admin/sign-in"]', {"token": env("E2E_ADMIN_TOKEN"), "tenant": ""})
        assert path() == "/admin/ui/tenants", f"signed in to {path()}: {text('main')[:200]}"
        cookies = browser.page("Network.getCookies", {"urls": [worker + "/admin/"]})["cookies"]
        session = [c for c in cookies if c["name"] == "edge_console"]
        assert session and session[0]["httpOnly"] and session[0]["sameSite"] == "Strict", f"cookie: {session}"
        assert env("E2E_ADMIN_TOKEN") not in session[0]["value"], "the token itself is in the cookie"

    def create_tenant() -> None:
        browser.goto(f"{worker}/admin/ui/tenants/new")
        form = 'form[action="/admin/ui/tenants/new"]'
        browser.submit(form, {"id": TENANT, "upstreams": "broken=ftp://example.com"})
        error = text("#upstreams-error")
        assert error.startswith("line 1:"), f"no field error next to upstreams: {text('main')[:300]!r}"
        browser.screenshot(shots / "02-field-error.png")
        browser.submit(form, {"id": TENANT, "upstreams": "\n".join(default_upstreams())})
        token = text("#token")
        assert token.startswith("edt_"), f"no token shown: {text('main')[:300]!r}"
        browser.screenshot(shots / "03-tenant-created.png")

    def query_through_tenant() -> None:
        response = httpx.get(f"{worker}/t/{TENANT}/resolve", params={"name": NAME, "type": "A"}, timeout=TIMEOUT_S)
        assert response.status_code == 200, f"HTTP {response.status_code}: {response.text[:200]}"
        assert response.json().get("Answer"), f"no answer: {response.text[:200]}"

    def timeline() -> None:
        deadline = time.monotonic() + TRACE_WAIT_S
        while True:
            browser.goto(f"{worker}/admin/ui/lookups?tenant={TENANT}&name={NAME}")
            href = browser.evaluate("document.querySelector('main table tbody a')?.getAttribute('href')")
            if href or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert href, f"no lookup of {NAME} listed for {TENANT}: {text('main')[:300]!r}"
        browser.screenshot(shots / "04-lookups.png")
        browser.goto(worker + href)
        drawn = browser.evaluate(
            "(async () => { const img = document.querySelector('img.timeline');"
            " if (!img) return 0; await img.decode().catch(() => {}); return img.naturalWidth; })()"
        )
        assert drawn and drawn > 0, "the SVG timeline did not load"
        rows = browser.evaluate("document.querySelectorAll('main table tbody tr').length")
        assert rows == len(default_upstreams()), f"{rows} attempt rows, expected {len(default_upstreams())}"
        browser.screenshot(shots / "05-timeline.png")

    def pool() -> None:
        href = browser.evaluate("[...document.querySelectorAll('main a')].find(a => a.textContent === 'Its pool')?.href")
        assert href, "the lookup page has no link to its pool"
        browser.goto(href)
        records = browser.evaluate(
            "[...document.querySelectorAll('main table tbody tr')].map(r => [...r.cells].map(c => c.textContent))"
        )
        assert records, f"the pool shows no records: {text('main')[:300]!r}"
        assert all(r[1] for r in records), f"a record without sources: {records}"
        width = browser.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE[0], f"the page is {width} px wide on a {PHONE[0]} px screen"
        browser.screenshot(shots / "06-pool.png")

    def sign_out() -> None:
        browser.submit('form[action="/admin/sign-out"]', {})
        browser.goto(f"{worker}/admin/ui/tenants")
        assert path() == "/admin/sign-in", f"still signed in: {path()}"

    suite.expect("console: /admin/ signs in with the admin token; the cookie is HttpOnly, SameSite=Strict, not the token", sign_in)
    suite.expect("console: the new-tenant form shows the error next to its field, then creates the tenant", create_tenant)
    suite.expect(f"console: a query for {NAME} through the new tenant is answered", query_through_tenant)
    suite.expect("console: the lookup is listed and its SVG timeline loads, one row per upstream", timeline)
    suite.expect("console: its pool lists records with their sources; the page fits a 390 px screen", pool)
    suite.expect("console: sign-out ends the session", sign_out)
