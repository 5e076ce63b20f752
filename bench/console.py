"""The operator console's pages on a large workspace: the overview, the jobs list (the DLQ
and every status) and the audit log of a workspace holding 100,000 jobs, 10,000 webhook
inbox events and 10,000 audit records (issue 11: p50 ≤ 50 ms and p99 ≤ 200 ms each).

The control-api and the console (granian, one worker each), PostgreSQL and Redis run
unpinned, as in production on a small box. The workspace is a new one of the scratch
deployment, seeded in bulk (``tests/support/bulk.py``, as the overview's bounded-reads
test seeds it). One client signs in over HTTP as the workspace's operator (the sign-in
form's CSRF cookie and field, then the session cookie), and sends each page ``REQUESTS``
times after ``WARMUP`` untimed ones, one request at a time on one keep-alive connection.

Server time is measured by the client on loopback: the console's time to answer plus the
client's own fraction of a millisecond. Next to it, to tell the console's own work from
the control-api's: from the ``/metrics`` histograms of both services over the same
requests, the console's own mean and how many it answered within 50 ms, and the mean of
each control-api read the page makes; each of those reads sent alone straight to the
control-api; and the CPU each process spent per page. Knobs: ``BENCH_CONSOLE_JOBS`` (100,000; inbox and audit records
stay 10,000 unless ``BENCH_CONSOLE_INBOX``/``_AUDIT`` say otherwise), ``BENCH_CONSOLE_REQUESTS``,
``BENCH_CONSOLE_WARMUP``.
"""

from __future__ import annotations

import asyncio
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

import aiohttp
import httpx
from tests.support.bulk import Bulk, seed
from tests.support.control_api import Api
from tests.support.factories import fetch_token
from tests.support.stack import Service
from tests.support.webhooks import stripe_source

from bench.cpu import CpuMeter
from bench.jobs import postgres_pid
from bench.load import percentile
from bench.scratch import Scratch, new_workspace, start_ready
from bench.served import Served, histograms, served
from orchestrator.core.db.engine import create_engine, session_factory
from orchestrator.core.tenancy.service import BootstrapResult

JOBS = int(os.environ.get("BENCH_CONSOLE_JOBS", "100000"))
INBOX = int(os.environ.get("BENCH_CONSOLE_INBOX", "10000"))
AUDIT = int(os.environ.get("BENCH_CONSOLE_AUDIT", "10000"))
REQUESTS = int(os.environ.get("BENCH_CONSOLE_REQUESTS", "200"))
WARMUP = int(os.environ.get("BENCH_CONSOLE_WARMUP", "20"))
DIRECT = REQUESTS // 4
"""Sequential calls of each control-api read a page makes, sent to it directly."""
TARGET_P50_MS = 50.0
TARGET_P99_MS = 200.0
CSRF_FIELD = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass(frozen=True)
class Page:
    """A console page, the path it is sent to, what shows it rendered in full, and the
    control-api reads it makes (as ``pages/*.py`` of the console make them)."""

    name: str
    path: str
    shows: Callable[[str], bool]
    calls: tuple[str, ...]


def pages(workspace: str) -> list[Page]:
    """The pages of the issue's target. ``/w/{id}/jobs`` with no status is the DLQ; the
    jobs list of every status is ``?status=`` (the form's "any")."""
    base, ws = f"/w/{workspace}", f"workspace={workspace}"
    return [
        Page(
            "overview",
            f"{base}/overview",
            lambda html: "bulk.event" in html,
            (f"/overview?events=15&{ws}", "/workspaces?limit=200", f"/audit?limit=8&{ws}"),
        ),
        Page(
            "jobs, dead (the DLQ)",
            f"{base}/jobs?status=dead",
            lambda html: "bulk-" in html,
            (f"/jobs?status=dead&limit=50&{ws}",),
        ),
        Page(
            "jobs, any status",
            f"{base}/jobs?status=",
            lambda html: "bulk-" in html,
            (f"/jobs?limit=50&{ws}",),
        ),
        Page(
            "audit log",
            f"{base}/audit",
            lambda html: "policy:p" in html,
            (f"/audit?limit=50&{ws}",),
        ),
    ]


@dataclass(frozen=True)
class Measured:
    """One page sent ``REQUESTS`` times, one after another."""

    page: Page
    latencies_ms: list[float]
    """Sorted."""
    errors: int
    bytes: int
    console: list[Served]
    control: list[Served]
    cpu_ms: dict[str, float]
    """CPU per request, by process."""
    direct_p50_ms: dict[str, float]
    """Each control-api read of the page sent alone, straight to the control-api."""

    @property
    def p50(self) -> float:
        return percentile(self.latencies_ms, 0.50)

    @property
    def p99(self) -> float:
        return percentile(self.latencies_ms, 0.99)

    @property
    def max(self) -> float:
        return self.latencies_ms[-1] if self.latencies_ms else float("nan")

    @property
    def met(self) -> bool:
        return self.errors == 0 and self.p50 <= TARGET_P50_MS and self.p99 <= TARGET_P99_MS


