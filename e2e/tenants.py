"""Tenants made through the admin API (README "Tenants"): every TLS upstream
and every real client of the suite gets its own, so their upstream health,
caches, pools and log lines stay apart from the default tenant's."""

from __future__ import annotations

import httpx

from clients import TIMEOUT_S, env


def create_tenant(tenant_id: str, upstreams: list[str], deny: tuple[str, ...] = ()) -> str:
    """Creates the tenant and returns its DoH path, `/t/<id>/dns-query`."""
    response = httpx.post(
        f"{env('E2E_WORKER')}/admin/tenants",
        headers={"authorization": f"Bearer {env('E2E_ADMIN_TOKEN')}"},
        json={"id": tenant_id, "config": {"upstreams": upstreams, "deny": list(deny)}},
        timeout=TIMEOUT_S,
    )
    if response.status_code != 201:
        raise AssertionError(f"creating tenant {tenant_id}: HTTP {response.status_code} {response.text[:300]}")
    return f"/t/{tenant_id}/dns-query"


def default_upstreams() -> list[str]:
    """The default tenant's `name=url` entries, for tenants that ask the same servers."""
    return env("E2E_UPSTREAMS").split(",")