@dataclass(frozen=True)
class Seeded:
    """The seeded workspace, a token of its operator, and a line saying what it holds."""

    tenant: BootstrapResult
    token: str
    line: str


async def seeded(scratch: Scratch, control_url: str, bulk: Bulk) -> Seeded:
    """A new workspace seeded in bulk; what its overview counts."""
    tenant = await new_workspace(scratch)
    async with httpx.AsyncClient(timeout=30, trust_env=False) as http:
        token = await fetch_token(
            http, control_url, tenant.control_client_id, tenant.control_client_secret
        )
        api = Api(http, control_url, token)
        source = await stripe_source(api)
        engine = create_engine(scratch.settings.db, owner=True)
        began = time.monotonic()
        try:
            await seed(session_factory(engine), tenant.tenant_id, source, bulk)
        finally:
            await engine.dispose()
        took = time.monotonic() - began
        response = await api.call("GET", "/overview")
        response.raise_for_status()
        found = response.json()
    jobs, inbox = found["jobs"], found["webhook_inbox"]
    line = (
        f"  workspace: {bulk.jobs:,} jobs ({bulk.queued:,} queued, {bulk.dead:,} dead, the "
        f"rest succeeded; {bulk.attempts:,} attempts), {bulk.inbox:,} webhook inbox events, "
        f"{bulk.audit:,} audit records, {bulk.events:,} events; seeded in {took:.1f} s. "
        f"Its overview counts {jobs['queued']:,} queued (capped at {found['count_limit']:,}), "
        f"{jobs['dead']:,} dead, {inbox['received']:,} received deliveries"
    )
    return Seeded(tenant, token, line)


async def sign_in(http: aiohttp.ClientSession, console: str, tenant: BootstrapResult) -> None:
    """The sign-in form (its CSRF cookie and field), then the credentials: the session
    cookie lands in ``http``'s jar."""
    async with http.get(f"{console}/sign-in") as response:
        response.raise_for_status()
        match = CSRF_FIELD.search(await response.text())
    if match is None:
        raise RuntimeError("the sign-in form has no CSRF field")
    form = {
        "csrf": match.group(1),
        "next": "/",
        "client_id": tenant.control_client_id,
        "client_secret": tenant.control_client_secret,
    }
    async with http.post(f"{console}/sign-in", data=form, allow_redirects=False) as response:
        if response.status != 303:
            raise RuntimeError(f"sign-in answered {response.status}: {await response.text()}")
        if not response.headers["location"].endswith("/overview"):
            raise RuntimeError(f"sign-in went to {response.headers['location']}")


async def send(http: aiohttp.ClientSession, url: str, page: Page) -> tuple[float, bool, int]:
    """One GET: its time in seconds, whether the full page came back, its size."""
    start = time.perf_counter()
    async with http.get(url, allow_redirects=False) as response:
        body = await response.read()
    took = time.perf_counter() - start
    ok = response.status == 200 and page.shows(body.decode())
    return took, ok, len(body)


async def direct(probe: aiohttp.ClientSession, url: str, token: str) -> float:
    """The p50 in ms of ``DIRECT`` calls of ``url`` (after a few untimed), one at a time."""
    headers = {"Authorization": f"Bearer {token}"}
    latencies: list[float] = []
    for index in range(5 + DIRECT):
        start = time.perf_counter()
        async with probe.get(url, headers=headers) as response:
            await response.read()
            response.raise_for_status()
        if index >= 5:
            latencies.append((time.perf_counter() - start) * 1000)
    return percentile(sorted(latencies), 0.50)


async def measure(
    http: aiohttp.ClientSession,
    probe: aiohttp.ClientSession,
    console: Service,
    control: Service,
    page: Page,
    pids: dict[str, int],
    token: str,
) -> Measured:
    """``WARMUP`` untimed requests, then ``REQUESTS`` timed ones, one at a time on
    ``http``; the histograms read through ``probe`` (connections of its own); then each
    control-api read of the page alone, sent straight to the control-api."""
    url = f"{console.url}{page.path}"
    for _ in range(WARMUP):
        await send(http, url, page)
    console_before = await histograms(probe, console.url)
    control_before = await histograms(probe, control.url)
    latencies: list[float] = []
    errors = size = 0
    meter = CpuMeter(pids)
    meter.start()
    for _ in range(REQUESTS):
        took, ok, length = await send(http, url, page)
        latencies.append(took * 1000)
        errors += not ok
        size += length
    cpu = meter.stop()
    console_after = await histograms(probe, console.url)
    control_after = await histograms(probe, control.url)
    alone = {
        call.split("?")[0]: await direct(probe, f"{control.url}/api/v1{call}", token)
        for call in page.calls
    }
    return Measured(
        page,
        sorted(latencies),
        errors,
        size // max(1, REQUESTS),
        served(console_before, console_after),
        served(control_before, control_after),
        {name: seconds / max(1, REQUESTS) * 1000 for name, seconds in cpu.items()},
        alone,
    )


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def report(figures: list[Measured], seeded_line: str) -> list[str]:
    """The printed section."""
    out = [
        "Console pages — control-api and console (granian, one worker each), PostgreSQL and "
        "Redis, all unpinned; one aiohttp client on loopback, signed in as the operator",
        seeded_line,
        f"  sequential: {WARMUP} untimed, then {REQUESTS} timed GETs of each page, one at a "
        "time on one keep-alive connection (client-side time on loopback ≈ the console's "
        "time to answer)",
        f"    {'page':<24} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}   {'p50/50 ms':>9}  "
        f"{'p99/200 ms':>10}   size  errors",
    ]
    for m in figures:
        out.append(
            f"    {m.page.name:<24} {m.p50:8.1f} {m.p99:8.1f} {m.max:8.1f}   "
            f"{m.p50 / TARGET_P50_MS:9.2f}  {m.p99 / TARGET_P99_MS:10.2f}   "
            f"{m.bytes / 1024:4.0f} kB  {m.errors}"
        )
    out.append(
        "  where the time goes (ms): the mean of each service's own request-duration "
        "histogram over the timed requests (the overview's three reads run in parallel); the "
        "console's own part is its mean less its longest read's; then each read's p50 when "
        f"sent alone straight to the control-api ({DIRECT} one at a time)"
    )
    for m in figures:
        console = m.console[0] if m.console else None
        longest = max((s.mean_ms for s in m.control), default=0.0)
        if console is None:
            out.append(f"    {m.page.name:<24} the console's histogram saw none")
            continue
        calls = ", ".join(f"{s.route} {s.mean_ms:.1f}" for s in m.control) or "none"
        out.append(
            f"    {m.page.name:<24} console {console.mean_ms:5.1f} (own ≈ "
            f"{console.mean_ms - longest:4.1f}; {console.within_50_ms}/{console.count} "
            f"answered ≤ 50 ms); control-api reads {calls}"
        )
        alone = ", ".join(f"{path} {ms:.1f}" for path, ms in m.direct_p50_ms.items())
        out.append(f"    {'':<24} alone: {alone}")
    out.append("  CPU per request (ms)")
    for m in figures:
        parts = "   ".join(f"{name} {ms:5.2f}" for name, ms in m.cpu_ms.items())
        out.append(f"    {m.page.name:<24} {parts}")
    out.append(
        f"  target (issue 11): p50 ≤ {TARGET_P50_MS:g} ms and p99 ≤ {TARGET_P99_MS:g} ms for "
        "each page"
    )
    for m in figures:
        out.append(
            f"    {m.page.name:<24} p50 {m.p50:6.1f} ms {_verdict(m.p50 <= TARGET_P50_MS):<6}  "
            f"p99 {m.p99:6.1f} ms {_verdict(m.p99 <= TARGET_P99_MS)}"
            + (f"  ({m.errors} answers were not the full page)" if m.errors else "")
        )
    return out


async def run(scratch: Scratch, *, control: Service, services: list[Service]) -> list[str]:
    """Seed a workspace, start the console (it joins ``services``), time its pages, and
    return the printed section."""
    bulk = Bulk.scaled(JOBS, inbox=INBOX, audit=AUDIT)
    workspace = await seeded(scratch, control.url, bulk)
    env = {
        **scratch.env,
        "ORCH_CONSOLE_CONTROL_API_URL": control.url,
        # No page measured here calls the exec-api.
        "ORCH_CONSOLE_EXEC_API_URL": control.url,
    }
    console = start_ready("console", "orchestrator.console", env, "ORCH_CONSOLE_PORT")
    services.append(console)
    pids = {"console": console.process.pid, "control-api": control.process.pid}
    if (postgres := await asyncio.to_thread(postgres_pid, scratch.owner_dsn)) is not None:
        pids["postgres (whole server)"] = postgres
    jar = aiohttp.CookieJar(unsafe=True)  # keeps cookies of an IP address (127.0.0.1)
    connector = aiohttp.TCPConnector(limit=1)
    timeout = aiohttp.ClientTimeout(total=30)
    async with (
        aiohttp.ClientSession(connector=connector, cookie_jar=jar, timeout=timeout) as http,
        aiohttp.ClientSession(timeout=timeout) as probe,
    ):
        await sign_in(http, console.url, workspace.tenant)
        figures = [
            await measure(http, probe, console, control, page, pids, workspace.token)
            for page in pages(str(workspace.tenant.tenant_id))
        ]
    return report(figures, workspace.line)
